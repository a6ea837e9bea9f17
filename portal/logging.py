"""Log records as one JSON object a line (production), and the request id on every
record written while a request is being answered.

The request id lives in a context variable set by `portal.request_log`; the
`RequestIdFilter` copies it onto each record, so a line written deep in a service
can be matched with the request that caused it. Both formatters hide the secret key
of calendar feed addresses, whoever logs them (Django logs the path of a 404).

This module must not touch Django settings at import time: gunicorn's master process
loads it for its own log lines before Django is set up.
"""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("portal_request_id", default=None)

# /notifications/calendar/<key>.ics: anyone holding the key reads the person's dates.
_CALENDAR_KEY = re.compile(r"(/notifications/calendar/)[^/?\s\"']+(\.ics)")


def redact(text: str) -> str:
    """The text with secrets that travel in URLs replaced."""
    return _CALENDAR_KEY.sub(r"\1<key>\2", text)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (or None outside a request) to every record."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


# Attributes every LogRecord has; anything else was passed with `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}
# Extras that are objects, not data: Django passes the request itself (its repr has
# the query string) and the socket of a runserver line.
_SKIPPED_EXTRAS = frozenset({"request", "server_time", "socket"})


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message,
    request_id, the fields given with `extra=`, and the traceback if any."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        for name, value in vars(record).items():
            if name in _STANDARD or name in _SKIPPED_EXTRAS or name.startswith("_"):
                continue
            entry[name] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii keeps a line one line whatever the text holds.
        return json.dumps(entry, default=str)


class PlainFormatter(logging.Formatter):
    """Readable lines for development and tests, with the same redaction."""

    def __init__(self, fmt=None, *args, **kwargs):
        fmt = fmt or "%(levelname)s %(name)s [%(request_id)s] %(message)s"
        super().__init__(fmt, *args, **kwargs)

    def format(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return redact(super().format(record))
