"""The signed-in home: what needs this person now (drafts, reports due, join requests,
comments on their proposals, stories sent back).

Everything is scoped to the affiliates the person is an approved member of (one
cached query, affiliates.permissions), loaded through the same reader rules as the
API, with a fixed number of queries whatever the number of rows.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from affiliates import permissions as affiliate_permissions
from affiliates.choices import AffiliateReportStatus, ComplianceStatus, MembershipStatus
from affiliates.models import Affiliate, AffiliateReport, Membership
from grants import permissions as grant_permissions
from grants import readers as grant_readers
from grants.choices import GrantReportStatus, ProposalStatus
from grants.models import GrantReport, Proposal, ProposalComment
from grants.views.reviews import reviews_to_do
from portal.users import display_name

LIMIT = 10
# A decision on one's own join request stays on the home page this long.
RECENT_DECISION_DAYS = 30


def _drafts(user, affiliate_ids):
    return list(
        Proposal.objects.filter(
            affiliate_id__in=affiliate_ids, status=ProposalStatus.DRAFT
        )
        .select_related("affiliate", "program")
        .order_by("-updated_at", "-id")[:LIMIT]
    )


def _grant_reports_due(user, affiliate_ids):
    queryset = GrantReport.objects.filter(
        proposal__affiliate_id__in=affiliate_ids,
        status__in=[GrantReportStatus.DRAFT, GrantReportStatus.INCOMPLETE],
    ).select_related("proposal__affiliate")
    return list(
        grant_permissions.visible_grant_reports(user, queryset).order_by(
            "due_date", "id"
        )[:LIMIT]
    )


def _annual_reports_due(user, affiliate_ids):
    queryset = AffiliateReport.objects.filter(
        affiliate_id__in=affiliate_ids,
        status__in=[AffiliateReportStatus.DRAFT, AffiliateReportStatus.SENT_BACK],
    ).select_related("affiliate")
    return list(
        affiliate_permissions.visible_affiliate_reports(user, queryset).order_by(
            "due_date", "id"
        )[:LIMIT]
    )


def _requests_for_me(user):
    queryset = Membership.objects.filter(
        affiliate_id__in=affiliate_permissions.admin_affiliate_ids(user),
        status=MembershipStatus.PENDING,
    ).select_related("user__profile", "affiliate")
    return [
        {"membership": m, "name": display_name(m.user)}
        for m in affiliate_permissions.visible_memberships(user, queryset).order_by(
            "requested_at", "id"
        )[:LIMIT]
    ]


def _my_requests(user):
    """My requests waiting, and the answers to them from the last few weeks."""
    from affiliates.views.public import decision_reasons

    since = timezone.now() - timezone.timedelta(days=RECENT_DECISION_DAYS)
    rows = list(
        Membership.objects.filter(user=user)
        .filter(
            Q(status=MembershipStatus.PENDING)
            | Q(
                status__in=[MembershipStatus.ACTIVE, MembershipStatus.REJECTED],
                decided_at__gte=since,
            )
        )
        .select_related("affiliate")
        .order_by("-requested_at", "-id")[:LIMIT]
    )
    reasons = decision_reasons(
        [m.pk for m in rows if m.status == MembershipStatus.REJECTED]
    )
    return [{"membership": m, "reason": reasons.get(m.pk, "")} for m in rows]


def _recent_comments(user, affiliate_ids):
    queryset = ProposalComment.objects.filter(
        proposal__affiliate_id__in=affiliate_ids
    ).exclude(author=user)
    comments = grant_readers.comments_for_reader(user, queryset).order_by(
        "-created_at", "-id"
    )[:LIMIT]
    return [
        {"comment": c, "view": grant_readers.comment_view(user, c)} for c in comments
    ]


def _stories_sent_back(user):
    from cms.api import with_workflow_states
    from cms.models import LearningStoryPage
    from cms.permissions import own_stories

    queryset = (
        own_stories(
            user,
            with_workflow_states(
                LearningStoryPage.objects.select_related("affiliate", "locale")
            ),
        )
        .filter(_specific_workflow_states__status="needs_changes")
        .distinct()
        .order_by("-pk")[:LIMIT]
    )
    rows = []
    for story in queryset:
        state = story.current_workflow_state
        task_state = state.current_task_state if state else None
        rows.append(
            {
                "story": story,
                "comment": (task_state.comment if task_state else "") or "",
            }
        )
    return rows


COMPLIANCE_TONES = {
    ComplianceStatus.COMPLIANT: "success",
    ComplianceStatus.DEFERRED: "info",
    ComplianceStatus.PAST_DUE: "danger",
    ComplianceStatus.SUSPENDED: "warning",
}


def _my_affiliates(user, affiliate_ids):
    admin_of = affiliate_permissions.admin_affiliate_ids(user)
    return [
        {
            "affiliate": a,
            "is_admin": a.pk in admin_of,
            "compliance_label": ComplianceStatus(a.compliance).label,
            "compliance_tone": COMPLIANCE_TONES.get(a.compliance, "neutral"),
        }
        for a in Affiliate.objects.filter(pk__in=affiliate_ids)
        .with_compliance()
        .order_by("name")
    ]


@login_required
@require_GET
def home(request):
    user = request.user
    affiliate_ids = affiliate_permissions.member_affiliate_ids(user)
    return render(
        request,
        "portal/home.html",
        {
            "today": timezone.localdate(),
            "name": display_name(user),
            "drafts": _drafts(user, affiliate_ids),
            "grant_reports": _grant_reports_due(user, affiliate_ids),
            "annual_reports": _annual_reports_due(user, affiliate_ids),
            "requests_for_me": _requests_for_me(user),
            "my_requests": _my_requests(user),
            "comments": _recent_comments(user, affiliate_ids),
            "stories": _stories_sent_back(user),
            "affiliates": _my_affiliates(user, affiliate_ids),
            "reviews_to_do": reviews_to_do(user, LIMIT),
        },
    )
