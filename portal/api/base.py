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
    """Body of a state-change action whose reason is shown to the other side."""

    change_reason = ChangeReasonField(required=True, allow_blank=False)


def pop_reason(validated_data: dict) -> str:
    return validated_data.pop("change_reason", "") or ""
