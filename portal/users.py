"""How people are shown: by display name only, never by e-mail address."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

User = get_user_model()


def display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_display_name(self, user) -> str:
        return display_name(user)
