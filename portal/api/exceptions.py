"""Turns domain errors from services into API responses.

- Django `ValidationError` (from `full_clean()` in services) → 400 with field errors;
- `TransitionNotAllowed` → 409 Conflict;
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django refuses to read it) → 413;
- `Http404` → 404 with a plain, translated "Not found." (Django's message names the
  model, which tells a stranger what kind of record an id would have been);
- the rest is DRF's own handling (403, 404, 401, DRF validation errors).
"""

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from portal.exceptions import TransitionNotAllowed

from .parsers import too_large


def validation_error_detail(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        detail = {}
        for field, errors in exc.message_dict.items():
            key = (
                api_settings.NON_FIELD_ERRORS_KEY
                if field == NON_FIELD_ERRORS
                else field
            )
            detail[key] = list(errors)
        return detail
    return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        exc = too_large()
    if isinstance(exc, Http404):
        exc = NotFound()
    if isinstance(exc, DjangoValidationError | TransitionNotAllowed):
        # The request is answered, not crashed: undo its writes explicitly.
        set_rollback()
    if isinstance(exc, DjangoValidationError):
        return Response(
            validation_error_detail(exc), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, TransitionNotAllowed):
        return Response(
            {"detail": str(exc.message), "code": "transition_not_allowed"},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
