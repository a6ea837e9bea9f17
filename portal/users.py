"""How people are shown: by the public name they chose (their username by default),
never by their legal name or e-mail address, which only staff and the admins of
their own affiliates see (affiliates/readers.py)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

User = get_user_model()

# Add to select_related() wherever users are listed: `display_name` reads the profile.
PROFILE = "profile"


def display_name(user) -> str:
    """The person's public name: the one they chose, else their username."""
    if user is None:
        return ""
    try:
        chosen = (user.profile.public_name or "").strip()
    except ObjectDoesNotExist:
        chosen = ""
    return chosen or user.get_username()


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_display_name(self, user) -> str:
        return display_name(user)
