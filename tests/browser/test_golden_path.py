"""The affiliate's golden path, end to end in Chromium, as a newcomer lives it:
sign up and verify the e-mail address, ask to join an affiliate, be approved (and made
an admin), write a proposal with a budget over two visits, submit it, read its history;
later, once the grant is funded, file the grant report. Once in English and once in
Arabic at desktop size, and once in English on a phone. axe on every page; a screenshot
of every step (artifacts/screenshots/)."""

import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress

from affiliates.choices import MembershipRole, MembershipStatus
from affiliates.models import Membership
from grants.choices import GrantReportStatus, ProposalStatus
from grants.models import GrantReport, Proposal
from grants.services import proposals as proposal_services
from tests.browser.conftest import _new_page, sign_in, sign_out, switch_language
from tests.browser.proposal_steps import fill_basics, fill_line, start_proposal
from tests.factories import (
    AffiliateFactory,
    FundProgramFactory,
    MembershipFactory,
    RoundFactory,
    UserFactory,
)

PASSPHRASE = "rivers-and-photographs-2026"


def world():
    affiliate = AffiliateFactory(name="Volta Open Knowledge", slug="volta")
    admin = UserFactory(username="kofi", email="kofi@example.org")
    EmailAddress.objects.create(
        user=admin, email=admin.email, verified=True, primary=True
    )
    MembershipFactory(user=admin, affiliate=affiliate, role=MembershipRole.ADMIN)
    staff = UserFactory(username="officer", is_staff=True)
    round_ = RoundFactory(program=FundProgramFactory(name="Rapid Fund"), name="Spring")
    return affiliate, staff, round_


@pytest.fixture(params=[("en", "desktop"), ("ar", "desktop"), ("en", "phone")])
def journey(request, browser, live_server):
    language, size = request.param
    context, page = _new_page(browser, size, live_server)
    yield page, language
    context.close()
    assert not page.portal_js_errors, page.portal_js_errors


