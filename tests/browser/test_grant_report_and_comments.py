"""Grant report editor and community comments in a real browser: English and
Arabic, phone and desktop, axe on every page, screenshots."""

import re

import pytest

from affiliates.choices import MembershipRole
from grants.choices import ProposalStatus
from grants.models import CommentReport, GrantReport, ProposalComment
from grants.services import proposals
from tests.browser.conftest import press, start
from tests.browser.people import person
from tests.factories import (
    AffiliateFactory,
    MembershipFactory,
    ProposalFactory,
    StaffFactory,
    proposal_open_for_comments,
)

LANGS = ["en", "ar"]


def sign_out(page):
    page.context.clear_cookies()


def confirm(page):
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    press(dialog.locator("[data-confirm-accept]"))


@pytest.mark.parametrize("lang", LANGS)
def test_affiliate_admin_fills_and_submits_a_grant_report(page, shot, axe, lang):
    affiliate = AffiliateFactory(name="Wikimedia Ghana Test", slug="ghana")
    admin = person("ama")
    MembershipFactory(user=admin, affiliate=affiliate, role=MembershipRole.ADMIN)
    proposal = ProposalFactory(
        affiliate=affiliate,
        status=ProposalStatus.APPROVED,
        title="Workshops in Tamale",
    )
    proposals.proposal_fund(actor=StaffFactory(), proposal=proposal, reason="Signed")
    report = proposal.reports.get(kind="final")
    metric = proposal.target_metrics.get()
    workshops, coordination = proposal.budget_lines.order_by("position")

    start(page, "ama", lang, f"/grants/reports/{report.pk}/edit/")
    page.locator("#id_narrative").wait_for()
    axe(page)
    shot(page, "report-edit-empty")

    page.locator("#id_narrative").fill("Six workshops ran in three towns.")
    page.locator(f"#id_actual_{metric.pk}").fill("101")
    page.locator(f"#id_spent_{workshops.pk}").fill("24000")
    coordination_row = page.locator(
        "fieldset", has=page.locator(f"#id_spent_{coordination.pk}")
    )
    needs = coordination_row.locator("[data-needs-explanation]")
    assert needs.is_hidden()
    page.locator(f"#id_spent_{coordination.pk}").fill("3000")
    # The difference and the rule update as one types (Alpine).
    needs.wait_for(state="visible")
    variance = coordination_row.locator("[data-variance]").inner_text()
    if lang == "en":
        assert "3,000.00 GHS (50.0%)" == variance
    else:  # Arabic separators, Latin digits as on the server
        assert re.search(r"3\D?000\D00 GHS \(50\D0%\)", variance), variance
    shot(page, "report-edit-variance")
    press(page.locator("form.report-form button[type=submit]"))
    page.wait_for_url(re.compile(rf"/grants/reports/{report.pk}/$"))
    axe(page)
    shot(page, "report-saved")

    # Submitting without explaining the 50% difference: the error sits by the field.
    press(page.locator("form[data-confirm] button[type=submit]"))
    confirm(page)
    error = page.locator(f"#id_explanation_{coordination.pk}_error")
    error.wait_for()
    assert page.locator(f"#id_spent_{coordination.pk}").input_value() == "3000.00"
    axe(page)
    shot(page, "report-needs-explanation")
    assert GrantReport.objects.get(pk=report.pk).status == "draft"

    page.locator(f"#id_explanation_{coordination.pk}").fill(
        "A volunteer coordinated the last three months."
    )
    press(page.locator("form.report-form button[type=submit]"))
    page.wait_for_url(re.compile(rf"/grants/reports/{report.pk}/$"))
    press(page.locator("form[data-confirm] button[type=submit]"))
    confirm(page)
    page.locator('[data-status="submitted"]').wait_for()
    axe(page)
    shot(page, "report-submitted")
    report.refresh_from_db()
    assert report.status == "submitted" and report.submitted_by == admin
    assert page.locator("form[data-confirm]").count() == 0


@pytest.mark.parametrize("lang", LANGS)
def test_comment_reply_and_report(page, shot, axe, lang):
    affiliate = AffiliateFactory(name="Wikimedia Ghana Test", slug="ghana")
    applicant = person("kwame")
    MembershipFactory(user=applicant, affiliate=affiliate, role=MembershipRole.ADMIN)
    person("reader")
    person("watcher")
    proposal = proposal_open_for_comments(affiliate, title="Workshops in Tamale")
    url = f"/grants/proposals/{proposal.pk}/comments/"

    # A member of the public comments.
    start(page, "reader", lang, url)
    axe(page)
    shot(page, "comments-empty")
    page.locator("#id_body").fill("Will the sessions be recorded?")
    press(page.locator(".comment-form button[type=submit]"))
    page.locator(".comment__body", has_text="Will the sessions be recorded?").wait_for()
    question = ProposalComment.objects.get()
    sign_out(page)

    # The applicant replies.
    start(page, "kwame", lang, url)
    press(page.locator(".comment__reply summary"))
    page.locator(f"#id_reply-{question.pk}-body").fill("Yes, every session.")
    press(page.locator(".comment__reply button[type=submit]"))
    page.locator(".comment__body", has_text="Yes, every session.").wait_for()
    axe(page)
    shot(page, "comments-replied")
    sign_out(page)

    # Someone else reports the question.
    start(page, "watcher", lang, url)
    item = page.locator(f"#comment-{question.pk}")
    press(item.locator(".comment__report summary"))
    # An empty reason is refused next to the field.
    press(item.locator(".comment__report button[type=submit]"))
    page.locator(f"#id_report-{question.pk}-reason_error").wait_for()
    page.locator(f"#id_report-{question.pk}-reason").fill("It is off topic.")
    press(item.locator(".comment__report button[type=submit]"))
    page.locator(f"#comment-{question.pk} .comment__reported").wait_for()
    axe(page)
    shot(page, "comments-reported")
    assert CommentReport.objects.get().reporter.username == "watcher"
