"""Domain errors and the answer each gets, in one place for the API and the pages.

Services raise these errors: Django's `ValidationError` (bad input: 400, with a
message per field), `TransitionNotAllowed` (a step the record's state does not
allow: 409), `StaleRecord` (a write based on an old version of the record: 412) and
Django's `PermissionDenied` (403, with the service's message when it gave one).
The DRF exception handler (portal/api/exceptions.py) and the
middleware for pages (`DomainErrorMiddleware`) both ask `answer_for`, so a page
never turns one of them into a 500 and the API and the pages say the same thing.
"""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext as _

from .exceptions import StaleRecord, TransitionNotAllowed


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    code: str
    # Messages by field name; "" holds those about the whole request.
    messages: dict[str, list[str]] = field(default_factory=dict)

    @property
    def summary(self) -> list[str]:
        return [message for messages in self.messages.values() for message in messages]


def _validation_messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("" if name == NON_FIELD_ERRORS else name): [str(m) for m in messages]
            for name, messages in exc.message_dict.items()
        }
    return {"": [str(m) for m in exc.messages]}


def answer_for(exc) -> ErrorAnswer | None:
    """The answer to a domain error, or None for anything else."""
    if isinstance(exc, ValidationError):
        return ErrorAnswer(400, "invalid", _validation_messages(exc))
    if isinstance(exc, TransitionNotAllowed):
        return ErrorAnswer(409, "transition_not_allowed", {"": [str(exc.message)]})
    if isinstance(exc, StaleRecord):
        return ErrorAnswer(412, "stale_record", {"": [str(exc.message)]})
    if isinstance(exc, PermissionDenied):
        message = str(exc) or _("You do not have permission to do this.")
        return ErrorAnswer(403, "permission_denied", {"": [message]})
    return None


def roll_back() -> None:
    """Inside a view (the API's exception handler): the request is answered, not
    crashed, so undo what it wrote so far."""
    if transaction.get_connection().in_atomic_block:
        transaction.set_rollback(True)


class DomainErrorMiddleware:
    """Pages: a domain error raised by a view becomes a page in the site's layout
    with the right status (an htmx request gets just the message to swap in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        answer = answer_for(exc)
        if answer is None:
            return None
        # The view's transaction (ATOMIC_REQUESTS) was rolled back as the exception
        # left it: nothing to undo here.
        template = (
            "portal/_error.html"
            if request.headers.get("HX-Request")
            else "portal/error.html"
        )
        return render(request, template, {"error": answer}, status=answer.status)
