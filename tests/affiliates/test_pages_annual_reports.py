"""The annual report page: edit, submit, stale saves, review outcome, who may."""

import pytest
from django.urls import reverse

from affiliates import services
from affiliates.choices import AffiliateReportKind, AffiliateReportStatus
from portal.versions import record_version
from tests.factories import AffiliateReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(affiliate_a):
    return AffiliateReportFactory(affiliate=affiliate_a, fiscal_year=2025)


@pytest.fixture
def financial(affiliate_a):
    return AffiliateReportFactory(
        affiliate=affiliate_a, fiscal_year=2025, kind=AffiliateReportKind.FINANCIAL
    )


def url(report):
    return reverse("affiliates:annual_report", args=[report.pk])


def test_member_saves_the_report_through_the_service(client, report, member_a):
    client.force_login(member_a)
    page = client.get(url(report)).content.decode()
    assert 'name="version"' in page and 'name="summary"' in page
    assert "Submit the report" not in page  # members save, admins submit
    response = client.post(
        url(report),
        {
            "summary": "Six edit-a-thons.",
            "report_url": "",
            "version": record_version(report),
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.summary == "Six edit-a-thons."
    assert report.history.first().history_user == member_a


def test_financial_fields_only_on_financial_reports(client, financial, report, admin_a):
    client.force_login(admin_a)
    assert 'name="total_income"' in client.get(url(financial)).content.decode()
    assert 'name="total_income"' not in client.get(url(report)).content.decode()


def test_bad_input_keeps_what_was_typed(client, financial, admin_a):
    client.force_login(admin_a)
    response = client.post(
        url(financial),
        {
            "summary": "Kept text",
            "currency": "BOB",
            "total_income": "-5",
            "total_expenses": "abc",
            "version": record_version(financial),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kept text" in html
    assert 'id="id_total_income_error"' in html
    financial.refresh_from_db()
    assert financial.summary == ""


def test_stale_version_answers_412_and_keeps_input(client, report, member_a, admin_a):
    old = record_version(report)
    services.affiliate_report_update(actor=admin_a, report=report, summary="Theirs")
    client.force_login(member_a)
    response = client.post(url(report), {"summary": "Mine, typed", "version": old})
    assert response.status_code == 412
    html = response.content.decode()
    assert "Mine, typed" in html
    assert "Someone changed this record" in html
    report.refresh_from_db()
    assert report.summary == "Theirs"


def test_admin_submits_with_confirm_and_incomplete_is_explained(
    client, report, admin_a
):
    client.force_login(admin_a)
    page = client.get(url(report)).content.decode()
    assert "data-confirm" in page and "Submit the report" in page
    response = client.post(
        url(report), {"action": "submit", "version": record_version(report)}
    )
    assert response.status_code == 400
    assert "Write a summary or link to the full report." in response.content.decode()
    services.affiliate_report_update(actor=admin_a, report=report, summary="Done.")
    report.refresh_from_db()
    response = client.post(
        url(report), {"action": "submit", "version": record_version(report)}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == AffiliateReportStatus.SUBMITTED
    assert report.submitted_by == admin_a
    page = client.get(url(report)).content.decode()
    assert 'name="summary"' not in page and "Submit the report" not in page


def test_submit_with_a_stale_version_is_412(client, report, admin_a):
    old = record_version(report)
    services.affiliate_report_update(actor=admin_a, report=report, summary="Done.")
    client.force_login(admin_a)
    response = client.post(url(report), {"action": "submit", "version": old})
    assert response.status_code == 412
    report.refresh_from_db()
    assert report.status == AffiliateReportStatus.DRAFT


def test_member_may_not_submit(client, report, member_a, admin_a):
    services.affiliate_report_update(actor=admin_a, report=report, summary="Done.")
    report.refresh_from_db()
    client.force_login(member_a)
    response = client.post(
        url(report), {"action": "submit", "version": record_version(report)}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == AffiliateReportStatus.DRAFT


def test_sent_back_and_accepted_show_the_staff_reason(client, report, admin_a, staff):
    services.affiliate_report_update(actor=admin_a, report=report, summary="Done.")
    services.affiliate_report_submit(actor=admin_a, report=report)
    services.affiliate_report_send_back(
        actor=staff, report=report, reason="Add the board's approval."
    )
    client.force_login(admin_a)
    html = client.get(url(report)).content.decode()
    assert "Add the board&#x27;s approval." in html
    assert 'data-status="sent_back"' in html
    assert 'name="summary"' in html  # editable again
    services.affiliate_report_submit(actor=admin_a, report=report)
    services.affiliate_report_accept(actor=staff, report=report, reason="Thank you.")
    html = client.get(url(report)).content.decode()
    assert "Thank you." in html and 'data-status="accepted"' in html


def test_others_get_404_and_submitted_reports_refuse_edits(
    client, report, member_b, outsider, admin_a
):
    for user in (member_b, outsider):
        client.force_login(user)
        assert client.get(url(report)).status_code == 404
        assert client.post(url(report), {"summary": "x"}).status_code == 404
    services.affiliate_report_update(actor=admin_a, report=report, summary="Done.")
    services.affiliate_report_submit(actor=admin_a, report=report)
    client.force_login(admin_a)
    response = client.post(
        url(report), {"summary": "late", "version": record_version(report)}
    )
    assert response.status_code == 403
