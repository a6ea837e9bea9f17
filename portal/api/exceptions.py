"""Turns domain errors from services into API responses (see portal/errors.py).

- Django `ValidationError` (from `full_clean()` in services) → 400 with field errors;
- `TransitionNotAllowed` → 409 Conflict;
- Django `PermissionDenied` → 403, with the service's message when it gave one;
- the rest is DRF's own handling (404, 401, DRF validation errors).
"""

from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import answer_for, roll_back


def exception_handler(exc, context):
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
