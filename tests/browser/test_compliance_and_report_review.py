"""Staff in a real browser: the compliance overview (chart, filters, deferments
granted and requests decided from the page) and accepting or sending back reports;
the charts on the proposal and funded-grants pages. English and Arabic, phone and
desktop, axe on every page, screenshots."""

import datetime
import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from affiliates import services as affiliate_services
from affiliates.choices import DefermentRequestStatus, MembershipRole
from affiliates.models import Deferment, DefermentRequest
from grants.choices import GrantReportStatus, ProposalStatus
from grants.services import proposals, reports
from tests.browser.conftest import press, start
from tests.factories import (
    AffiliateFactory,
    AffiliateReportFactory,
    MembershipFactory,
    ProposalFactory,
    StaffFactory,
    UserFactory,
    with_two_factor,
)

LANGS = ["en", "ar"]


def staff_member():
    user = StaffFactory(username="officer", email="officer@example.org")
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user, with_two_factor(user)


def admin_of(affiliate, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, affiliate=affiliate, role=MembershipRole.ADMIN)
    return user


@pytest.mark.parametrize("lang", LANGS)
def test_staff_work_through_the_compliance_overview(page, shot, axe, lang):
    staff, secret = staff_member()
    late = AffiliateFactory(name="Wikimedia Ghana Test", slug="ghana")
    AffiliateReportFactory(affiliate=late, due_date=datetime.date(2026, 4, 30))
    AffiliateFactory(name="Wikimedistas de Prueba", slug="prueba", region="lac")
    flooded = AffiliateFactory(name="Rhine-Meuse Test", slug="rhine", region="nwe")
    AffiliateReportFactory(affiliate=flooded, due_date=datetime.date(2026, 4, 30))
    waiting = affiliate_services.deferment_request(
        actor=admin_of(flooded, "jonas"),
        affiliate=flooded,
        cause="disaster",
        until=timezone.localdate() + datetime.timedelta(days=150),
        explanation="The river flooded our office.",
    )

    start(page, staff.username, lang, "/affiliates/compliance/", totp_secret=secret)
    page.locator(".compliance-table").wait_for()
    assert page.locator(".compliance-table tbody tr").first.get_attribute(
        "data-compliance"
    ) == ("past_due")
    assert page.locator(".chart-bars").count() == 1
    axe(page)
    shot(page, "overview")

    # Refusing without a reason: the error sits next to the field, nothing changes.
    request_form = page.locator(f"#request-{waiting.pk} form")
    press(request_form.locator("button[formaction]"))
    page.locator(f"#request-{waiting.pk}-reason_error").wait_for()
    axe(page)
    shot(page, "refuse-needs-reason")
    assert DefermentRequest.objects.get().status == DefermentRequestStatus.REQUESTED

    page.locator(f"#request-{waiting.pk}-reason").fill("Agreed with the board.")
    press(page.locator(f"#request-{waiting.pk} form button").first)
    page.locator(".compliance-table").wait_for()
    page.wait_for_function("() => !document.querySelector('[data-deferment-requests]')")
    assert DefermentRequest.objects.get().status == DefermentRequestStatus.GRANTED

    # Filter to past due only, then grant a deferment from the row.
    page.locator("#id_status").select_option("past_due")
    press(page.locator("form.filters button[type=submit]"))
    page.wait_for_url(re.compile(r"status=past_due"))
    assert page.locator(".compliance-table tbody tr").count() == 1
    shot(page, "filtered")
    page.locator(".compliance-table tbody tr a[href$='/ghana/defer/']").click()
    page.locator("#id_until").wait_for()
    axe(page)
    shot(page, "defer-form")
    page.locator("#id_cause").select_option("pandemic")
    until = timezone.localdate() + datetime.timedelta(days=90)
    page.locator("#id_until").fill(until.isoformat())
    page.locator("#id_explanation").fill("Lockdown closed the venues.")
    page.locator("#id_reason").fill("Confirmed by the regional officer.")
    press(page.locator("form.form button[type=submit]"))
    page.wait_for_url(re.compile(r"/affiliates/compliance/$"))
    page.locator(".compliance-table").wait_for()
    axe(page)
    shot(page, "after-deferment")
    deferment = Deferment.objects.get(affiliate=late)
    assert deferment.history.first().history_change_reason == (
        "Confirmed by the regional officer."
    )


