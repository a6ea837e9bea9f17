"""Turns errors into API responses; domain errors are answered as the pages answer
them (see portal/errors.py).

- Django `ValidationError` (from `full_clean()` in services) → 400 with field errors;
- `TransitionNotAllowed` → 409 Conflict; `StaleRecord` → 412;
- Django `PermissionDenied` → 403, with the service's message when it gave one;
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django refuses to read it) → 413;
- `Http404` → 404 with a plain, translated "Not found." (Django's message names the
  model, which tells a stranger what kind of record an id would have been);
- the rest is DRF's own handling (401, DRF validation errors).
"""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import answer_for, roll_back

from .parsers import too_large


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        exc = too_large()
    if isinstance(exc, Http404):
        exc = NotFound()
    answer = answer_for(exc)
    if answer is None:
        return drf_exception_handler(exc, context)
    roll_back()
    if answer.status == 400:
        data = {
            (name or api_settings.NON_FIELD_ERRORS_KEY): messages
            for name, messages in answer.messages.items()
        }
    else:
        data = {"detail": " ".join(answer.summary), "code": answer.code}
    return Response(data, status=answer.status)
