"""Who may see and do what with programs, proposals, grant reports and COI records.

Visibility of a proposal:
- staff: every proposal, every field;
- approved members of the applicant affiliate: their affiliate's proposals, every field;
- signed-in people: the public fields of proposals open for community comment or in
  committee review, and of awarded grants;
- everyone, signed in or not: the public fields of awarded grants.
Pending members are treated like anybody else until an admin approves them.
"""

from django.db.models import Q, QuerySet

from affiliates.permissions import is_admin, is_member, is_staff, member_affiliate_ids

from .choices import GrantReportStatus, ProposalStatus

AWARDED_STATUSES = frozenset(
    {
        ProposalStatus.APPROVED,
        ProposalStatus.APPROVED_WITH_CONDITIONS,
        ProposalStatus.FUNDED,
        ProposalStatus.REPORTING,
        ProposalStatus.CLOSED,
    }
)
COMMUNITY_STATUSES = frozenset(
    {ProposalStatus.COMMUNITY_REVIEW, ProposalStatus.COMMITTEE_REVIEW}
)
# Transitions the applicant takes; every other transition is a staff decision.
APPLICANT_TRANSITIONS = frozenset({"submit", "withdraw"})


def visible_proposals(user, queryset: QuerySet) -> QuerySet:
    if is_staff(user):
        return queryset
    visible = Q(status__in=AWARDED_STATUSES)
    if user and user.is_authenticated:
        visible |= Q(status__in=COMMUNITY_STATUSES)
        visible |= Q(affiliate_id__in=member_affiliate_ids(user))
    return queryset.filter(visible)


def private_proposals(user, queryset: QuerySet) -> QuerySet:
    """Proposals whose private fields (budget, history) the user may see."""
    if is_staff(user):
        return queryset
    return queryset.filter(affiliate_id__in=member_affiliate_ids(user))


def can_view_proposal_private(user, proposal) -> bool:
    """Budget lines, internal dates and history: staff and the applicant's members."""
    return is_staff(user) or is_member(user, proposal.affiliate_id)


def can_create_proposal(user, affiliate) -> bool:
    return is_member(user, affiliate.pk)


def can_edit_proposal(user, proposal) -> bool:
    """Applicants edit drafts only (a proposal sent back is a draft again)."""
    return proposal.status == ProposalStatus.DRAFT and is_member(
        user, proposal.affiliate_id
    )


def can_delete_proposal(user, proposal) -> bool:
    """Only a draft that was never submitted: after that it stays on record."""
    return (
        proposal.status == ProposalStatus.DRAFT
        and proposal.submitted_at is None
        and is_admin(user, proposal.affiliate_id)
    )


def can_transition_proposal(user, proposal, transition: str) -> bool:
    """Affiliate admins submit and withdraw; staff take every other step."""
    if transition == "submit":
        return is_admin(user, proposal.affiliate_id)
    if transition == "withdraw":
        return is_staff(user) or is_admin(user, proposal.affiliate_id)
    return is_staff(user)


def can_manage_programs(user) -> bool:
    return is_staff(user)


# Grant reports ----------------------------------------------------------------------


def visible_grant_reports(user, queryset: QuerySet) -> QuerySet:
    if is_staff(user):
        return queryset
    return queryset.filter(proposal__affiliate_id__in=member_affiliate_ids(user))


def can_view_grant_report(user, report) -> bool:
    return is_staff(user) or is_member(user, report.proposal.affiliate_id)


def can_edit_grant_report(user, report) -> bool:
    return report.status in {
        GrantReportStatus.DRAFT,
        GrantReportStatus.INCOMPLETE,
    } and is_member(user, report.proposal.affiliate_id)


def can_submit_grant_report(user, report) -> bool:
    return is_admin(user, report.proposal.affiliate_id)


def can_review_grant_report(user, report) -> bool:
    return is_staff(user)


# Conflict-of-interest declarations ------------------------------------------------


def visible_declarations(user, queryset: QuerySet) -> QuerySet:
    """Declarations are personal: the declarant and staff only."""
    if is_staff(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(user=user)


def can_view_declaration(user, declaration) -> bool:
    return is_staff(user) or declaration.user_id == getattr(user, "pk", None)


def can_edit_declaration(user, declaration) -> bool:
    """Only the declarant changes their own words; staff read them."""
    return declaration.user_id == getattr(user, "pk", None)


def declarable_proposals(user, queryset: QuerySet) -> QuerySet:
    """A person declares on proposals they can see that have left the draft stage."""
    return visible_proposals(user, queryset).exclude(status=ProposalStatus.DRAFT)