@pytest.mark.parametrize("lang", LANGS)
def test_staff_review_reports_and_see_the_charts(page, shot, axe, lang):
    staff, secret = staff_member()
    affiliate = AffiliateFactory(name="Wikimedia Ghana Test", slug="ghana")
    admin = admin_of(affiliate, "ama")
    annual = AffiliateReportFactory(affiliate=affiliate, summary="Six edit-a-thons.")
    affiliate_services.affiliate_report_submit(actor=admin, report=annual)
    proposal = ProposalFactory(
        affiliate=affiliate,
        status=ProposalStatus.APPROVED,
        title="Workshops in Tamale",
        amount_approved=Decimal("30000.00"),
        decided_at=timezone.now(),
    )
    proposals.proposal_fund(actor=staff, proposal=proposal, reason="Signed")
    grant_report = proposal.reports.get(kind="final")
    metric = proposal.target_metrics.get()
    reports.grant_report_update(
        actor=admin,
        report=grant_report,
        narrative="Six workshops ran in three towns.",
        learnings="Evenings worked best.",
        metric_results=[dict(metric=metric, actual=101, comment="")],
        spending=[
            dict(budget_line=line, spent=line.total, explanation="")
            for line in proposal.budget_lines.all()
        ],
    )
    reports.grant_report_submit(actor=admin, report=grant_report)

    # The annual report: sending back needs a reason, next to the field.
    start(
        page,
        staff.username,
        lang,
        f"/affiliates/annual-reports/{annual.pk}/",
        totp_secret=secret,
    )
    page.locator("[data-report-review]").wait_for()
    axe(page)
    shot(page, "annual-report-review")
    page.locator("#id_decision_1").check()
    press(page.locator("[data-report-review] button[type=submit]"))
    page.locator("#id_reason_error").wait_for()
    axe(page)
    shot(page, "annual-needs-reason")
    page.locator("#id_reason").fill("Add the list of events.")
    press(page.locator("[data-report-review] button[type=submit]"))
    page.locator("[data-review-comment]").wait_for()
    shot(page, "annual-sent-back")
    annual.refresh_from_db()
    assert annual.status == "sent_back"
    assert annual.review_comment == "Add the list of events."

    # The grant report: accepted.
    page.goto(f"/{lang}/grants/reports/{grant_report.pk}/".replace("/en/", "/"))
    page.locator("[data-report-review]").wait_for()
    axe(page)
    shot(page, "grant-report-review")
    page.locator("#id_decision_0").check()
    page.locator("#id_reason").fill("Clear and complete.")
    press(page.locator("[data-report-review] button[type=submit]"))
    page.locator('[data-status="accepted"]').wait_for()
    assert page.locator("[data-report-review]").count() == 0
    grant_report.refresh_from_db()
    assert grant_report.status == GrantReportStatus.ACCEPTED

    # The charts: budget by category, amounts per programme and region.
    prefix = "" if lang == "en" else f"/{lang}"
    page.goto(f"{prefix}/grants/proposals/{proposal.pk}/")
    page.locator(".budget-chart .chart-bars").wait_for()
    axe(page)
    shot(page, "proposal-budget-chart")
    page.goto(f"{prefix}/grants/funded/")
    page.locator("[data-funded-charts] .chart-bars").first.wait_for()
    assert page.locator("[data-funded-charts] .chart").count() == 2
    axe(page)
    shot(page, "funded-charts")
