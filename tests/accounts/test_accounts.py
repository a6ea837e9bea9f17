"""Profiles, hashed API tokens, sign-in, and the pages of the account section."""

import logging

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import ApiToken, Profile, hash_token_key
from accounts.services import api_token_create, api_token_revoke, profile_update
from tests.factories import UserFactory


def verified(user):
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user


def test_every_new_user_gets_a_profile_shown_by_username(db):
    user = UserFactory(username="ana", first_name="Ana", last_name="Legal")
    assert user.profile.display_name == "ana"
    assert user.profile.language == ""
    assert user.profile.show_affiliation is False


def test_profile_changes_are_audited_and_only_by_the_owner(db):
    ana, bo = UserFactory(), UserFactory()
    profile_update(
        actor=ana, profile=ana.profile, public_name=" Ana M. ", language="es"
    )
    ana.profile.refresh_from_db()
    assert (ana.profile.public_name, ana.profile.language) == ("Ana M.", "es")
    assert ana.profile.history.latest().history_user == ana
    with pytest.raises(PermissionDenied):
        profile_update(actor=bo, profile=ana.profile, public_name="Hacked")


def test_account_page_saves_profile_and_switches_language(client, db):
    user = verified(UserFactory())
    client.force_login(user)
    response = client.post(
        "/accounts/",
        {"public_name": "Rosa", "language": "ar", "show_affiliation": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/ar/accounts/"
    assert response.cookies["django_language"].value == "ar"
    profile = Profile.objects.get(user=user)
    assert (profile.public_name, profile.language, profile.show_affiliation) == (
        "Rosa",
        "ar",
        True,
    )


def test_account_form_errors_are_summarised_and_linked_to_fields(client, db):
    client.force_login(verified(UserFactory()))
    html = client.post("/accounts/", {"public_name": "x" * 200, "language": "xx"})
    html = html.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_public_name"' in html and 'href="#id_language"' in html
    assert 'aria-describedby="id_public_name_helptext id_public_name_error"' in html
    assert 'aria-invalid="true"' in html


def test_api_token_is_kept_only_as_a_hash_and_works_until_revoked(db):
    user = UserFactory()
    token, key = api_token_create(actor=user, user=user, name="laptop script")
    assert key.startswith("gp_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_token_key(key) and key not in stored.key_hash
    assert stored.key_prefix == key[:9]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/memberships/").status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    api_token_revoke(actor=user, token=stored)
    assert client.get("/api/v1/memberships/").status_code in {401, 403}
    assert stored.history.latest().history_user == user


def test_wrong_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token gp_not-a-real-key")
    response = client.get("/api/v1/memberships/")
    assert response.status_code in {401, 403}
    assert response.json()["detail"] == "Invalid token."


def test_nobody_creates_or_revokes_tokens_for_someone_else(db):
    ana, bo = UserFactory(), UserFactory()
    with pytest.raises(PermissionDenied):
        api_token_create(actor=bo, user=ana, name="sneaky")
    token, _key = api_token_create(actor=ana, user=ana, name="mine")
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=bo, token=token)


def test_token_page_creates_lists_and_revokes_own_tokens_only(client, db):
    ana, bo = verified(UserFactory()), UserFactory()
    other, _ = api_token_create(actor=bo, user=bo, name="bo's token")
    client.force_login(ana)
    created = client.post("/accounts/tokens/", {"name": "Report script"})
    html = created.content.decode()
    key = html.split("data-token-key")[0].rsplit('value="', 1)[1].split('"')[0]
    assert key.startswith("gp_")
    assert created["Cache-Control"] == "no-store"
    assert "bo&#x27;s token" not in html and "Report script" in html
    assert key not in client.get("/accounts/tokens/").content.decode()
    assert client.post(f"/accounts/tokens/{other.pk}/revoke/").status_code == 404
    mine = ApiToken.objects.get(user=ana)
    response = client.post(f"/accounts/tokens/{mine.pk}/revoke/")
    assert response.status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.revoked_at is not None and other.revoked_at is None


def test_token_page_answers_htmx_with_the_panel_only(client, db):
    client.force_login(verified(UserFactory()))
    response = client.post("/accounts/tokens/", {"name": ""}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith("{% load") is False
    assert 'id="tokens-panel"' in html and "<html" not in html
    assert "error-summary" in html


def test_create_api_token_command_prints_a_working_key(db, capsys):
    from django.core.management import call_command

    user = UserFactory(username="scripted")
    call_command("create_api_token", "scripted", "--name", "nightly export")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=user)
    assert token.name == "nightly export" and token.key_hash == hash_token_key(key)


def test_tokens_issued_by_drf_before_are_migrated_as_hashes(db):
    """Keys from `drf_create_token` keep working; the plain-text copies are deleted."""
    migration = __import__(
        "accounts.migrations.0002_profiles_and_hashed_tokens", fromlist=["forwards"]
    )
    user = UserFactory()
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    created_type = (
        "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            f"user_id integer NOT NULL, created {created_type} NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, %s)",
            [legacy_key, user.pk, "2025-01-02 03:04:05+00:00"],
        )
    # The migration only reads the connection and quoting from its schema editor.
    migration.forwards(apps, connection.schema_editor())
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {legacy_key}")
    assert client.get("/api/v1/memberships/").status_code == 200
    assert ApiToken.objects.get(user=user).created_at.year == 2025


@pytest.mark.parametrize("login_field", ["username", "email"])
def test_sign_in_by_username_or_email(client, db, login_field):
    user = verified(UserFactory(username="mara", email="mara@example.org"))
    response = client.post(
        "/accounts/login/",
        {"login": getattr(user, login_field), "password": "pass-for-tests"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/home/"


def test_failed_sign_in_is_logged_with_ip_and_fires_the_signal(client, db, caplog):
    from django.contrib.auth.signals import user_login_failed

    verified(UserFactory(username="mara"))
    fired = []

    def receiver(sender, credentials, request=None, **kwargs):
        fired.append(request is not None)

    user_login_failed.connect(receiver)
    try:
        with caplog.at_level(logging.WARNING, logger="portal.security"):
            response = client.post(
                "/accounts/login/",
                {"login": "mara", "password": "wrong"},
                REMOTE_ADDR="203.0.113.9",
            )
    finally:
        user_login_failed.disconnect(receiver)
    assert response.status_code == 200
    assert fired == [True]
    record = next(r for r in caplog.records if r.name == "portal.security")
    assert "ip=203.0.113.9" in record.getMessage()
    assert "at=" in record.getMessage()


def test_sign_up_needs_a_verified_email_before_signing_in(client, db, mailoutbox):
    response = client.post(
        "/es/accounts/signup/",
        {
            "email": "new@example.org",
            "username": "newperson",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newperson")
    assert user.profile.language == "es"  # the language they signed up in
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    # Not verified: signing in sends them to "check your e-mail".
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"login": "newperson", "password": "a-long-enough-passphrase"},
    )
    assert response["Location"].endswith("/accounts/confirm-email/")


def test_wikimedia_sign_in_is_off_without_credentials(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "Wikimedia" not in html
    assert "mediawiki" not in html


def test_a_person_holds_a_limited_number_of_active_tokens(db):
    from django.core.exceptions import ValidationError

    from accounts.services import api_token_create, api_token_revoke
    from portal import limits

    user = UserFactory()
    tokens = [
        api_token_create(actor=user, user=user, name=f"t{n}")[0]
        for n in range(limits.API_TOKENS_ACTIVE)
    ]
    with pytest.raises(ValidationError) as error:
        api_token_create(actor=user, user=user, name="one more")
    assert "revoke one" in str(error.value)
    api_token_revoke(actor=user, token=tokens[0])
    with pytest.raises(ValidationError) as error:  # and no more than 20 a day
        api_token_create(actor=user, user=user, name="one more")
    assert "tomorrow" in str(error.value)