def test_affiliate_golden_path(journey, axe, shot, mailoutbox):
    page, lang = journey
    # Whole pages on a busy machine: allow for a slow answer, never sleep.
    page.set_default_navigation_timeout(30_000)
    affiliate, staff, round_ = world()
    prefix = "" if lang == "en" else f"/{lang}"

    def visit(path):
        page.goto(prefix + path)
        page.locator("h1").first.wait_for()

    def look(name):
        assert page.locator("html").get_attribute("lang") == lang
        axe(page)
        shot(page, name)

    def confirm():
        dialog = page.locator("#confirm-dialog")
        dialog.wait_for(state="visible")
        dialog.locator("[data-confirm-accept]").click()

    # 1. Sign up in their language and verify the e-mail address.
    page.goto("/accounts/signup/")
    if lang != "en":
        switch_language(page, lang)
        page.wait_for_url(re.compile(rf"/{lang}/accounts/signup/$"))
    look("signup")
    page.locator("input[name=email]").fill("ama@example.org")
    page.locator("input[name=username]").fill("ama")
    page.locator("input[name=password1]").fill(PASSPHRASE)
    page.locator("input[name=password2]").fill(PASSPHRASE)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    look("verification-sent")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[-1].body)
    page.goto(link.group(0))
    look("confirm-email")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"{prefix}/home/$"))
    look("home-new")

    # 2. Find the affiliate and ask to join.
    visit("/affiliates/")
    look("directory")
    page.locator(f"a[href$='/affiliates/{affiliate.slug}/']").first.click()
    page.locator("[data-join-form]").wait_for()
    look("profile")
    page.locator("[data-join-form] textarea").fill("I photograph rivers near Ho.")
    page.locator("[data-join-form] button[type=submit]").click()
    page.locator("[data-join-pending]").wait_for()
    look("join-waiting")
    sign_out(page)

    # 3. The admin approves the request and makes the newcomer an admin too.
    sign_in(page, "kofi")
    visit(f"/affiliates/{affiliate.slug}/requests/")
    look("requests")
    page.locator("[data-request] form").first.locator("button[type=submit]").click()
    confirm()
    page.locator(".empty-state").wait_for()
    newcomer = Membership.objects.get(user__username="ama")
    assert newcomer.status == MembershipStatus.ACTIVE
    visit(f"/affiliates/{affiliate.slug}/members/")
    page.locator(f"#member-{newcomer.pk}-role").select_option(MembershipRole.ADMIN)
    page.locator(f"form[action$='/memberships/{newcomer.pk}/role/'] button").click()
    confirm()
    page.locator(".message--success").wait_for()
    look("members")
    sign_out(page)

    # 4. First visit: a new proposal, the basics, then away.
    sign_in(page, "ama", PASSPHRASE)
    assert "/home/" in page.url and (lang == "en" or f"/{lang}/" in page.url)
    page.locator("[data-home-my-requests] [data-status=active]").wait_for()
    look("home-member")
    visit("/grants/proposals/")
    look("proposals-empty")
    page.locator(".site-main a.button[href*='/proposals/new/']").click()
    page.wait_for_url(re.compile(r"/proposals/new/"))
    look("proposal-new")
    start_proposal(page, round_.pk, "Wiki Loves Rivers 2027")
    proposal = Proposal.objects.get(title="Wiki Loves Rivers 2027")
    fill_basics(page, "Photo walks along three rivers.")
    look("editor-basics")
    page.locator("button[name=go][value=next]").click()
    page.wait_for_url(re.compile(r"/edit/plan/$"))
    sign_out(page)

    # 5. Second visit: the draft is on the home page; plan, budget, targets, submit.
    sign_in(page, "ama", PASSPHRASE)
    page.locator(f"a[href*='/proposals/{proposal.pk}/edit/']").first.click()
    page.wait_for_url(re.compile(r"/edit/basics/$"))
    assert page.locator("textarea[name=summary]").input_value() == (
        "Photo walks along three rivers."
    )
    page.locator(f"a[href$='/proposals/{proposal.pk}/edit/plan/']").click()
    page.wait_for_url(re.compile(r"/edit/plan/$"))
    page.locator("textarea[name=description]").fill(
        "Three photo walks, an upload workshop and a jury."
    )
    look("editor-plan")
    page.locator("button[name=go][value=next]").click()
    page.wait_for_url(re.compile(r"/edit/budget/$"))
    lines = [("Photo walks", "3", "1500"), ("Upload workshop", "2", "2500")]
    lines.append(("Jury prizes", "1", "3000"))
    for index, (activity, quantity, unit_cost) in enumerate(lines):
        if index:
            page.locator("button[name=row_action][value=add]").click()
        fill_line(page, index, activity, quantity, unit_cost)
    # The grand total follows the typing: 12,500 GHS, 1,000 USD at 12.5.
    page.wait_for_function(
        "() => document.querySelector('[data-grand-usd]')"
        ".textContent.replace(/\\D/g, '').startsWith('100000')"
    )
    look("editor-budget")
    live_total = page.locator("[data-grand-local]").inner_text().strip()
    page.locator("#autosave-status[data-autosave-state=saved]").wait_for()
    page.locator("button[name=go][value=next]").click()
    page.wait_for_url(re.compile(r"/edit/targets/$"))
    page.locator("select[name=targets-0-kind]").select_option("participants")
    page.locator("input[name=targets-0-target]").fill("60")
    look("editor-targets")
    page.locator("button[name=go][value=next]").click()
    page.wait_for_url(re.compile(r"/edit/review/$"))
    # The total typed out live reads exactly as the server writes it.
    assert live_total in page.locator("main").inner_text(), live_total
    look("editor-review")
    page.locator("form[action$='/do/submit/'] button[type=submit]").click()
    confirm()
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    page.locator(".badge[data-status=submitted]").wait_for()
    look("proposal-submitted")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.budget_lines.count() == 3
    assert proposal.amount_requested == Decimal("12500.00")

    # 6. The history: who changed what, and when.
    page.locator(f"a[href$='/proposals/{proposal.pk}/history/']").click()
    page.wait_for_url(re.compile(r"/history/$"))
    assert "ama" in page.locator("main").inner_text()
    look("history")

    # 7. The committee decides and staff fund the grant (issue 12 builds those
    # pages); the report it owes appears on the newcomer's home page.
    Proposal.objects.filter(pk=proposal.pk).update(
        status=ProposalStatus.APPROVED, amount_approved=Decimal("12500.00")
    )
    proposal.refresh_from_db()
    proposal_services.proposal_fund(actor=staff, proposal=proposal, reason="Signed")
    report = GrantReport.objects.filter(proposal=proposal).order_by("due_date").first()
    visit("/home/")
    page.locator(f"#main a[href$='/reports/{report.pk}/edit/']").click()
    page.wait_for_url(re.compile(rf"/reports/{report.pk}/edit/$"))
    look("report-editor")
    page.locator("textarea[name=narrative]").fill("Three walks, 212 photographs.")
    for metric in proposal.target_metrics.all():
        page.locator(f"input[name=actual_{metric.pk}]").fill("64")
    for line in proposal.budget_lines.all():
        page.locator(f"input[name=spent_{line.pk}]").fill(str(line.total))
    with page.expect_navigation():
        page.locator("form.report-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/reports/{report.pk}/$"))
    page.locator(f"form[action$='/reports/{report.pk}/'] button[type=submit]").click()
    confirm()
    page.locator(".badge[data-status=submitted]").wait_for()
    report.refresh_from_db()
    assert report.status == GrantReportStatus.SUBMITTED
    look("report-submitted")
