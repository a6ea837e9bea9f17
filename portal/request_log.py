"""One log record per request, and a request id that follows it.

The id comes from the `X-Request-ID` header when the proxy in front sent a sane one
(so its log and ours can be matched), else it is made here. It is sent back in the
response's `X-Request-ID` header and put on every log record written meanwhile
(`portal.logging.RequestIdFilter`).

The record (logger `portal.requests`) has the request id, the user id (or None), the
method, the path without its query string (which may carry secrets) and with a
calendar key hidden, the status and the duration in milliseconds. The health
endpoints, asked every few seconds by a load balancer, are logged at DEBUG only.
"""

import logging
import re
import time
import uuid

from django.core.signals import request_finished
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject

from .logging import redact, request_id_var

logger = logging.getLogger("portal.requests")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,99}")
_QUIET_PATHS = frozenset({"/healthz", "/readyz"})
MAX_LOGGED_PATH = 500


def request_id_from(request) -> str:
    """The incoming request id if it looks sane, else a new one."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def loggable_path(path: str) -> str:
    return redact(path)[:MAX_LOGGED_PATH]


def _user_id(request):
    # Only a user some earlier step already loaded: looking one up here would cost
    # a query on requests that never needed it (health checks among them). Sessions
    # leave a lazy object until it is used; the API's token authentication puts the
    # user itself on the request.
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject):
        user = getattr(request, "_cached_user", None)
    if user is not None and user.is_authenticated:
        return user.pk
    return None


@receiver(request_finished, dispatch_uid="portal.request_log.forget_request_id")
def forget_request_id(**kwargs):
    request_id_var.set(None)


class RequestLogMiddleware:
    """First in MIDDLEWARE, so that it times and sees every answer (redirects to
    HTTPS included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request)
        request.request_id = request_id
        # Kept until the response is closed (request_finished, below): Django logs
        # 4xx and 5xx answers after the last middleware has returned.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        if request.method == "HEAD" and not response.streaming:
            # No body for HEAD (Content-Length still tells the GET's): the server
            # would drop it, with a warning on every load balancer probe.
            response.content = b""
        self.log(request, response, started)
        return response

    def log(self, request, response, started):
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = loggable_path(request.path)
        level = logging.DEBUG if request.path in _QUIET_PATHS else logging.INFO
        logger.log(
            level,
            "%s %s %s %.1fms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra={
                "request_id": request.request_id,
                "user_id": _user_id(request),
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
