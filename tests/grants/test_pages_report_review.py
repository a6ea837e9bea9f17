"""Staff accept or send back grant reports and annual reports from their pages
(grants:report_review, affiliates:annual_report_review): through the services, with
a reason, the record version, and only for staff."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from affiliates import services as affiliate_services
from affiliates.choices import AffiliateReportStatus
from grants.choices import GrantReportStatus, ProposalStatus
from grants.models import Committee, CommitteeMember
from grants.services import proposals, reports
from portal.versions import record_version
from tests.factories import (
    AffiliateReportFactory,
    ProposalFactory,
    UserFactory,
    with_two_factor,
)
from tests.grants.test_pages_reports import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff):
    with_two_factor(staff)
    client.force_login(staff)
    return client


@pytest.fixture
def committee_member(db):
    user = UserFactory(username="seat")
    committee = Committee.objects.create(name="Regional committee", quorum=1)
    CommitteeMember.objects.create(committee=committee, user=user)
    with_two_factor(user)
    return user


@pytest.fixture
def grant_report(staff, admin_a, affiliate_a):
    """A final grant report, written and submitted by the affiliate's admin."""
    proposal = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.APPROVED)
    proposals.proposal_fund(actor=staff, proposal=proposal, reason="Agreement signed")
    report = proposal.reports.get(kind="final")
    writer = Client()
    writer.force_login(admin_a)
    edit = reverse("grants:report_edit", args=[report.pk])
    assert writer.post(edit, form_data(report)).status_code == 302
    report.refresh_from_db()
    return reports.grant_report_submit(actor=admin_a, report=report)


@pytest.fixture
def annual_report(admin_a, affiliate_a):
    report = AffiliateReportFactory(
        affiliate=affiliate_a, fiscal_year=2025, summary="Six edit-a-thons."
    )
    return affiliate_services.affiliate_report_submit(actor=admin_a, report=report)


KINDS = {
    "grant": (
        "grant_report",
        "grants:report",
        "grants:report_review",
        GrantReportStatus.ACCEPTED,
        GrantReportStatus.INCOMPLETE,
    ),
    "annual": (
        "annual_report",
        "affiliates:annual_report",
        "affiliates:annual_report_review",
        AffiliateReportStatus.ACCEPTED,
        AffiliateReportStatus.SENT_BACK,
    ),
}


@pytest.fixture(params=list(KINDS))
def case(request):
    fixture, page, review, accepted, sent_back = KINDS[request.param]
    report = request.getfixturevalue(fixture)
    return {
        "report": report,
        "page": reverse(page, args=[report.pk]),
        "review": reverse(review, args=[report.pk]),
        "accepted": accepted,
        "sent_back": sent_back,
    }


def test_staff_see_the_review_form_on_a_submitted_report(staff_client, case):
    body = staff_client.get(case["page"]).content.decode()
    assert "data-report-review" in body
    assert f'action="{case["review"]}"' in body
    assert f'value="{record_version(case["report"])}"' in body


def test_staff_accept_through_the_service(staff_client, staff, case):
    report = case["report"]
    response = staff_client.post(
        case["review"],
        {
            "decision": "accept",
            "reason": "Clear and complete.",
            "version": record_version(report),
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == case["accepted"]
    assert report.review_comment == "Clear and complete."
    record = report.history.first()
    assert record.history_user == staff
    assert record.history_change_reason == "Clear and complete."
    # Reviewed: the form is gone.
    assert "data-report-review" not in staff_client.get(case["page"]).content.decode()


def test_staff_send_back_with_a_reason(staff_client, case):
    report = case["report"]
    response = staff_client.post(
        case["review"],
        {
            "decision": "send_back",
            "reason": "Add the receipts.",
            "version": record_version(report),
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == case["sent_back"]
    assert report.history.first().history_change_reason == "Add the receipts."


def test_sending_back_without_a_reason_shows_the_error_next_to_the_field(
    staff_client, case
):
    report = case["report"]
    response = staff_client.post(
        case["review"],
        {"decision": "send_back", "reason": " ", "version": record_version(report)},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_reason_error"' in body
    assert "Say what the report is missing" in body
    assert re.search(r'value="send_back"[^>]*checked', body)  # kept as chosen
    report.refresh_from_db()
    assert report.status == "submitted"


def test_stale_version_is_412(staff_client, case):
    report = case["report"]
    old = record_version(report)
    # Someone else records a change after the page was loaded.
    report.review_comment = "Looked at it."
    report.save()
    assert record_version(report) != old
    response = staff_client.post(
        case["review"], {"decision": "accept", "reason": "", "version": old}
    )
    assert response.status_code == 412
    assert "Someone changed this record" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"


@pytest.mark.parametrize("role", ["admin_a", "member_a"])
def test_members_see_no_form_and_are_refused(client, request, role, case):
    client.force_login(request.getfixturevalue(role))
    assert "data-report-review" not in client.get(case["page"]).content.decode()
    response = client.post(
        case["review"],
        {
            "decision": "accept",
            "reason": "",
            "version": record_version(case["report"]),
        },
    )
    assert response.status_code == 403
    case["report"].refresh_from_db()
    assert case["report"].status == "submitted"


@pytest.mark.parametrize("role", ["outsider", "member_b", "committee_member"])
def test_others_do_not_find_the_report(client, request, role, case):
    client.force_login(request.getfixturevalue(role))
    assert client.get(case["page"]).status_code == 404
    response = client.post(case["review"], {"decision": "accept", "reason": ""})
    assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in(client, case):
    response = client.post(case["review"], {"decision": "accept"})
    assert response.status_code == 302
    assert "login" in response["Location"]
