"""A visitor browses funded grants with a filter and opens one; a signed-in person
asks to join an affiliate, its admin approves, and the person sees the outcome on
their home page. In English and in Arabic, at phone and desktop size, axe on every
page."""

import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from affiliates.choices import MembershipRole
from grants.choices import ProposalStatus
from tests.browser.conftest import sign_in, sign_out, switch_language
from tests.factories import (
    AffiliateFactory,
    MembershipFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
)


def verified(username):
    user = UserFactory(username=username, email=f"{username}@example.org")
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user


def world():
    ghana = AffiliateFactory(name="Volta Editors", slug="volta-editors")
    andes = AffiliateFactory(
        name="Andes Wikimedians", slug="andes", country="BO", region="lac"
    )
    MembershipFactory(user=verified("lina"), affiliate=ghana, role=MembershipRole.ADMIN)
    verified("mara")
    round_ = RoundFactory()
    for affiliate, title in ((ghana, "Oral histories"), (andes, "Talleres en El Alto")):
        ProposalFactory(
            affiliate=affiliate,
            round=round_,
            program=round_.program,
            title=title,
            status=ProposalStatus.FUNDED,
            amount_approved=Decimal("25000"),
            decided_at=timezone.now(),
        )
    return ghana


def go(page, prefix, path):
    page.goto(prefix + path)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_browse_funded_grants_then_join_and_be_approved(page, axe, shot, language):
    world()
    prefix = "" if language == "en" else f"/{language}"

    # A visitor: the funded grants, filtered by region, then one grant.
    page.goto("/grants/funded/")
    if language != "en":
        switch_language(page, language)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("table.data-table tbody tr").count() == 2
    axe(page)
    shot(page, "funded")
    page.locator("select[name=region]").select_option("ssa")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"region=ssa"))
    assert page.locator("table.data-table tbody tr").count() == 1
    axe(page)
    shot(page, "funded-filtered")
    page.get_by_role("link", name="Oral histories").click()
    page.wait_for_url(re.compile(r"/grants/funded/\d+/$"))
    assert page.locator("h1").inner_text() == "Oral histories"
    axe(page)
    shot(page, "grant")

    # A signed-in person asks to join.
    sign_in(page, "mara")
    go(page, prefix, "/affiliates/")
    axe(page)
    shot(page, "directory")
    go(page, prefix, "/affiliates/volta-editors/")
    axe(page)
    shot(page, "profile-before")
    page.locator("[data-join-form] textarea").fill("I record oral histories in Ho.")
    page.locator("[data-join-form] button[type=submit]").click()
    page.locator("[data-join-pending]").wait_for()
    axe(page)
    shot(page, "profile-waiting")
    go(page, prefix, "/home/")
    assert page.locator("[data-home-my-requests] [data-status=pending]").count() == 1
    sign_out(page)

    # The affiliate's admin approves, after confirming.
    sign_in(page, "lina")
    go(page, prefix, "/home/")
    page.locator("[data-home-requests]").wait_for()
    axe(page)
    shot(page, "admin-home")
    go(page, prefix, "/affiliates/volta-editors/requests/")
    axe(page)
    shot(page, "requests")
    page.locator("[data-request] form").first.locator("button[type=submit]").click()
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    shot(page, "confirm")
    dialog.locator("[data-confirm-accept]").click()
    page.locator(".empty-state").wait_for()
    assert page.locator("[data-request]").count() == 0
    axe(page)
    shot(page, "requests-answered")
    sign_out(page)

    # The person sees the outcome on their home page.
    sign_in(page, "mara")
    go(page, prefix, "/home/")
    page.locator("[data-home-my-requests] [data-status=active]").wait_for()
    assert page.locator("html").get_attribute("lang") == language
    axe(page)
    shot(page, "home-approved")
