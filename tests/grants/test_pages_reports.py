"""Grant report pages: the report, the editor, submitting (grants/views/reports.py)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.choices import GrantReportStatus, ProposalStatus
from grants.services import proposals, reports
from portal.versions import record_version
from tests.factories import ProposalFactory


@pytest.fixture
def funded(staff, affiliate_a):
    proposal = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.APPROVED)
    proposals.proposal_fund(actor=staff, proposal=proposal, reason="Agreement signed")
    return proposal


@pytest.fixture
def report(funded):
    return funded.reports.get(kind="final")


def page_of(report):
    return reverse("grants:report", args=[report.pk])


def edit_of(report):
    return reverse("grants:report_edit", args=[report.pk])


def form_data(report, *, spent=("23500.00", "6000.00"), explanation="", **extra):
    """A full editor submission: every metric and line of the funded proposal."""
    proposal = report.proposal
    metric = proposal.target_metrics.get()
    workshops, coordination = proposal.budget_lines.order_by("position")
    data = {
        "version": record_version(report),
        "narrative": "Six workshops ran in three towns.",
        "learnings": "Evening sessions worked best.",
        f"actual_{metric.pk}": "101",
        f"metric_comment_{metric.pk}": "Fewer than planned in the rainy season.",
        f"spent_{workshops.pk}": spent[0],
        f"explanation_{workshops.pk}": "",
        f"spent_{coordination.pk}": spent[1],
        f"explanation_{coordination.pk}": explanation,
    }
    data.update(extra)
    return data


def test_member_reads_the_report_with_targets_and_budget(client, member_a, report):
    client.force_login(member_a)
    response = client.get(page_of(report))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Targets against actuals" in body
    assert "Workshops" in body and "Coordination" in body
    # A plain member edits but does not submit (affiliate admins do).
    assert edit_of(report) in body
    assert "Submit the report" not in body


def test_admin_sees_the_submit_button(client, admin_a, report):
    client.force_login(admin_a)
    body = client.get(page_of(report)).content.decode()
    assert "Submit the report" in body


@pytest.mark.parametrize("who", ["outsider", "member_b", "pending_a"])
def test_others_get_404(client, request, report, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(page_of(report)).status_code == 404
    assert client.get(edit_of(report)).status_code == 404
    assert client.post(edit_of(report), form_data(report)).status_code == 404
    assert client.post(page_of(report), {}).status_code == 404


def test_visitor_is_sent_to_sign_in(client, report):
    response = client.get(page_of(report))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_editor_shows_threshold_and_every_row(client, member_a, report):
    client.force_login(member_a)
    response = client.get(edit_of(report))
    assert response.status_code == 200
    body = response.content.decode()
    assert "more than 10%" in body
    assert 'x-data="varianceRow"' in body
    assert "target: 120" in body


def test_save_goes_through_the_service(client, member_a, report):
    client.force_login(member_a)
    response = client.post(edit_of(report), form_data(report))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.narrative == "Six workshops ran in three towns."
    assert report.metric_results.get().actual == 101
    assert sorted(s.spent for s in report.spending.all()) == [
        Decimal("6000.00"),
        Decimal("23500.00"),
    ]
    assert report.history.first().history_user == member_a
    # The report page shows the difference.
    body = client.get(page_of(report)).content.decode()
    assert "500.00" in body  # workshops: 24,000 budgeted − 23,500 spent


def test_bad_input_keeps_what_was_typed(client, member_a, report):
    client.force_login(member_a)
    data = form_data(report, spent=("-5", "abc"))
    response = client.post(edit_of(report), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Six workshops ran in three towns." in body
    assert "field__error" in body
    assert 'value="-5"' in body
    report.refresh_from_db()
    assert report.narrative == ""


def test_stale_version_answers_412_and_keeps_input(client, member_a, admin_a, report):
    client.force_login(member_a)
    data = form_data(report)
    reports.grant_report_update(
        actor=admin_a, report=report, narrative="Someone else's words"
    )
    data["narrative"] = "My own words, typed for an hour"
    response = client.post(edit_of(report), data)
    assert response.status_code == 412
    body = response.content.decode()
    assert "My own words, typed for an hour" in body
    assert "Someone changed this record" in body
    report.refresh_from_db()
    assert report.narrative == "Someone else's words"


def test_submit_needs_explanation_next_to_the_field_then_succeeds(
    client, admin_a, report
):
    client.force_login(admin_a)
    coordination = report.proposal.budget_lines.order_by("position")[1]
    # Half of the coordination budget spent: a 50% difference, no explanation.
    assert client.post(edit_of(report), form_data(report, spent=("24000", "3000")))
    report.refresh_from_db()
    response = client.post(page_of(report), {"version": record_version(report)})
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_explanation_{coordination.pk}_error"' in body
    assert "Explain the difference" in body
    report.refresh_from_db()
    assert report.status == GrantReportStatus.DRAFT

    data = form_data(
        report, spent=("24000", "3000"), explanation="A volunteer took over."
    )
    assert client.post(edit_of(report), data).status_code == 302
    report.refresh_from_db()
    response = client.post(page_of(report), {"version": record_version(report)})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == GrantReportStatus.SUBMITTED
    assert report.submitted_by == admin_a
    # Submitted: no more editing, no buttons.
    body = client.get(page_of(report)).content.decode()
    assert "Submit the report" not in body and edit_of(report) not in body
    assert client.post(edit_of(report), data).status_code == 403


def test_member_may_not_submit(client, member_a, report):
    client.force_login(member_a)
    response = client.post(page_of(report), {"version": record_version(report)})
    assert response.status_code == 403


def test_submit_with_stale_version_is_412(client, admin_a, report):
    client.force_login(admin_a)
    version = record_version(report)
    reports.grant_report_update(actor=admin_a, report=report, narrative="Changed")
    response = client.post(page_of(report), {"version": version})
    assert response.status_code == 412
    report.refresh_from_db()
    assert report.status == GrantReportStatus.DRAFT


def test_sent_back_report_shows_the_reason(client, admin_a, staff, report):
    client.force_login(admin_a)
    client.post(
        edit_of(report), form_data(report, explanation="A volunteer took over.")
    )
    report.refresh_from_db()
    reports.grant_report_submit(actor=admin_a, report=report)
    reports.grant_report_send_back(
        actor=staff, report=report, reason="Add the receipts for the workshops."
    )
    body = client.get(page_of(report)).content.decode()
    assert "Add the receipts for the workshops." in body
    assert "Submit the report" in body  # sent back: editable and submittable again


def test_accepted_report_shows_staff_comment(client, member_a, admin_a, staff, report):
    client.force_login(admin_a)
    client.post(edit_of(report), form_data(report))
    report.refresh_from_db()
    reports.grant_report_submit(actor=admin_a, report=report)
    reports.grant_report_accept(
        actor=staff, report=report, reason="Clear and complete."
    )
    client.force_login(member_a)
    body = client.get(page_of(report)).content.decode()
    assert "Accepted by staff" in body and "Clear and complete." in body
    # Accepted: the editor sends back to the report page.
    assert client.get(edit_of(report)).status_code == 302
