"""The members' dashboard and the members page: who sees what, roles and removal."""

import datetime

import pytest
from django.urls import reverse

from affiliates.choices import (
    AffiliateReportStatus,
    AffiliateStatus,
    ComplianceStatus,
    MembershipRole,
    MembershipStatus,
)
from affiliates.models import Membership
from grants.choices import GrantReportKind, ProposalStatus
from grants.models import GrantReport
from tests.factories import (
    AffiliateReportFactory,
    DefermentFactory,
    MembershipFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def dashboard_url(affiliate):
    return reverse("affiliates:dashboard", args=[affiliate.slug])


def members_url(affiliate):
    return reverse("affiliates:members", args=[affiliate.slug])


def signed_in(client, user):
    client.force_login(user)
    return client


def test_members_see_the_dashboard_others_get_404(
    client, affiliate_a, member_a, member_b, pending_a, outsider
):
    assert (
        signed_in(client, member_a).get(dashboard_url(affiliate_a)).status_code == 200
    )
    for user in (member_b, pending_a, outsider):
        client.force_login(user)
        assert client.get(dashboard_url(affiliate_a)).status_code == 404
        assert client.get(members_url(affiliate_a)).status_code == 404
    client.logout()
    response = client.get(dashboard_url(affiliate_a))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_dashboard_shows_proposals_by_state_reports_due_and_stories_panel(
    client, affiliate_a, member_a
):
    draft = ProposalFactory(affiliate=affiliate_a, title="Oral histories")
    ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.SUBMITTED)
    funded = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.REPORTING)
    GrantReport.objects.create(
        proposal=funded,
        kind=GrantReportKind.FINAL,
        due_date=datetime.date(2026, 9, 30),
    )
    annual = AffiliateReportFactory(affiliate=affiliate_a, fiscal_year=2025)
    ProposalFactory(title="Someone else's")  # another affiliate

    page = signed_in(client, member_a).get(dashboard_url(affiliate_a))
    html = page.content.decode()
    assert reverse("grants:proposal", args=[draft.pk]) in html
    assert "Oral histories" in html
    assert "Someone else&#x27;s" not in html and "Someone else's" not in html
    assert 'data-status="draft"' in html and 'data-status="submitted"' in html
    assert reverse("affiliates:annual_report", args=[annual.pk]) in html
    assert "Final report" in html
    assert reverse("grants:report", args=[funded.reports.get().pk]) in html
    assert "Learning stories" in html


def test_compliance_status_comes_with_its_reason(client, affiliate_a, member_a):
    AffiliateReportFactory(
        affiliate=affiliate_a,
        fiscal_year=2024,
        due_date=datetime.date(2025, 4, 30),
    )
    client = signed_in(client, member_a)
    html = client.get(dashboard_url(affiliate_a)).content.decode()
    assert f'data-status="{ComplianceStatus.PAST_DUE}"' in html
    assert "Activity report for fiscal year 2024" in html

    DefermentFactory(affiliate=affiliate_a)
    html = client.get(dashboard_url(affiliate_a)).content.decode()
    assert f'data-status="{ComplianceStatus.DEFERRED}"' in html
    assert "Reporting is deferred until" in html

    affiliate_a.status = AffiliateStatus.SUSPENDED
    affiliate_a.save()
    html = client.get(dashboard_url(affiliate_a)).content.decode()
    assert f'data-status="{ComplianceStatus.SUSPENDED}"' in html


def test_compliant_affiliate_says_so(client, affiliate_a, member_a):
    AffiliateReportFactory(
        affiliate=affiliate_a, status=AffiliateReportStatus.DRAFT
    )  # due in the future of the factory's date? keep it not overdue
    html = signed_in(client, member_a).get(dashboard_url(affiliate_a)).content.decode()
    assert "data-compliance-reason" in html


def test_admin_changes_a_role_through_the_service(
    client, affiliate_a, admin_a, member_a
):
    membership = Membership.objects.get(user=member_a)
    client = signed_in(client, admin_a)
    html = client.get(members_url(affiliate_a)).content.decode()
    assert reverse("affiliates:membership_role", args=[membership.pk]) in html
    response = client.post(
        reverse("affiliates:membership_role", args=[membership.pk]),
        {"role": MembershipRole.ADMIN, "is_board": "on", "return_to": "dashboard"},
    )
    assert response.status_code == 302
    assert response["Location"] == dashboard_url(affiliate_a)
    membership.refresh_from_db()
    assert membership.role == MembershipRole.ADMIN and membership.is_board
    last = membership.history.first()
    assert last.history_user == admin_a


def test_admin_removes_a_member(client, affiliate_a, admin_a, member_a):
    membership = Membership.objects.get(user=member_a)
    client = signed_in(client, admin_a)
    page = client.get(members_url(affiliate_a)).content.decode()
    assert "data-confirm" in page
    response = client.post(
        reverse("affiliates:membership_remove", args=[membership.pk])
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REMOVED


def test_the_last_admin_cannot_be_removed_and_the_page_says_why(
    client, affiliate_a, admin_a
):
    own = Membership.objects.get(user=admin_a)
    client = signed_in(client, admin_a)
    for url, data in (
        (reverse("affiliates:membership_remove", args=[own.pk]), {}),
        (
            reverse("affiliates:membership_role", args=[own.pk]),
            {"role": MembershipRole.MEMBER},
        ),
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert "at least one admin" in response.content.decode()
    own.refresh_from_db()
    assert own.status == MembershipStatus.ACTIVE and own.role == MembershipRole.ADMIN


def test_members_see_roles_without_buttons_and_get_403_on_post(
    client, affiliate_a, admin_a, member_a
):
    admin_membership = Membership.objects.get(user=admin_a)
    client = signed_in(client, member_a)
    for url in (dashboard_url(affiliate_a), members_url(affiliate_a)):
        html = client.get(url).content.decode()
        assert "admin_a" in html
        assert "/role/" not in html and "/remove/" not in html
    assert (
        client.post(
            reverse("affiliates:membership_role", args=[admin_membership.pk]),
            {"role": MembershipRole.MEMBER},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("affiliates:membership_remove", args=[admin_membership.pk])
        ).status_code
        == 403
    )
    admin_membership.refresh_from_db()
    assert admin_membership.role == MembershipRole.ADMIN


def test_outsiders_cannot_reach_memberships_404(
    client, affiliate_a, admin_a, member_a, admin_b
):
    membership = Membership.objects.get(user=member_a)
    client = signed_in(client, admin_b)
    url = reverse("affiliates:membership_remove", args=[membership.pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code in (404, 405)


def queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def add_rows(affiliate, start, count):
    for n in range(start, start + count):
        MembershipFactory(affiliate=affiliate, user=UserFactory(username=f"m{n}"))
        proposal = ProposalFactory(affiliate=affiliate, status=ProposalStatus.REPORTING)
        GrantReport.objects.create(
            proposal=proposal,
            kind=GrantReportKind.FINAL,
            due_date=datetime.date(2026, 9, 30),
        )
        AffiliateReportFactory(affiliate=affiliate, fiscal_year=2000 + n)


def test_dashboard_and_members_queries_do_not_grow_with_rows(
    client, affiliate_a, admin_a
):
    client.force_login(admin_a)
    add_rows(affiliate_a, 0, 2)
    small = [
        queries(client, dashboard_url(affiliate_a)),
        queries(client, members_url(affiliate_a)),
    ]
    add_rows(affiliate_a, 2, 8)
    large = [
        queries(client, dashboard_url(affiliate_a)),
        queries(client, members_url(affiliate_a)),
    ]
    assert large == small
