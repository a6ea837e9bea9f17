"""The API's JSON parser: bounded in size and in nesting depth.

Python's JSON decoder and everything that walks its result (serializers, the
services) recurse; a body nested a thousand levels deep ended in a RecursionError (a
500). Real requests nest a few levels (a proposal, its budget lines, a line's
fields), so anything deeper than `JSON_MAX_DEPTH` is refused with a 400, and a body
larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` with a 413 (DRF reads JSON through
`request.body`, which Django refuses past that size; portal.api.exceptions turns
that refusal into the same 413).
"""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from portal import limits


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


def too_large(max_bytes: int | None = None) -> RequestTooLarge:
    max_bytes = (
        max_bytes or settings.DATA_UPLOAD_MAX_MEMORY_SIZE or limits.JSON_MAX_BYTES
    )
    return RequestTooLarge(
        _("The request body is too large: send at most %(size)s MB.")
        % {"size": round(max_bytes / (1024 * 1024), 1)}
    )


def _too_deep(max_depth: int) -> ParseError:
    return ParseError(
        _("The JSON is nested too deeply: at most %(depth)s levels.")
        % {"depth": max_depth}
    )


def json_depth_exceeds(data, max_depth: int) -> bool:
    """True if lists and objects nest deeper than `max_depth` (no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    max_depth = limits.JSON_MAX_DEPTH

    @property
    def max_bytes(self) -> int:
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or limits.JSON_MAX_BYTES

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context.get("request")
        max_bytes = self.max_bytes
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            announced = 0
        if announced > max_bytes:
            raise too_large(max_bytes)
        raw = stream.read(max_bytes + 1) if stream is not None else b""
        if len(raw) > max_bytes:
            raise too_large(max_bytes)
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(_("The request body is not valid UTF-8.")) from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise _too_deep(self.max_depth) from None
        except ValueError:
            raise ParseError(_("The request body is not valid JSON.")) from None
        if json_depth_exceeds(data, self.max_depth):
            raise _too_deep(self.max_depth)
        return data


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON; DRF's strict parser refuses them too.
    raise ValueError(f"{name} is not valid JSON")
