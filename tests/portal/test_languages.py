"""Which language a page is shown in, and the language picker."""

import pytest

from accounts.services import profile_update
from tests.factories import UserFactory


@pytest.fixture
def site(db):
    from django.core.management import call_command

    call_command("setup_site", verbosity=0)


def test_first_visit_follows_the_browser_language(client, site):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")
    assert response.status_code == 302 and response["Location"] == "/ar/"
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]
    response = client.get("/stories/?q=x", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response["Location"] == "/zh-hans/stories/?q=x"


def test_english_browsers_stay_unprefixed(client, site):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB").status_code == 200


def test_a_chosen_language_beats_the_browser(client, site):
    client.cookies["django_language"] = "en"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ar").status_code == 200
    client.cookies["django_language"] = "es"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Location"] == "/es/"


def test_signed_in_people_get_their_saved_language(client, site):
    user = UserFactory()
    profile_update(actor=user, profile=user.profile, language="ru")
    client.force_login(user)
    response = client.get("/accounts/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Location"] == "/ru/accounts/"
    # The cookie follows, so the choice holds after signing out too.
    assert response.cookies["django_language"].value == "ru"
    assert client.get("/ru/accounts/").status_code == 200


def test_prefixed_pages_are_never_redirected(client, site):
    response = client.get("/fr/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 200
    assert '<html lang="fr" dir="ltr"' in response.content.decode()


def test_arabic_pages_are_right_to_left(client, site):
    html = client.get("/ar/accounts/login/").content.decode()
    assert '<html lang="ar" dir="rtl"' in html


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/admin/login/", "/cms-admin/"])
def test_api_and_admin_paths_are_not_prefixed(client, site, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="ar")
    assert not response.get("Location", "").startswith(f"/ar{path}")
    if response.status_code == 302:  # the admins' sign-in: ours, in Arabic
        assert response["Location"].startswith("/ar/accounts/login/")


def test_api_still_answers_in_the_accept_language(client, db, api, outsider):
    response = api(outsider).post(
        "/api/v1/memberships/", {}, format="json", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 400
    assert "Este campo es necesario." in str(response.json())


def test_picker_saves_the_choice_and_returns_to_the_same_page(client, site):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/i18n/setlang/", {"language": "ar", "next": "/accounts/tokens/"}
    )
    assert response["Location"] == "/ar/accounts/tokens/"
    assert response.cookies["django_language"].value == "ar"
    user.profile.refresh_from_db()
    assert user.profile.language == "ar"
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/ar/accounts/tokens/"}
    )
    assert response["Location"] == "/accounts/tokens/"


def test_picker_for_visitors_uses_a_cookie_and_refuses_other_sites(client, site):
    response = client.post(
        "/i18n/setlang/", {"language": "de", "next": "https://evil.example.org/"}
    )
    assert response["Location"] == "/de/"
    assert response.cookies["django_language"].value == "de"
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert "django_language" not in response.cookies


def test_picker_on_a_story_goes_to_its_translation_or_the_home_page(client, site):
    from wagtail.models import Locale, Page

    english_home = Page.objects.get(depth=2, locale__language_code="en")
    arabic_home = english_home.get_translation(Locale.objects.get(language_code="ar"))
    response = client.post(
        "/i18n/setlang/", {"language": "ar", "next": "/", "page": english_home.pk}
    )
    assert response["Location"] == arabic_home.url == "/ar/"


@pytest.mark.parametrize(
    "prefix,decimal,thousands,grouping",
    [("", ".", ",", "3"), ("/fr", ",", "\xa0", "3"), ("/ar", ",", ".", "0")],
)
def test_pages_carry_their_number_format_for_amounts_computed_in_the_browser(
    client, site, prefix, decimal, thousands, grouping
):
    """The budget and report editors total amounts as you type (portal.js
    portalFormatNumber): in the same format as the amounts the server renders."""
    html = client.get(f"{prefix}/accounts/login/").content.decode()
    assert (
        f'data-decimal-separator="{decimal}" data-thousand-separator="{thousands}" '
        f'data-number-grouping="{grouping}"'
    ) in html
