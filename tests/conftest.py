"""Fixtures: the cast of the permission matrix, and API clients for each of them."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from affiliates.choices import MembershipRole, MembershipStatus
from tests.factories import (
    AffiliateFactory,
    MembershipFactory,
    StaffFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language, whatever the last request used."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def affiliate_a(db):
    return AffiliateFactory(name="Wikimedia Ghana Test", slug="ghana")


@pytest.fixture
def affiliate_b(db):
    return AffiliateFactory(
        name="Wikimedistas de Prueba", slug="prueba", country="MX", region="lac"
    )


@pytest.fixture
def staff(db):
    return StaffFactory(username="staff")


@pytest.fixture
def admin_a(affiliate_a):
    return MembershipFactory(
        user=UserFactory(username="admin_a"),
        affiliate=affiliate_a,
        role=MembershipRole.ADMIN,
    ).user


@pytest.fixture
def member_a(affiliate_a):
    return MembershipFactory(
        user=UserFactory(username="member_a"), affiliate=affiliate_a
    ).user


@pytest.fixture
def pending_a(affiliate_a):
    return MembershipFactory(
        user=UserFactory(username="pending_a"),
        affiliate=affiliate_a,
        status=MembershipStatus.PENDING,
    ).user


@pytest.fixture
def member_b(affiliate_b):
    return MembershipFactory(
        user=UserFactory(username="member_b"), affiliate=affiliate_b
    ).user


@pytest.fixture
def admin_b(affiliate_b):
    return MembershipFactory(
        user=UserFactory(username="admin_b"),
        affiliate=affiliate_b,
        role=MembershipRole.ADMIN,
    ).user


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


class FreshUserClient(APIClient):
    """Authenticates each request with a freshly loaded user, as a real request is.

    The permission helpers remember memberships on the user object for the length of
    one request; reusing one object across requests would hide changes between them.
    """

    def __init__(self, user=None):
        super().__init__()
        self.user_pk = getattr(user, "pk", None)

    def request(self, **kwargs):
        if self.user_pk is not None:
            self.force_authenticate(get_user_model().objects.get(pk=self.user_pk))
        return super().request(**kwargs)


def client_for(user=None) -> APIClient:
    return FreshUserClient(user)


@pytest.fixture
def api():
    """`api(user)` gives a client signed in as `user` (or anonymous with None)."""
    return client_for


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate and sign-in counters start from zero in every test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
