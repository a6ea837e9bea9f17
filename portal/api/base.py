"""Small pieces every API module shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

CHANGE_REASON_HELP = _(
    "Why this change is made. Kept in the audit history with your name and the time."
)


class ChangeReasonField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("write_only", True)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("help_text", CHANGE_REASON_HELP)
        super().__init__(**kwargs)


class ActionSerializer(serializers.Serializer):
    """Body of a state-change action that needs nothing but an optional reason."""

    change_reason = ChangeReasonField()


class RequiredReasonActionSerializer(serializers.Serializer):
    """Body of a state-change action whose reason is shown to the other side. The
    service refuses a missing reason (portal.audit.require_reason), with a message
    that says what the other side needs to read."""

    change_reason = ChangeReasonField()
    required_by_service = ("change_reason",)


def pop_reason(validated_data: dict) -> str:
    return validated_data.pop("change_reason", "") or ""


class ReaderFieldsMixin:
    """Leaves out of each object the fields the reader rules withhold from the reader.

    A serializer names the fields it may leave out in `omittable_fields` (they become
    optional in the schema) and asks the app's reader module in `omitted_fields`;
    it decides nothing itself. Per object, so a list that mixes one's own affiliate
    with others shows each only what its reader may see.
    """

    omittable_fields: frozenset[str] = frozenset()

    def omitted_fields(self, user, obj) -> frozenset[str]:
        raise NotImplementedError

    @property
    def reader(self):
        return getattr(self.context.get("request"), "user", None)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in self.omitted_fields(self.reader, instance):
            data.pop(name, None)
        return data
