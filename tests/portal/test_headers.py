"""Every kind of page the portal serves carries the security headers and a CSP that
allows no inline or evaluated script."""

import re

import pytest
from django.test import override_settings

from cms.site import setup_site
from tests.factories import StaffFactory, with_two_factor


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_safe_headers(response):
    policy = directives(response)
    assert policy["script-src"] == ["'self'"], policy
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    header = response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in header
    for name in ("script-src", "default-src", "script-src-elem", "script-src-attr"):
        assert "'unsafe-inline'" not in policy.get(name, [])
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.fixture
def site(db):
    setup_site()


@pytest.mark.parametrize(
    "path",
    [
        "/",  # Wagtail home page
        "/ar/stories/",  # story index
        "/stories/feed/",  # Atom feed
        "/admin/login/",  # Django admin
        "/cms-admin/login/",  # Wagtail admin
        "/api/v1/docs/",  # Swagger UI
        "/api/v1/docs/?script=",  # its set-up script, served as a file
        "/api/v1/schema/",
        "/api/v1/stories/",  # JSON
        "/api/v1/proposals/",  # JSON 401/403
        "/api/v1/no-such-thing/",  # 404
        "/no-such-page/",  # Wagtail 404
    ],
)
def test_every_kind_of_page_has_the_security_headers(client, site, path):
    response = client.get(path)
    assert response.status_code < 500
    assert_safe_headers(response)


def test_signed_in_admin_pages_have_the_security_headers(client, site):
    client.force_login(
        with_two_factor_user(StaffFactory(username="root", is_superuser=True))
    )
    paths = ("/admin/", "/admin/grants/proposal/", "/cms-admin/", "/cms-admin/pages/")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_safe_headers(response)


def test_site_pages_allow_only_their_own_inline_style(client, site):
    response = client.get("/")
    style = directives(response)["style-src"]
    assert "'unsafe-inline'" not in style
    page = response.content.decode()
    nonces = [s[len("'nonce-") : -1] for s in style if s.startswith("'nonce-")]
    # Styles come from the stylesheet; any inline <style> must carry the nonce.
    for tag in re.findall(r"<style[^>]*>", page):
        assert any(f'nonce="{nonce}"' in tag for nonce in nonces), tag
    assert " style=" not in page
    assert directives(response)["frame-ancestors"] == ["'self'"]


def test_the_docs_load_their_set_up_script_from_a_file(client, db):
    page = client.get("/api/v1/docs/").content.decode()
    assert 'src="/api/v1/docs/?script=' in page or "?script=" in page
    assert "<script>" not in page


def test_wagtail_admin_forms_carry_no_inline_script(client, site):
    """Date pickers, choosers and inline panels are set up from data blocks."""
    from cms.models import LearningStoryIndexPage

    client.force_login(
        with_two_factor_user(StaffFactory(username="root", is_superuser=True))
    )
    index = LearningStoryIndexPage.objects.get(locale__language_code="en")
    page = client.get(
        f"/cms-admin/pages/add/cms/learningstorypage/{index.pk}/"
    ).content.decode()
    assert 'data-portal-init="initDateChooser"' in page
    assert 'data-portal-init="ImageChooser"' in page
    assert "portal/admin-init.js" in page
    inline = [
        m
        for m in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
        if "application/json" not in m
    ]
    assert inline == []
    workflow = client.get("/cms-admin/workflows/add/").content.decode()
    assert 'data-portal-init="InlinePanel"' in workflow


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
)
def test_https_responses_carry_hsts_as_in_production(client, site):
    response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


def with_two_factor_user(user):
    with_two_factor(user)  # staff open the admins only with two-factor set up
    return user
