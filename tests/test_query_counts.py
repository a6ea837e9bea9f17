"""Every list endpoint costs the same number of queries whatever the page size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.choices import ProposalStatus
from grants.models import GrantReport, MetricResult, SpendingLine
from tests.factories import (
    AffiliateFactory,
    AffiliateReportFactory,
    DefermentFactory,
    InterestDeclarationFactory,
    MembershipFactory,
    ProposalDeclarationFactory,
    ProposalFactory,
    RoundFactory,
    RubricCriterionFactory,
    UserFactory,
)


def make_rows(kind, n, affiliate, staff, member):
    """Create `n` more rows visible to both the member of `affiliate` and staff."""
    today = timezone.localdate()
    for _ in range(n):
        if kind == "proposals":
            ProposalFactory(affiliate=affiliate, status=ProposalStatus.FUNDED)
        elif kind == "reports":
            proposal = ProposalFactory(
                affiliate=affiliate, status=ProposalStatus.FUNDED
            )
            report = GrantReport.objects.create(
                proposal=proposal, kind="final", due_date=today
            )
            for metric in proposal.target_metrics.all():
                MetricResult.objects.create(report=report, metric=metric, actual=3)
            for line in proposal.budget_lines.all():
                SpendingLine.objects.create(report=report, budget_line=line, spent=5)
        elif kind == "affiliates":
            AffiliateReportFactory(
                affiliate=AffiliateFactory(), due_date=today - datetime.timedelta(3)
            )
        elif kind == "memberships":
            MembershipFactory(affiliate=affiliate)
        elif kind == "affiliate-reports":
            AffiliateReportFactory(
                affiliate=affiliate,
                fiscal_year=2000 + AffiliateReportFactory._meta.model.objects.count(),
            )
        elif kind == "deferments":
            DefermentFactory(affiliate=affiliate, granted_by=staff)
        elif kind == "programs":
            RubricCriterionFactory()
        elif kind == "rounds":
            RoundFactory()
        elif kind == "coi-declarations":
            ProposalDeclarationFactory(user=member)
        elif kind == "interest-declarations":
            InterestDeclarationFactory(user=UserFactory())
            InterestDeclarationFactory(
                user=member, year=1990 + member.interest_declarations.count()
            )


ENDPOINTS = [
    "proposals",
    "reports",
    "affiliates",
    "memberships",
    "affiliate-reports",
    "deferments",
    "programs",
    "rounds",
    "coi-declarations",
    "interest-declarations",
]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()["count"]


@pytest.mark.parametrize("role", ["staff", "member"])
@pytest.mark.parametrize("kind", ENDPOINTS)
def test_list_query_count_is_constant(api, kind, role, affiliate_a, admin_a, staff):
    user = staff if role == "staff" else admin_a
    client = api(user)
    url = f"/api/v1/{kind}/"
    make_rows(kind, 2, affiliate_a, staff, admin_a)
    small, small_count = count_queries(client, url)
    make_rows(kind, 12, affiliate_a, staff, admin_a)
    large, large_count = count_queries(client, url)
    assert large_count > small_count
    assert large == small, (
        f"{url}: {small} queries for {small_count}, {large} for {large_count}"
    )
    print(f"QUERIES {url} as {role}: {large}")


@pytest.mark.django_db
def test_report_list_reads_no_proposal_row(api, affiliate_a, admin_a, staff):
    """A report in a list shows its proposal's id: the proposals' rows (and their
    long texts) are not read for fifty reports."""
    make_rows("reports", 3, affiliate_a, staff, admin_a)
    for user in (staff, admin_a):
        with CaptureQueriesContext(connection) as ctx:
            response = api(user).get("/api/v1/reports/")
        assert response.status_code == 200 and response.json()["count"] == 3
        results = response.json()["results"]
        assert all(row["spending"] and row["metric_results"] for row in results)
        read = " ".join(q["sql"] for q in ctx.captured_queries)
        assert '"grants_proposal"."description"' not in read
