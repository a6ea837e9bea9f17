"""Record versions, for the API's ETag/If-Match and the pages' hidden version field.

Every audited save writes a history row, so the newest history id of a record and of
its nested rows (`audited_querysets`: a proposal's budget lines and targets, a
report's results and spending) changes on every save. That is the record's version.

A write that says which version it was based on is checked after the record's row is
locked, inside the request's transaction: if the record changed meanwhile, it is
refused with `StaleRecord` (412 in the API; the page shows the message and the
form again) and nothing changes. Two people editing the same draft therefore never
overwrite each other unknowingly.
"""

import hashlib

from django.db.models import Max

from .exceptions import StaleRecord


def audited_querysets(obj) -> list:
    """The history querysets that make up a record (its own and its nested rows')."""
    method = getattr(obj, "audited_querysets", None)
    return method() if method else [obj.history.all()]


def version_of(querysets) -> str:
    """A short digest of the newest history id of each queryset."""
    newest = [
        str(qs.aggregate(newest=Max("history_id"))["newest"] or 0) for qs in querysets
    ]
    return hashlib.sha256(":".join(newest).encode()).hexdigest()[:24]


def record_version(obj) -> str:
    return version_of(audited_querysets(obj))


def check_version(obj, expected: str, *, version=record_version) -> None:
    """Lock the record's row (waiting for anyone writing it now), then refuse with
    `StaleRecord` unless its version is still `expected`. Call inside the request's
    transaction, before the service."""
    list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk))
    if expected.strip('"') != version(obj):
        raise StaleRecord
