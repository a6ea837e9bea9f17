"""The database out of reach for a moment (a restart, a failover, a dropped
connection): the request is answered 503 with Retry-After, never a 500, and the
portal recovers by itself.

- Nothing is half-written: each request runs in one transaction (ATOMIC_REQUESTS),
  rolled back as the error leaves the view; when even the rollback fails the
  connection is closed and the database drops the transaction itself.
- The broken connection is not reused: it is closed here, and Django closes any
  connection that had errors at the end of the request (CONN_HEALTH_CHECKS also
  tests a persistent connection before its next request), so the next request
  opens a fresh one.
- The API answers JSON (`{"detail": …, "code": "service_unavailable"}`), htmx gets a
  message to swap in, pages a page of their own that needs no database (the site's
  layout reads the user, the menus and notifications from it).

`DatabaseOutageMiddleware` catches the errors raised by views; `server_error`
(portal/urls.py `handler500`) those raised by middleware (the session, the user's
language), and answers every other error as Django's 500 page would.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from .errors import ErrorAnswer

logger = logging.getLogger(__name__)

# How long clients are asked to wait before trying again.
RETRY_AFTER_SECONDS = 5
OUTAGE_ERRORS = (OperationalError, InterfaceError)


def is_outage(exc) -> bool:
    """A failure to talk to the database (connection lost or refused, server
    shutting down, a lock or statement timeout), as opposed to a bug in a query."""
    return isinstance(exc, OUTAGE_ERRORS)


def _drop_broken_connections() -> None:
    """Close the connections that failed and no longer answer, so that the next
    request opens a fresh one (never reconnects here: the server may still be
    down)."""
    for connection in connections.all(initialized_only=True):
        if (
            connection.connection is None
            or connection.in_atomic_block
            or not connection.errors_occurred
        ):
            continue
        try:
            usable = connection.is_usable()
        except Exception:  # noqa: BLE001 - whatever it is, the connection is gone
            usable = False
        if not usable:
            connection.close()


def outage_response(request) -> HttpResponse:
    _drop_broken_connections()
    message = _(
        "The portal cannot reach its database for a moment. Nothing was saved: "
        "try again in a few seconds."
    )
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"detail": message, "code": "service_unavailable"}, status=503
        )
    elif request.headers.get("HX-Request"):
        answer = ErrorAnswer(503, "service_unavailable", {"": [message]})
        response = HttpResponse(
            render_to_string("portal/_error.html", {"error": answer}), status=503
        )
    else:
        response = HttpResponse(
            render_to_string("portal/503.html", {"message": message}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not is_outage(exc):
            return None
        logger.error(
            "Database unavailable: %s %s answered 503",
            request.method,
            request.path,
            exc_info=exc,
        )
        return outage_response(request)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: Django calls it while handling the uncaught error."""
    if is_outage(sys.exc_info()[1]):
        return outage_response(request)
    return defaults.server_error(request, template_name=template_name)
