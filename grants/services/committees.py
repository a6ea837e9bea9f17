"""Committees, their seats, reviewer assignments and recusals recorded by staff."""

import hashlib

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from notifications import events
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
    save_audited(assignment, actor=actor, reason=reason)
    events.reviewer_assigned(assignment, actor)
    return assignment


def plan_assignments(
    *,
    proposal_ids: list[int],
    seats: list[tuple[int, int]],
    load: dict[int, int],
    assigned: set[tuple[int, int]],
    recused: set[tuple[int, int]],
    reviewers_per_proposal: int,
) -> list[tuple[int, int]]:
    """The (proposal id, reviewer id) pairs a bulk assignment adds: a pure function
    of what is on record, shared by the preview and the save.

    `seats` are (seat id, user id) of the active committee members; each proposal gets
    the least-loaded members not recused from it and not yet assigned to it, ties to
    the earliest seat, until it has `reviewers_per_proposal`.
    """
    load = dict(load)
    assigned = set(assigned)
    plan = []
    for proposal_id in proposal_ids:
        have = sum(1 for _seat, user_id in seats if (proposal_id, user_id) in assigned)
        candidates = [
            (seat_id, user_id)
            for seat_id, user_id in seats
            if (proposal_id, user_id) not in assigned
            and (proposal_id, user_id) not in recused
        ]
        candidates.sort(key=lambda seat: (load.get(seat[1], 0), seat[0]))
        for _seat_id, user_id in candidates[: max(reviewers_per_proposal - have, 0)]:
            plan.append((proposal_id, user_id))
            assigned.add((proposal_id, user_id))
            load[user_id] = load.get(user_id, 0) + 1
    return plan


def _bulk_proposals(round):
    return Proposal.objects.filter(
        round=round,
        status__in=[ProposalStatus.COMMUNITY_REVIEW, ProposalStatus.COMMITTEE_REVIEW],
    ).order_by("pk")


def assignments_bulk_plan(*, round, reviewers_per_proposal: int):
    """What `assignments_bulk` would add now, without saving anything (the preview).
    Reads a fixed number of queries whatever the size of the round."""
    proposal_ids = list(_bulk_proposals(round).values_list("pk", flat=True))
    seats = list(
        CommitteeMember.objects.filter(committee=round.committee_id, is_active=True)
        .order_by("pk")
        .values_list("pk", "user_id")
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
        Proposal.objects.filter(pk__in=proposal_ids),
        [user_id for _seat, user_id in seats],
    )
    return plan_assignments(
        proposal_ids=proposal_ids,
        seats=seats,
        load=load,
        assigned=assigned,
        recused=recused,
        reviewers_per_proposal=reviewers_per_proposal,
    )


def assignment_plan_digest(*, round, reviewers_per_proposal: int, plan) -> str:
    """A short fingerprint of a plan, posted with the preview's "save" button."""
    text = f"{round.pk}:{reviewers_per_proposal}:" + ";".join(
        f"{p}-{r}" for p, r in plan
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@transaction.atomic
def assignments_bulk(
    *,
    actor,
    round,
    reviewers_per_proposal: int,
    reason: str = "",
    expected_digest: str | None = None,
):
    """Give every proposal of the round up to N reviewers, balancing the load.

    Each proposal gets the least-loaded committee members who are not recused from
    it and not yet assigned to it; ties go to the earliest seat. Conflicted reviewers
    are never assigned. With `expected_digest` (from a preview), refuses when the
    plan is no longer the one previewed. Returns the new assignments.
    """
    staff_only(actor)
    # Lock the round: two bulk assignments of one round run one after the other.
    round = type(round).objects.select_for_update().get(pk=round.pk)
    plan = assignments_bulk_plan(
        round=round, reviewers_per_proposal=reviewers_per_proposal
    )
    if expected_digest is not None and expected_digest != assignment_plan_digest(
        round=round, reviewers_per_proposal=reviewers_per_proposal, plan=plan
    ):
        raise ValidationError(
            {
                "plan": _(
                    "Assignments or the committee changed since the preview: "
                    "check the new preview, then save again."
                )
            }
        )
    proposals = Proposal.objects.in_bulk({p for p, _r in plan})
    users = get_user_model().objects.in_bulk({r for _p, r in plan})
    assignments = [
        save_audited(
            ReviewerAssignment(
                proposal=proposals[proposal_id],
                reviewer=users[user_id],
                assigned_by=actor,
            ),
            actor=actor,
            reason=reason or _("Bulk assignment"),
        )
        for proposal_id, user_id in plan
    ]
    events.reviewers_assigned(assignments, actor)
    return assignments


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
