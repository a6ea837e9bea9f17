"""Record versions: an `ETag` on every record, `If-Match` against lost updates.

Every audited save writes a history row, so the newest history id of a record and of
its nested rows (a proposal's budget lines and targets, a report's results and
spending: `HistoryMixin.get_history_querysets`) changes on every save. That is the
record's version, sent as the `ETag` of each detail response.

A `PATCH`, `PUT`, `DELETE` or state-change `POST` that sends `If-Match` is checked
after the record's row is locked, inside the request's transaction: if the record
changed since the client read it, the answer is 412 and nothing changes. Two people
editing the same draft therefore cannot overwrite each other unknowingly; the pages
always send it, API clients should.
"""

import hashlib

from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.permissions import SAFE_METHODS

RECORD_ACTIONS = frozenset({"retrieve", "update", "partial_update"})


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _(
        "Someone changed this record after you loaded it. Load it again to see "
        "their changes, then make yours."
    )
    default_code = "precondition_failed"


def version_of(querysets) -> str:
    """A short digest of the newest history id of each queryset."""
    newest = [
        str(qs.aggregate(newest=Max("history_id"))["newest"] or 0) for qs in querysets
    ]
    return hashlib.sha256(":".join(newest).encode()).hexdigest()[:24]


def etag_matches(header: str, etag: str) -> bool:
    candidates = [part.strip() for part in header.split(",")]
    return "*" in candidates or etag in candidates or f"W/{etag}" in candidates


class VersionedMixin:
    """ETag on record responses; If-Match checked on writes (see the module)."""

    def record_version(self, obj) -> str:
        history = getattr(self, "get_history_querysets", None)
        return version_of(history(obj) if history else [obj.history.all()])

    def etag(self, obj) -> str:
        return f'"{self.record_version(obj)}"'

    def get_object(self):
        obj = super().get_object()
        self.versioned_object = obj
        expected = self.request.headers.get("If-Match")
        if self.request.method not in SAFE_METHODS and expected is not None:
            # Wait for anyone writing this record now, then compare versions.
            list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk))
            if not etag_matches(expected, self.etag(obj)):
                raise PreconditionFailed
        return obj

    def returns_record(self) -> None:
        """Called by code paths whose response is the record itself."""
        self.record_in_response = True

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        obj = getattr(self, "versioned_object", None)
        record = getattr(self, "action", None) in RECORD_ACTIONS or getattr(
            self, "record_in_response", False
        )
        if obj is not None and record and 200 <= response.status_code < 300:
            obj = type(obj)._default_manager.filter(pk=obj.pk).first()
            if obj is not None:
                response["ETag"] = self.etag(obj)
        return response
