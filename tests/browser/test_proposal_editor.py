"""The proposal editor in Chromium: an affiliate admin writes a proposal over two
visits, with a live budget table, checks the answers, submits it and reads its history;
in English and in Arabic, at phone and desktop size. And nothing typed is lost when the
connection drops."""

import datetime
import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from affiliates.choices import MembershipRole
from grants.choices import ProposalStatus
from grants.models import Proposal
from tests.browser.conftest import sign_in, sign_out, switch_language
from tests.browser.proposal_steps import fill_basics, fill_line, start_proposal
from tests.factories import (
    AffiliateFactory,
    FundProgramFactory,
    MembershipFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
)


def world():
    """An affiliate admin (like the demo's), an open round, an earlier proposal."""
    affiliate = AffiliateFactory(name="Volta Open Knowledge", slug="volta")
    user = UserFactory(username="kwame", email="kwame@example.org")
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    user.profile.public_name = "Kwame A."
    user.profile.save()
    MembershipFactory(user=user, affiliate=affiliate, role=MembershipRole.ADMIN)
    program = FundProgramFactory(name="Rapid Fund")
    round_ = RoundFactory(program=program, name="Spring round")
    old_round = RoundFactory(
        program=program,
        name="Last year",
        opens_on=timezone.localdate() - datetime.timedelta(400),
        closes_on=timezone.localdate() - datetime.timedelta(380),
    )
    ProposalFactory(
        affiliate=affiliate,
        round=old_round,
        title="Wiki Loves Rivers 2025",
        status=ProposalStatus.CLOSED,
    )
    return user, affiliate, round_


def go(page, path, lang):
    page.goto(path if lang == "en" else f"/{lang}{path}")


def click_save(page, value="next"):
    with page.expect_navigation():
        page.locator(f"button[name=go][value={value}]").click()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_write_a_proposal_over_two_visits_and_submit(page, lang, shot, axe):
    user, affiliate, round_ = world()
    sign_in(page, "kwame")
    page.goto("/grants/proposals/")
    if lang != "en":
        switch_language(page, lang)
        page.wait_for_url(re.compile(rf"/{lang}/grants/proposals/$"))
    page.locator("h1").wait_for()
    axe(page)
    shot(page, "list")
    page.locator(".site-main a.button[href*='/proposals/new/']").click()
    page.wait_for_url(re.compile(r"/proposals/new/$"))
    assert "Wiki Loves Rivers 2025" in page.content()  # start from an earlier one
    axe(page)
    shot(page, "new")
    start_proposal(page, round_.pk, "Wiki Loves Rivers 2026")
    proposal = Proposal.objects.get(title="Wiki Loves Rivers 2026")

    # Basics, then sign out (first visit ends).
    fill_basics(page, "Photo walks along three rivers.")
    axe(page)
    shot(page, "basics")
    click_save(page)
    page.wait_for_url(re.compile(r"/edit/plan/$"))
    sign_out(page)

    # Second visit: continue where we stopped.
    sign_in(page, "kwame")
    go(page, f"/grants/proposals/{proposal.pk}/", lang)
    page.locator(f"a[href$='/proposals/{proposal.pk}/edit/basics/']").first.click()
    page.wait_for_url(re.compile(r"/edit/basics/$"))
    assert page.locator("textarea[name=summary]").input_value() == (
        "Photo walks along three rivers."
    )
    page.locator(f"a[href$='/proposals/{proposal.pk}/edit/plan/']").click()
    page.wait_for_url(re.compile(r"/edit/plan/$"))
    page.locator("textarea[name=description]").fill(
        "Three photo walks, an upload workshop and a jury."
    )
    page.locator("#autosave-status[data-autosave-state=saved]").wait_for()
    axe(page)
    shot(page, "plan")
    click_save(page)
    page.wait_for_url(re.compile(r"/edit/budget/$"))

    # Budget: three lines (add, remove, reorder), totals live.
    rows = page.locator("[data-budget-body] [data-budget-row]")
    fill_line(page, 0, "Photo walks", "3", "1500")
    expect_text(page, "[data-grand-local]", "4,500.00 GHS")
    add = page.locator("button[name=row_action][value=add]")
    add.click()
    fill_line(page, 1, "Mistake", "1", "99")
    add.click()
    fill_line(page, 2, "Upload workshop", "2", "2500")
    add.click()
    fill_line(page, 3, "Jury prizes", "1", "3000")
    assert rows.count() == 4
    rows.nth(1).locator("button[value^=remove]").click()
    assert rows.count() == 3
    expect_text(page, "[data-grand-local]", "12,500.00 GHS")
    expect_text(page, "[data-grand-usd]", "1,000.00 USD")
    rows.nth(2).locator("button[value^=up]").click()  # Jury prizes before the workshop
    assert (
        rows.nth(1).locator("input[name=lines-1-activity]").input_value()
        == "Jury prizes"
    )
    expect_text(page, "[data-line-total]", "4,500.00")
    axe(page)
    shot(page, "budget")
    click_save(page)
    page.wait_for_url(re.compile(r"/edit/targets/$"))
    assert [li.activity for li in proposal.budget_lines.all()] == [
        "Photo walks",
        "Jury prizes",
        "Upload workshop",
    ]
    proposal.refresh_from_db()
    assert proposal.amount_requested == Decimal("12500.00")

    # Targets.
    page.locator("select[name=targets-0-kind]").select_option("participants")
    page.locator("input[name=targets-0-target]").fill("60")
    axe(page)
    shot(page, "targets")
    click_save(page)
    page.wait_for_url(re.compile(r"/edit/review/$"))

    # Check your answers, then submit (confirm dialog).
    assert page.locator("a[href$='/edit/budget/']").count() >= 2
    axe(page)
    shot(page, "review")
    page.locator("form[action$='/do/submit/'] button[type=submit]").click()
    page.locator("#confirm-dialog[open]").wait_for()
    shot(page, "confirm")
    with page.expect_navigation():
        page.locator("#confirm-dialog [data-confirm-accept]").click()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    page.locator(".badge[data-status=submitted]").wait_for()
    axe(page)
    shot(page, "proposal")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED

    # History: who changed what, by public name.
    page.locator(f"a[href$='/proposals/{proposal.pk}/history/']").click()
    page.wait_for_url(re.compile(r"/history/$"))
    assert "Kwame A." in page.locator("main").inner_text()
    axe(page)
    shot(page, "history")


