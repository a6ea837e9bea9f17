"""Two-factor authentication is required of staff, committee members and editors."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from accounts.permissions import must_use_two_factor
from grants.models import Committee, CommitteeMember
from tests.factories import StaffFactory, UserFactory, with_two_factor

SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture
def committee_member(db):
    user = UserFactory(username="seat")
    committee = Committee.objects.create(name="Rapid Fund committee", quorum=1)
    CommitteeMember.objects.create(committee=committee, user=user)
    return user


@pytest.fixture
def editor(db):
    from cms.site import EDITORIAL_BOARD

    user = UserFactory(username="board")
    user.groups.add(Group.objects.get_or_create(name=EDITORIAL_BOARD)[0])
    return user


def test_who_must_use_two_factor(db, committee_member, editor):
    assert must_use_two_factor(StaffFactory())
    assert must_use_two_factor(committee_member)
    assert must_use_two_factor(editor)
    assert not must_use_two_factor(UserFactory())
    seat = committee_member.committee_seats.get()
    seat.is_active = False
    seat.save()
    committee_member = type(committee_member).objects.get(pk=committee_member.pk)
    assert not must_use_two_factor(committee_member)


@pytest.mark.parametrize("role", ["staff", "committee_member", "editor"])
@pytest.mark.parametrize("path", ["/accounts/", "/admin/", "/cms-admin/", "/"])
def test_required_roles_are_sent_to_set_up_two_factor(
    client, request, role, path, committee_member, editor
):
    user = StaffFactory() if role == "staff" else request.getfixturevalue(role)
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP + "?next=")


def test_required_roles_keep_the_pages_needed_to_set_it_up(client, db):
    client.force_login(StaffFactory())
    for path in ["/accounts/2fa/", "/accounts/email/", "/accounts/password/change/"]:
        assert client.get(path).status_code == 200, path
    assert client.post("/accounts/logout/").status_code == 302


def test_session_api_calls_are_refused_until_set_up(client, db):
    client.force_login(StaffFactory())
    response = client.get("/api/v1/affiliates/")
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_with_two_factor_every_page_opens(client, db):
    staff = StaffFactory(is_superuser=True)
    with_two_factor(staff)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/accounts/").status_code == 200
    assert client.get("/api/v1/affiliates/").status_code == 200


def test_two_factor_stays_optional_for_everyone_else(client, db):
    client.force_login(UserFactory())
    assert client.get("/accounts/").status_code == 200


@pytest.mark.parametrize(
    ("path", "next_url"),
    [
        ("/admin/login/?next=/admin/grants/", "/admin/grants/"),
        ("/admin/login/", "/admin/"),
        ("/cms-admin/login/", "/cms-admin/"),
        ("/admin/login/?next=https://evil.example.org/", "/admin/"),
    ],
)
def test_admin_sign_in_pages_send_people_to_the_portal_sign_in(
    client, db, path, next_url
):
    from urllib.parse import quote

    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(next_url, safe='')}"


def test_signing_in_with_two_factor_asks_for_a_code(client, db):
    import pyotp
    from allauth.account.models import EmailAddress

    staff = StaffFactory(username="officer2")
    EmailAddress.objects.create(
        user=staff, email=staff.email, verified=True, primary=True
    )
    secret = with_two_factor(staff)
    response = client.post(
        "/accounts/login/", {"login": "officer2", "password": "pass-for-tests"}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/accounts/").status_code == 302  # not signed in yet
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_demo_data_gives_two_factor_and_verified_addresses(db):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model

    call_command("load_demo_data", verbosity=0)
    users = get_user_model().objects.all()
    assert all(
        EmailAddress.objects.filter(user=u, verified=True, primary=True).exists()
        for u in users
    )
    needing = {u.username for u in users if must_use_two_factor(u)}
    assert needing == {"officer", "editor", "reviewer", "amir", "sofia"}
    with_totp = set(
        Authenticator.objects.filter(type=Authenticator.Type.TOTP).values_list(
            "user__username", flat=True
        )
    )
    assert with_totp == needing


@override_settings(PORTAL_DEMO_DATA_ALLOWED=False)
def test_demo_data_refuses_production_settings(db):
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo_data", verbosity=0)
