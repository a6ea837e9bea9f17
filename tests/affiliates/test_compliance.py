"""Annual report obligations, due dates and compliance as of any date."""

import datetime

import pytest
from django.utils import timezone

from affiliates import services
from affiliates.choices import AffiliateReportStatus, AffiliateStatus
from affiliates.models import Affiliate, AffiliateReport, ReportingRule
from tests.factories import AffiliateFactory, AffiliateReportFactory, DefermentFactory

D = datetime.date


def test_default_rules_follow_the_domain(db):
    rules = {r.affiliate_type: r for r in ReportingRule.objects.all()}
    assert rules["chapter"].grace_months == 4
    assert rules["chapter"].requires_financial_report
    assert rules["thematic_organization"].requires_financial_report
    assert rules["user_group"].grace_months < 4
    assert not rules["user_group"].requires_financial_report


def test_schedule_creates_reports_for_ended_fiscal_years(staff):
    chapter = AffiliateFactory(
        type="chapter",
        recognition_date=D(2023, 3, 1),
        fiscal_year_end_month=6,
        fiscal_year_end_day=30,
    )
    created = services.affiliate_reports_schedule(
        affiliate=chapter, actor=staff, as_of=D(2025, 7, 15)
    )
    keys = sorted((r.fiscal_year, r.kind, r.due_date) for r in created)
    assert keys == [
        (2023, "activity", D(2023, 10, 30)),
        (2023, "financial", D(2023, 10, 30)),
        (2024, "activity", D(2024, 10, 30)),
        (2024, "financial", D(2024, 10, 30)),
        (2025, "activity", D(2025, 10, 30)),
        (2025, "financial", D(2025, 10, 30)),
    ]
    # Running again creates nothing new.
    assert (
        services.affiliate_reports_schedule(affiliate=chapter, as_of=D(2025, 7, 15))
        == []
    )


def test_user_group_owes_only_an_activity_report(staff):
    group = AffiliateFactory(type="user_group", recognition_date=D(2024, 5, 1))
    created = services.affiliate_reports_schedule(affiliate=group, as_of=D(2025, 1, 2))
    assert [(r.fiscal_year, r.kind, r.due_date) for r in created] == [
        (2024, "activity", D(2025, 3, 31))
    ]


def test_leap_day_year_end_is_clamped(staff):
    affiliate = AffiliateFactory(
        type="chapter",
        recognition_date=D(2022, 1, 1),
        fiscal_year_end_month=2,
        fiscal_year_end_day=29,
    )
    created = services.affiliate_reports_schedule(
        affiliate=affiliate, as_of=D(2024, 3, 1)
    )
    ends = sorted({(r.fiscal_year, r.due_date) for r in created})
    assert ends == [
        (2022, D(2022, 6, 28)),
        (2023, D(2023, 6, 28)),
        (2024, D(2024, 6, 29)),
    ]


@pytest.fixture
def chapter_with_report(db):
    affiliate = AffiliateFactory()
    report = AffiliateReportFactory(affiliate=affiliate, due_date=D(2026, 4, 30))
    return affiliate, report


def compliance(affiliate, as_of):
    return Affiliate.objects.with_compliance(as_of).get(pk=affiliate.pk).compliance


def test_compliant_until_the_due_date_then_past_due(chapter_with_report):
    affiliate, _ = chapter_with_report
    assert compliance(affiliate, D(2026, 4, 30)) == "compliant"
    assert compliance(affiliate, D(2026, 5, 1)) == "past_due"


def test_submitted_late_is_past_due_only_between(chapter_with_report, admin_a):
    affiliate, report = chapter_with_report
    report.status = AffiliateReportStatus.SUBMITTED
    report.submitted_at = datetime.datetime(2026, 6, 10, 12, tzinfo=datetime.UTC)
    report.save()
    assert compliance(affiliate, D(2026, 5, 15)) == "past_due"
    assert compliance(affiliate, D(2026, 6, 10)) == "compliant"


def test_report_sent_back_counts_as_not_received(chapter_with_report, staff):
    affiliate, report = chapter_with_report
    report.status = AffiliateReportStatus.SUBMITTED
    report.submitted_at = datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)
    report.summary = "Our year"
    report.save()
    services.affiliate_report_send_back(
        actor=staff, report=report, reason="The financial annex is missing."
    )
    assert compliance(affiliate, D(2026, 5, 15)) == "past_due"


def test_deferment_makes_a_past_due_affiliate_deferred(chapter_with_report, staff):
    affiliate, _ = chapter_with_report
    DefermentFactory(
        affiliate=affiliate,
        valid_from=D(2026, 5, 10),
        until=D(2026, 9, 1),
        granted_by=staff,
    )
    assert compliance(affiliate, D(2026, 5, 5)) == "past_due"
    assert compliance(affiliate, D(2026, 6, 1)) == "deferred"
    assert compliance(affiliate, D(2026, 9, 2)) == "past_due"


def test_suspended_affiliate_is_suspended_whatever_its_reports(chapter_with_report):
    affiliate, _ = chapter_with_report
    affiliate.status = AffiliateStatus.SUSPENDED
    affiliate.save()
    assert compliance(affiliate, D(2026, 1, 1)) == "suspended"


def test_deferment_lasts_at_most_a_year(staff, affiliate_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.deferment_grant(
            actor=staff,
            affiliate=affiliate_a,
            cause="war",
            explanation="Conflict in the capital.",
            valid_from=D(2026, 1, 1),
            until=D(2027, 3, 1),
        )
    assert "until" in error.value.message_dict


def test_compliance_of_hundreds_of_affiliates_is_one_query(
    db, django_assert_num_queries
):
    today = timezone.localdate()
    for index in range(300):
        affiliate = AffiliateFactory()
        if index % 3 == 0:
            AffiliateReportFactory(
                affiliate=affiliate, due_date=today - datetime.timedelta(days=10)
            )
    with django_assert_num_queries(1):
        statuses = [a.compliance for a in Affiliate.objects.with_compliance(today)]
    assert statuses.count("past_due") == 100
    assert statuses.count("compliant") == 200


def test_submitting_an_incomplete_financial_report_names_missing_fields(
    admin_a, affiliate_a
):
    from django.core.exceptions import ValidationError

    report = AffiliateReportFactory(affiliate=affiliate_a, kind="financial")
    with pytest.raises(ValidationError) as error:
        services.affiliate_report_submit(actor=admin_a, report=report)
    assert {"summary", "currency", "total_income", "total_expenses"} <= set(
        error.value.message_dict
    )
    assert AffiliateReport.objects.get(pk=report.pk).status == "draft"


def test_daily_task_schedules_missing_reports(db):
    from affiliates.tasks import schedule_affiliate_reports

    affiliate = AffiliateFactory(recognition_date=D(2023, 6, 1))
    suspended = AffiliateFactory(recognition_date=D(2023, 6, 1), status="suspended")
    result = schedule_affiliate_reports.enqueue()
    assert result.return_value >= 2
    assert affiliate.annual_reports.filter(fiscal_year=2023).count() == 2
    assert not suspended.annual_reports.exists()
