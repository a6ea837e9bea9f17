"""Committees, their seats, reviewer assignments and recusals recorded by staff."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from portal.audit import delete_audited, save_audited

from .. import permissions
from ..choices import ProposalStatus
from ..models import Committee, CommitteeMember, Proposal, Recusal, ReviewerAssignment


def staff_only(actor) -> None:
    """Committees, assignments, recusals, unlocking, decisions, moderation: staff."""
    if not permissions.can_manage_reviews(actor):
        raise PermissionDenied


@transaction.atomic
def committee_create(*, actor, reason: str = "", **fields) -> Committee:
    staff_only(actor)
    return save_audited(Committee(**fields), actor=actor, reason=reason)


@transaction.atomic
def committee_update(*, actor, committee: Committee, reason: str = "", **fields):
    staff_only(actor)
    for name, value in fields.items():
        setattr(committee, name, value)
    return save_audited(committee, actor=actor, reason=reason)


@transaction.atomic
def committee_member_add(*, actor, reason: str = "", **fields) -> CommitteeMember:
    staff_only(actor)
    return save_audited(CommitteeMember(**fields), actor=actor, reason=reason)


@transaction.atomic
def committee_member_update(*, actor, member: CommitteeMember, reason="", **fields):
    staff_only(actor)
    fields.pop("committee", None)
    fields.pop("user", None)
    for name, value in fields.items():
        setattr(member, name, value)
    return save_audited(member, actor=actor, reason=reason)


# Assignments and recusals ------------------------------------------------------------


@transaction.atomic
def assignment_create(*, actor, proposal: Proposal, reviewer, reason: str = ""):
    """Assign one reviewer, never one who is recused from the proposal."""
    staff_only(actor)
    refusal = permissions.assignment_refusal(reviewer, proposal)
    if refusal:
        raise ValidationError({"reviewer": refusal})
    assignment = ReviewerAssignment(
        proposal=proposal, reviewer=reviewer, assigned_by=actor
    )
    return save_audited(assignment, actor=actor, reason=reason)


@transaction.atomic
def assignments_bulk(*, actor, round, reviewers_per_proposal: int, reason: str = ""):
    """Give every proposal of the round up to N reviewers, balancing the load.

    Each proposal gets the least-loaded committee members who are not recused from
    it and not yet assigned to it; ties go to the earliest seat. Conflicted reviewers
    are never assigned. Returns the new assignments.
    """
    staff_only(actor)
    proposals = list(
        Proposal.objects.filter(
            round=round,
            status__in=[
                ProposalStatus.COMMUNITY_REVIEW,
                ProposalStatus.COMMITTEE_REVIEW,
            ],
        ).order_by("pk")
    )
    seats = list(
        CommitteeMember.objects.filter(committee=round.committee_id, is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    load = dict(
        ReviewerAssignment.objects.filter(proposal__round=round)
        .values_list("reviewer_id")
        .annotate(n=Count("id"))
    )
    assigned = set(
        ReviewerAssignment.objects.filter(proposal__round=round).values_list(
            "proposal_id", "reviewer_id"
        )
    )
    recused = permissions.recused_pairs(
        Proposal.objects.filter(pk__in=[p.pk for p in proposals]),
        [seat.user_id for seat in seats],
    )
    created = []
    for proposal in proposals:
        have = sum(1 for seat in seats if (proposal.pk, seat.user_id) in assigned)
        candidates = [
            seat
            for seat in seats
            if (proposal.pk, seat.user_id) not in assigned
            and (proposal.pk, seat.user_id) not in recused
        ]
        candidates.sort(key=lambda seat: (load.get(seat.user_id, 0), seat.pk))
        for seat in candidates[: max(reviewers_per_proposal - have, 0)]:
            created.append(
                save_audited(
                    ReviewerAssignment(
                        proposal=proposal, reviewer=seat.user, assigned_by=actor
                    ),
                    actor=actor,
                    reason=reason or _("Bulk assignment"),
                )
            )
            assigned.add((proposal.pk, seat.user_id))
            load[seat.user_id] = load.get(seat.user_id, 0) + 1
    return created


@transaction.atomic
def recusal_create(*, actor, proposal: Proposal, user, reason: str = "", **fields):
    """Staff record that someone is recused (besides declared and automatic ones)."""
    staff_only(actor)
    recusal = Recusal(proposal=proposal, user=user, recorded_by=actor, **fields)
    save_audited(recusal, actor=actor, reason=reason)
    for assignment in ReviewerAssignment.objects.filter(
        proposal=proposal, reviewer=user
    ):
        delete_audited(assignment, actor=actor, reason=reason or _("Recused"))
    return recusal
