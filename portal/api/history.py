"""`GET /api/v1/<resource>/{id}/history/`: versions with a field-level diff.

Each entry names the date, the user, the kind of change, the reason and, per field, the
old and new values. History is read-only through the API: there is no way to write,
change or delete a history row here.
"""

import datetime
import decimal
from operator import itemgetter

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied

from portal.users import UserSummarySerializer
from portal.versions import audited_querysets

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# Bookkeeping columns that say nothing a reader needs in a diff.
UNTRACKED_FIELDS = {"id", "updated_at"}


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _tracked_fields(record) -> list[models.Field]:
    return [
        f
        for f in record._meta.concrete_fields
        if not f.name.startswith("history_") and f.name not in UNTRACKED_FIELDS
    ]


def _values(record, fields) -> dict:
    return {f.name: _plain(getattr(record, f.attname)) for f in fields}


def history_entries(querysets, model_labels=None) -> list[dict]:
    """Build diffed entries, newest first, from one or more historical querysets.

    One query per queryset, whatever the number of versions: the previous version of
    each record is taken from the rows already fetched.
    """
    entries = []
    for qs in querysets:
        records = list(
            qs.select_related("history_user__profile").order_by(
                "history_date", "history_id"
            )
        )
        if not records:
            continue
        fields = _tracked_fields(records[0])
        model_label = (model_labels or {}).get(qs.model, None) or (
            records[0].instance_type._meta.model_name
        )
        previous: dict = {}
        for record in records:
            current = _values(record, fields)
            before = previous.get(record.id)
            if record.history_type == "-":
                old, new = (before or current), {}
            else:
                old, new = (before or {}), current
            changes = [
                {"field": name, "old": old.get(name), "new": new.get(name)}
                for name in (f.name for f in fields)
                if old.get(name) != new.get(name)
            ]
            previous[record.id] = current
            reason = record.history_change_reason or ""
            if record.history_type == "~" and not changes and not reason:
                continue  # a save that changed nothing and said nothing
            entries.append(
                {
                    "history_id": record.history_id,
                    "model": model_label,
                    "object_id": record.id,
                    "date": record.history_date,
                    "user": record.history_user,
                    "type": HISTORY_TYPES[record.history_type],
                    "reason": reason,
                    "changes": changes,
                }
            )
    entries.sort(key=itemgetter("date", "history_id"), reverse=True)
    return entries


@extend_schema_field(OpenApiTypes.ANY)
class AnyValueField(serializers.Field):
    def to_representation(self, value):
        return value


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = AnyValueField(allow_null=True)
    new = AnyValueField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    model = serializers.CharField(help_text="Which kind of record changed.")
    object_id = serializers.IntegerField()
    date = serializers.DateTimeField()
    user = UserSummarySerializer(allow_null=True)
    type = serializers.ChoiceField(choices=sorted(HISTORY_TYPES.values()))
    reason = serializers.CharField(allow_blank=True)
    changes = FieldChangeSerializer(many=True)


class HistoryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HistoryEntrySerializer(many=True)


class HistoryMixin:
    """Adds the `history` action to a ViewSet.

    `history_permission(user, obj)` decides who may read an object's history; the
    object itself is fetched through the ViewSet's scoped queryset first, so anyone who
    cannot see the object gets a 404 before any history is read.
    """

    history_permission = None

    def get_history_querysets(self, obj):
        return audited_querysets(obj)

    @extend_schema(
        responses=HistoryPageSerializer,
        parameters=[
            OpenApiParameter("page", int, description="Page number."),
            OpenApiParameter("page_size", int, description="Entries per page (≤200)."),
        ],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, *args, **kwargs):
        """Every version of this record, newest first, with a field-level diff."""
        obj = self.get_object()
        if not type(self).history_permission(request.user, obj):
            raise PermissionDenied
        entries = history_entries(self.get_history_querysets(obj))
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)
