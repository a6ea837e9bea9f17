"""People with verified addresses: notification e-mails go to those only."""

import pytest
from allauth.account.models import EmailAddress

from accounts.services import profile_for


def with_address(user, language: str = ""):
    """Give the user a verified primary address (and a preferred language)."""
    if not user.email:
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    if language:
        profile = profile_for(user)
        profile.language = language
        profile.save(update_fields=["language"])
    return user


@pytest.fixture
def addressed():
    return with_address
