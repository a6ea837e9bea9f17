"""Grant reports: due dates from the grant, completeness, variances, review."""

import datetime
from decimal import Decimal

import pytest

from grants.choices import ProposalStatus
from grants.services import proposals, reports
from tests.factories import ProposalFactory

D = datetime.date


@pytest.fixture
def funded(staff, affiliate_a):
    proposal = ProposalFactory(
        affiliate=affiliate_a,
        status=ProposalStatus.APPROVED,
        start_date=D(2027, 1, 1),
        end_date=D(2027, 6, 30),
    )
    proposals.proposal_fund(actor=staff, proposal=proposal, reason="Agreement signed")
    return proposal


def test_funding_schedules_interim_and_final_reports(funded):
    due = [(r.kind, r.due_date) for r in funded.reports.order_by("due_date")]
    # Midpoint of 1 Jan–30 Jun is 1 Apr (+15 days); final 30 days after the end.
    assert due == [("interim", D(2027, 4, 16)), ("final", D(2027, 7, 30))]


def test_multi_year_grant_gets_yearly_reports(staff, affiliate_a):
    proposal = ProposalFactory(
        affiliate=affiliate_a,
        status=ProposalStatus.APPROVED,
        start_date=D(2027, 1, 1),
        end_date=D(2029, 12, 31),
    )
    proposal.program.max_duration_months = 36
    proposal.program.save()
    proposals.proposal_fund(actor=staff, proposal=proposal)
    due = [(r.kind, r.due_date) for r in proposal.reports.order_by("due_date")]
    assert due == [
        ("annual", D(2028, 1, 31)),
        ("annual", D(2029, 1, 31)),
        ("final", D(2030, 1, 30)),
    ]


def test_report_needs_every_metric_and_line_and_explains_variances(
    api, funded, admin_a, staff
):
    report = funded.reports.get(kind="final")
    metric = funded.target_metrics.get()
    workshops, coordination = funded.budget_lines.order_by("position")
    client = api(admin_a)
    url = f"/api/v1/reports/{report.pk}/"
    response = client.post(f"{url}submit/", {}, format="json")
    assert response.status_code == 400
    assert {"narrative", "metric_results", "spending"} <= set(response.json())

    response = client.patch(
        url,
        {
            "narrative": "Six workshops ran.",
            "metric_results": [{"metric": metric.pk, "actual": 101}],
            "spending": [
                {"budget_line": workshops.pk, "spent": "23500.00"},
                {"budget_line": coordination.pk, "spent": "3000.00"},  # half the budget
            ],
            "change_reason": "First full draft",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    spending = {row["budget_line"]: row for row in response.json()["spending"]}
    assert spending[coordination.pk]["variance"] == "3000.00"
    response = client.post(f"{url}submit/", {}, format="json")
    assert response.status_code == 400
    assert "Coordination" in response.json()["spending"][0]

    client.patch(
        url,
        {
            "spending": [
                {"budget_line": workshops.pk, "spent": "23500.00"},
                {
                    "budget_line": coordination.pk,
                    "spent": "3000.00",
                    "explanation": "The coordinator volunteered half the months.",
                },
            ]
        },
        format="json",
    )
    response = client.post(f"{url}submit/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"
    assert client.patch(url, {"narrative": "x"}, format="json").status_code == 403

    response = api(staff).post(
        f"{url}send-back/", {"change_reason": "Add photos"}, format="json"
    )
    assert response.json()["status"] == "incomplete"
    assert (
        client.patch(url, {"narrative": "With photos."}, format="json").status_code
        == 200
    )


def test_report_rows_must_belong_to_the_reported_grant(
    api, funded, admin_a, affiliate_a
):
    other = ProposalFactory(affiliate=affiliate_a)
    report = funded.reports.get(kind="final")
    response = api(admin_a).patch(
        f"/api/v1/reports/{report.pk}/",
        {
            "spending": [{"budget_line": other.budget_lines.first().pk, "spent": "1"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert report.spending.count() == 0


def test_grant_closes_only_when_every_report_is_accepted(staff, funded, admin_a):
    from django.core.exceptions import ValidationError

    proposals.proposal_start_reporting(actor=staff, proposal=funded)
    with pytest.raises(ValidationError):
        proposals.proposal_close(actor=staff, proposal=funded)
    for report in funded.reports.all():
        reports.grant_report_update(
            actor=admin_a,
            report=report,
            narrative="Done.",
            metric_results=[
                {"metric": m, "actual": 1} for m in funded.target_metrics.all()
            ],
            spending=[
                {"budget_line": line, "spent": line.total}
                for line in funded.budget_lines.all()
            ],
        )
        reports.grant_report_submit(actor=admin_a, report=report)
        reports.grant_report_accept(actor=staff, report=report)
    proposals.proposal_close(actor=staff, proposal=funded, reason="All done")
    funded.refresh_from_db()
    assert funded.status == ProposalStatus.CLOSED
    assert funded.amount_requested == Decimal("30000.00")