def expect_text(page, selector, text):
    """Wait until the element shows these digits (separators vary by language)."""
    digits = re.sub(r"\D", "", text)
    page.wait_for_function(
        "([s, d]) => { const e = document.querySelector(s);"
        " return e && e.textContent.replace(/\\D/g, '').includes(d); }",
        arg=[selector, digits],
    )


def test_nothing_typed_is_lost_when_the_connection_drops(desktop_page, shot):
    page = desktop_page
    user, affiliate, round_ = world()
    proposal = ProposalFactory(affiliate=affiliate, round=round_, title="Offline draft")
    sign_in(page, "kwame")
    page.goto(f"/grants/proposals/{proposal.pk}/edit/plan/")
    area = page.locator("textarea[name=description]")

    # Offline: the save fails, the text stays, then it is saved when back online.
    page.context.set_offline(True)
    area.fill("Written on a bus with no signal.")
    page.locator("#autosave-status[data-autosave-state=local]").wait_for()
    shot(page, "offline")
    page.context.set_offline(False)
    page.locator("#autosave-status[data-autosave-state=saved]").wait_for()
    proposal.refresh_from_db()
    assert proposal.description == "Written on a bus with no signal."

    # Unsent input survives a reload (the server copy is older): restored.
    page.route("**/autosave/**", lambda route: route.abort())
    area.fill("Second paragraph not sent yet.")
    page.wait_for_function(
        "() => Object.keys(localStorage)"
        ".some(k => localStorage.getItem(k).includes('not sent yet'))"
    )
    page.reload()
    page.locator("textarea[name=description]").wait_for()
    assert page.locator("textarea[name=description]").input_value() == (
        "Second paragraph not sent yet."
    )
    page.unroute("**/autosave/**")
    page.locator("textarea[name=description]").press("End")
    page.locator("textarea[name=description]").type("!")
    page.locator("#autosave-status[data-autosave-state=saved]").wait_for()
    proposal.refresh_from_db()
    assert proposal.description == "Second paragraph not sent yet.!"
