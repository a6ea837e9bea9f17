"""Pages: the staff work inbox (see grants/urls.py).

`grants:staff_inbox` lists what waits for staff, oldest first, each section with its
count and links: submissions waiting for the eligibility check, rounds whose comment
period ended with proposals still in community review, overdue reviews, reports
waiting for acceptance, and join requests older than a week. Two queries per
section, whatever the number of rows. The other staff pages: staff_proposals.py
(eligibility, reviewers), staff_rounds.py (round set-up, bulk assignment),
staff_moderation.py (comments).
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from affiliates import permissions as affiliate_permissions
from affiliates.choices import AffiliateReportStatus, MembershipStatus
from affiliates.models import AffiliateReport, Membership
from portal.users import display_name

from .. import permissions
from ..choices import GrantReportStatus, ProposalStatus, ReviewStatus
from ..models import GrantReport, Proposal, ReviewerAssignment, Round
from ..models import Review as ReviewModel

SHOWN = 5  # rows per section; the count says how many there are in all
JOIN_REQUEST_WAIT = datetime.timedelta(days=7)


def require_staff(request) -> None:
    """Every staff page starts here (after login_required): others get 403."""
    if not permissions.can_use_staff_pages(request.user):
        raise PermissionDenied(_("These pages are for programme staff."))


@dataclass
class Section:
    key: str
    title: str
    empty: str
    count: int = 0
    rows: list = field(default_factory=list)


def _section(key, title, empty, queryset, person=None, shown=None) -> Section:
    """`shown`: the first rows of `queryset` read another way, where that is
    cheaper (see the overdue reviews)."""
    rows = list((queryset if shown is None else shown)[:SHOWN])
    if person:
        for row in rows:
            row.person = display_name(person(row))
    return Section(key, title, empty, queryset.count(), rows)


def _sections(user) -> list[Section]:
    today = timezone.localdate()
    waiting = permissions.visible_proposals(
        user,
        Proposal.objects.filter(
            status__in=[ProposalStatus.SUBMITTED, ProposalStatus.ELIGIBILITY_CHECK]
        ),
    ).select_related("affiliate", "round")
    rounds = (
        Round.objects.filter(
            comment_period_ends_on__lt=today,
            proposals__status=ProposalStatus.COMMUNITY_REVIEW,
        )
        .select_related("program")
        .annotate(
            waiting=Count(
                "proposals",
                filter=Q(proposals__status=ProposalStatus.COMMUNITY_REVIEW),
            )
        )
        .order_by("comment_period_ends_on", "pk")
    )
    submitted_review = ReviewModel.objects.filter(
        proposal=OuterRef("proposal"),
        reviewer=OuterRef("reviewer"),
        status=ReviewStatus.SUBMITTED,
    )
    overdue = (
        permissions.visible_assignments(user, ReviewerAssignment.objects.all())
        .filter(
            proposal__status=ProposalStatus.COMMITTEE_REVIEW,
            proposal__round__scoring_deadline__lt=today,
        )
        .exclude(Exists(submitted_review))
        .order_by("proposal__round__scoring_deadline", "assigned_at", "pk")
    )
    # The first few picked by id alone (an index-only path through the proposals
    # in committee review, grants.Proposal.Meta.indexes), then read with their
    # proposal and reviewer: reading every overdue assignment's proposal first
    # made PostgreSQL scan all the assignments.
    first_overdue = (
        ReviewerAssignment.objects.filter(pk__in=overdue.values("pk")[:SHOWN])
        .select_related("proposal__round", "reviewer__profile")
        .order_by("proposal__round__scoring_deadline", "assigned_at", "pk")
    )
    grant_reports = (
        permissions.visible_grant_reports(
            user, GrantReport.objects.filter(status=GrantReportStatus.SUBMITTED)
        )
        .select_related("proposal__affiliate")
        .order_by("submitted_at", "pk")
    )
    annual_reports = (
        affiliate_permissions.visible_affiliate_reports(
            user, AffiliateReport.objects.filter(status=AffiliateReportStatus.SUBMITTED)
        )
        .select_related("affiliate")
        .order_by("submitted_at", "pk")
    )
    stuck = (
        affiliate_permissions.visible_memberships(
            user,
            Membership.objects.filter(
                status=MembershipStatus.PENDING,
                requested_at__lt=timezone.now() - JOIN_REQUEST_WAIT,
            ),
        )
        .select_related("affiliate", "user__profile")
        .order_by("requested_at", "pk")
    )
    return [
        _section(
            "eligibility",
            _("Submissions waiting for the eligibility check"),
            _("No submission is waiting."),
            waiting.order_by("submitted_at", "pk"),
        ),
        _section(
            "comments_ended",
            _("Rounds whose comment period ended"),
            _("No round has proposals left in community review."),
            rounds,
        ),
        _section(
            "overdue_reviews",
            _("Overdue reviews"),
            _("No review is overdue."),
            overdue,
            person=lambda assignment: assignment.reviewer,
            shown=first_overdue,
        ),
        _section(
            "grant_reports",
            _("Grant reports waiting for acceptance"),
            _("No grant report is waiting."),
            grant_reports,
        ),
        _section(
            "annual_reports",
            _("Annual reports waiting for acceptance"),
            _("No annual report is waiting."),
            annual_reports,
        ),
        _section(
            "join_requests",
            _("Join requests waiting more than a week"),
            _("No join request has waited that long."),
            stuck,
            person=lambda membership: membership.user,
        ),
    ]


@login_required
def inbox(request):
    require_staff(request)
    return render(
        request,
        "grants/staff/inbox.html",
        {"sections": _sections(request.user), "shown": SHOWN},
    )


urlpatterns = [
    path("staff/", inbox, name="staff_inbox"),
]
