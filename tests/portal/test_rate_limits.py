"""Rate limits: failed sign-ins lock out (every sign-in form), the API throttles."""

import logging

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import override_settings

from tests.factories import UserFactory
from tests.production_process import run_production

PASSWORD = "pass-for-tests"
# The sign-in page in two languages; /admin/login/ and /cms-admin/login/ send there.
SIGN_IN_FORMS = ["/accounts/login/", "/ar/accounts/login/"]
# allauth's own limits (5 failures an account) would stop these tests before ours.
without_allauth_limits = override_settings(ACCOUNT_RATE_LIMITS=False)


@pytest.fixture
def officer(db):
    """A member of the public with a verified address (staff would be sent on to
    set up two-factor; the limits are the same)."""
    from allauth.account.models import EmailAddress

    user = UserFactory(username="officer")
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user


def sign_in(client, path, username, password, address="198.51.100.7"):
    return client.post(
        path, {"login": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@without_allauth_limits
@pytest.mark.parametrize("path", SIGN_IN_FORMS)
def test_twelve_wrong_passwords_lock_out_the_right_one(client, officer, path, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        codes = [
            sign_in(client, path, "officer", f"guess-{n}").status_code
            for n in range(12)
        ]
    assert codes[:10] == [200] * 10  # the form again, with its error
    assert codes[10:] == [429, 429]

    response = sign_in(client, path, "officer", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    assert 0 < int(response["Retry-After"]) <= 900
    page = response.content.decode()
    if path.startswith("/ar/"):
        assert "حاول مرة أخرى بعد 15 دقيقة" in page  # in the page's language
    else:
        assert "Too many attempts" in page
        assert "Try again in 15 minutes" in page
    assert 'class="site-header' in page  # the site's layout
    # Every failure is on record with the address and the time, never the password.
    failures = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    assert len(failures) == 10
    assert all("officer" in m and "198.51.100.7" in m for m in failures)
    assert not any("guess-" in m for m in failures)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", "Trop de tentatives"),
        ("ar", "حاول مرة أخرى بعد 10 دقائق"),
        ("ru", "10 минут"),
    ],
)
def test_the_lock_out_page_is_translated(rf, db, language, words):
    """Sign-in pages have no language prefix (English); the page itself is ready."""
    from django.utils import translation

    from portal.signin import too_many_sign_ins

    with translation.override(language):
        response = too_many_sign_ins(rf.post("/admin/login/"), 600)
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert words in response.content.decode()


@without_allauth_limits
def test_one_address_trying_many_usernames_is_locked_out(client, officer):
    per_address = settings.PORTAL_SIGN_IN_LIMITS["PER_ADDRESS"]
    for n in range(per_address):
        sign_in(client, "/accounts/login/", f"someone-{n}", "guess")
    response = sign_in(client, "/accounts/login/", "officer", PASSWORD)
    assert response.status_code == 429
    # Another address may still sign in as the same user.
    response = sign_in(client, "/accounts/login/", "officer", PASSWORD, "203.0.113.9")
    assert response.status_code == 302
    assert signed_in(client)


def test_every_sign_in_path_is_refused_while_locked_out(officer, rf):
    """A form this module does not know still calls authenticate(): refused too."""
    request = rf.post("/accounts/login/", REMOTE_ADDR="198.51.100.8")
    for n in range(10):
        assert authenticate(request, username="officer", password=f"x{n}") is None
    assert authenticate(request, username="officer", password=PASSWORD) is None
    other = rf.post("/accounts/login/", REMOTE_ADDR="198.51.100.9")
    assert authenticate(other, username="officer", password=PASSWORD) is None
    assert authenticate(other, username="OFFICER ", password=PASSWORD) is None


def test_a_correct_password_before_the_limit_signs_in(client, officer):
    for n in range(3):
        sign_in(client, "/accounts/login/", "officer", f"guess-{n}")
    assert sign_in(client, "/accounts/login/", "officer", PASSWORD).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("path", ["/admin/login/", "/cms-admin/login/"])
def test_the_admins_sign_in_pages_send_to_the_one_sign_in_page(client, officer, path):
    response = sign_in(client, path, "officer", PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not signed_in(client)


def rates(**scopes):
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": scopes}
    )


def test_anonymous_api_clients_are_throttled_with_retry_after(api, db):
    with rates(anon="3/minute", user="100/minute", write="100/minute"):
        codes = [api().get("/api/v1/stories/").status_code for _ in range(4)]
        response = api().get("/api/v1/stories/", HTTP_ACCEPT_LANGUAGE="es")
    assert codes == [200, 200, 200, 429]
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Solicitud fue regulada" in response.json()["detail"]


def test_signed_in_users_have_their_own_budget(api, member_a, outsider):
    with rates(anon="1/minute", user="2/minute", write="100/minute"):
        member = [api(member_a).get("/api/v1/stories/").status_code for _ in range(3)]
        other = api(outsider).get("/api/v1/stories/").status_code
    assert member == [200, 200, 429]
    assert other == 200


def test_writes_have_a_stricter_limit(api, member_a, affiliate_a):
    with rates(anon="100/minute", user="100/minute", write="2/minute"):
        writes = [
            api(member_a)
            .post("/api/v1/memberships/", {"affiliate": affiliate_a.pk}, format="json")
            .status_code
            for _ in range(3)
        ]
        read = api(member_a).get("/api/v1/stories/").status_code
    assert writes[2] == 429
    assert 429 not in writes[:2]
    assert read == 200


def _production_cache_backend(**env) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'])"
    )
    return run_production("-c", code, **env).stdout.strip()


def test_production_counters_live_in_a_cache_every_process_shares():
    assert _production_cache_backend() == (
        "django.core.cache.backends.db.DatabaseCache"
    )
    assert _production_cache_backend(REDIS_URL="redis://127.0.0.1:6379/1") == (
        "django.core.cache.backends.redis.RedisCache"
    )
