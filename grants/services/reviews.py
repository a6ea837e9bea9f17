"""Committees, assignments, recusals, reviews, decisions and community comments."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import delete_audited, save_audited

from .. import permissions
from ..choices import (
    DecisionOutcome,
    ProposalStatus,
    ReviewStatus,
    VoteChoice,
)
from ..models import (
    Committee,
    CommitteeMember,
    Decision,
    Proposal,
    ProposalComment,
    ProposalDeclaration,
    Recusal,
    Review,
    ReviewerAssignment,
    Score,
    Vote,
)
from . import proposals as proposal_services
from ._children import check_child_count, sync_children


def _staff_only(actor):
    if not permissions.can_manage_reviews(actor):
        raise PermissionDenied


# Committees -------------------------------------------------------------------------


@transaction.atomic
def committee_create(*, actor, reason: str = "", **fields) -> Committee:
    _staff_only(actor)
    return save_audited(Committee(**fields), actor=actor, reason=reason)


@transaction.atomic
def committee_update(*, actor, committee: Committee, reason: str = "", **fields):
    _staff_only(actor)
    for name, value in fields.items():
        setattr(committee, name, value)
    return save_audited(committee, actor=actor, reason=reason)


@transaction.atomic
def committee_member_add(*, actor, reason: str = "", **fields) -> CommitteeMember:
    _staff_only(actor)
    return save_audited(CommitteeMember(**fields), actor=actor, reason=reason)


@transaction.atomic
def committee_member_update(*, actor, member: CommitteeMember, reason="", **fields):
    _staff_only(actor)
    fields.pop("committee", None)
    fields.pop("user", None)
    for name, value in fields.items():
        setattr(member, name, value)
    return save_audited(member, actor=actor, reason=reason)


# Assignments and recusals ------------------------------------------------------------


def _check_can_review(proposal: Proposal, reviewer) -> None:
    if not permissions.has_active_seat(reviewer, proposal.round.committee_id):
        raise ValidationError(
            {"reviewer": _("This person is not on the round's committee.")}
        )
    if permissions.is_recused(reviewer, proposal):
        raise ValidationError(
            {"reviewer": _("This person is recused from this proposal.")}
        )


@transaction.atomic
def assignment_create(*, actor, proposal: Proposal, reviewer, reason: str = ""):
    """Assign one reviewer, never one who is recused from the proposal."""
    _staff_only(actor)
    _check_can_review(proposal, reviewer)
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
    _staff_only(actor)
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
    recused = set()
    for seat in seats:
        recused.update(
            (pid, seat.user_id)
            for pid in Proposal.objects.filter(round=round)
            .filter(permissions.recused_q(seat.user))
            .values_list("pk", flat=True)
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
def recusal_record(*, actor, proposal: Proposal, user, reason: str = "", **fields):
    """Staff record that someone is recused (besides declared and automatic ones)."""
    _staff_only(actor)
    recusal = Recusal(proposal=proposal, user=user, recorded_by=actor, **fields)
    save_audited(recusal, actor=actor, reason=reason)
    for assignment in ReviewerAssignment.objects.filter(
        proposal=proposal, reviewer=user
    ):
        delete_audited(assignment, actor=actor, reason=reason or _("Recused"))
    return recusal


# Reviews ----------------------------------------------------------------------------


def _check_reviewer(actor, proposal: Proposal) -> None:
    """Assigned, still seated, not recused, declared; then the proposal's status."""
    if not ReviewerAssignment.objects.filter(
        proposal=proposal, reviewer=actor
    ).exists():
        raise PermissionDenied(_("You are not assigned to review this proposal."))
    if not permissions.has_active_seat(actor, proposal.round.committee_id):
        raise PermissionDenied(_("You no longer sit on this round's committee."))
    if permissions.is_recused(actor, proposal):
        raise PermissionDenied(_("You are recused from this proposal."))
    if not ProposalDeclaration.objects.filter(
        proposal=proposal, user=actor, has_conflict=False
    ).exists():
        raise PermissionDenied(
            _("Declare whether you have a conflict of interest before reviewing.")
        )
    if proposal.status != ProposalStatus.COMMITTEE_REVIEW:
        raise ValidationError(
            {"proposal": _("Only proposals in committee review can be scored.")}
        )


def _check_open(review: Review) -> None:
    if review.is_locked():
        raise ValidationError(
            _("The scoring deadline (%(deadline)s) has passed; the review is locked.")
            % {"deadline": review.proposal.round.scoring_deadline}
        )


def _write_scores(review: Review, scores, actor, reason) -> None:
    check_child_count(Score, scores, "scores")
    criteria = {c.pk for c in review.rubric.criteria.all()}
    existing = {s.criterion_id: s.pk for s in review.scores.all()}
    items = []
    for item in scores:
        item = dict(item)
        criterion = item["criterion"]
        if criterion.pk not in criteria:
            raise ValidationError(
                {
                    "scores": _("Criterion %(id)s is not on this rubric.")
                    % {"id": criterion.pk}
                }
            )
        if criterion.pk in existing:
            item["id"] = existing[criterion.pk]
        items.append(item)
    sync_children(
        parent_field="review",
        parent=review,
        model=Score,
        items=items,
        field_name="scores",
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def review_create(*, actor, proposal: Proposal, scores=(), reason: str = "", **fields):
    """Start (or save) a review: only an assigned, declared, non-recused reviewer,
    only in committee review and before the scoring deadline."""
    proposal = Proposal.objects.select_related("round", "program").get(pk=proposal.pk)
    _check_reviewer(actor, proposal)
    rubric = proposal.round.rubric or proposal.program.current_rubric
    if rubric is None:
        raise ValidationError({"proposal": _("This round has no rubric yet.")})
    if Review.objects.filter(proposal=proposal, reviewer=actor).exists():
        raise ValidationError(
            {"proposal": _("You have a review of this proposal already; edit it.")}
        )
    review = Review(proposal=proposal, reviewer=actor, rubric=rubric, **fields)
    _check_open(review)
    save_audited(review, actor=actor, reason=reason)
    _write_scores(review, scores, actor, reason)
    return review


def _locked_review(review: Review) -> Review:
    return (
        Review.objects.select_for_update()
        .select_related("proposal__round", "rubric")
        .get(pk=review.pk)
    )


@transaction.atomic
def review_update(*, actor, review: Review, scores=None, reason: str = "", **fields):
    """Edit a review (draft or submitted) until the scoring deadline."""
    review = _locked_review(review)
    if review.reviewer_id != actor.pk:
        raise PermissionDenied
    _check_reviewer(actor, review.proposal)
    _check_open(review)
    fields.pop("proposal", None)
    for name, value in fields.items():
        setattr(review, name, value)
    save_audited(review, actor=actor, reason=reason)
    if scores is not None:
        _write_scores(review, scores, actor, reason)
    return review


@transaction.atomic
def review_submit(*, actor, review: Review, reason: str = "") -> Review:
    """Submit a complete review: every criterion scored (or n/a where allowed)."""
    review = _locked_review(review)
    if review.reviewer_id != actor.pk:
        raise PermissionDenied
    _check_reviewer(actor, review.proposal)
    _check_open(review)
    scored = set(review.scores.values_list("criterion_id", flat=True))
    missing = [c.name for c in review.rubric.criteria.all() if c.pk not in scored]
    errors = {}
    if missing:
        errors["scores"] = _("Score every criterion: %(names)s.") % {
            "names": ", ".join(missing)
        }
    if not review.recommendation:
        errors["recommendation"] = _("Give your recommendation.")
    if errors:
        raise ValidationError(errors)
    review.status = ReviewStatus.SUBMITTED
    review.submitted_at = timezone.now()
    return save_audited(review, actor=actor, reason=reason)


@transaction.atomic
def review_unlock(*, actor, review: Review, reason: str, until=None) -> Review:
    """Staff reopen a locked review for a while; the reason is kept in history."""
    _staff_only(actor)
    if not (reason or "").strip():
        raise ValidationError({"change_reason": _("Say why the review is reopened.")})
    review = _locked_review(review)
    review.unlocked_until = until or timezone.now() + datetime.timedelta(days=7)
    return save_audited(review, actor=actor, reason=reason)


# Decisions --------------------------------------------------------------------------


@transaction.atomic
def decision_record(
    *,
    actor,
    proposal: Proposal,
    outcome: str,
    votes,
    rationale: str,
    amount_approved=None,
    exchange_rate=None,
    conditions: str = "",
    reason: str = "",
) -> Decision:
    """Record the committee's decision and move the proposal on.

    Votes count only from voting, active, non-recused members of the round's
    committee; fewer votes than the quorum, or a vote that does not carry the
    outcome, is refused and nothing changes.
    """
    _staff_only(actor)
    proposal = Proposal.objects.select_related("round__committee").get(pk=proposal.pk)
    committee = proposal.round.committee
    if committee is None:
        raise ValidationError({"proposal": _("This round has no committee.")})
    eligible = set(
        CommitteeMember.objects.filter(
            committee=committee, is_voting=True, is_active=True
        ).values_list("user_id", flat=True)
    )
    recused = permissions.recused_user_ids(proposal, eligible)
    declared = set(
        ProposalDeclaration.objects.filter(
            proposal=proposal, user_id__in=eligible, has_conflict=False
        ).values_list("user_id", flat=True)
    )
    tally = {choice: 0 for choice in VoteChoice.values}
    seen = set()
    for vote in votes:
        member = vote["member"]
        if member.pk not in eligible:
            raise ValidationError(
                {
                    "votes": _("%(name)s is not a voting member of the committee.")
                    % {"name": member.get_username()}
                }
            )
        if member.pk in recused:
            raise ValidationError(
                {
                    "votes": _("%(name)s is recused and cannot vote.")
                    % {"name": member.get_username()}
                }
            )
        if member.pk not in declared:
            raise ValidationError(
                {
                    "votes": _("%(name)s has not declared on this proposal.")
                    % {"name": member.get_username()}
                }
            )
        if member.pk in seen:
            raise ValidationError({"votes": _("Each member votes once.")})
        seen.add(member.pk)
        tally[vote["choice"]] += 1
    cast = sum(tally.values())
    if cast < committee.quorum:
        raise ValidationError(
            {
                "votes": _("%(cast)s votes cast; the quorum is %(quorum)s.")
                % {"cast": cast, "quorum": committee.quorum}
            }
        )
    carried = tally[VoteChoice.FOR] > tally[VoteChoice.AGAINST]
    if carried != (outcome != DecisionOutcome.DECLINED):
        raise ValidationError(
            {
                "outcome": _(
                    "The vote (%(f)s for, %(a)s against) does not carry this outcome."
                )
                % {"f": tally[VoteChoice.FOR], "a": tally[VoteChoice.AGAINST]}
            }
        )
    decision = save_audited(
        Decision(
            proposal=proposal,
            outcome=outcome,
            rationale=rationale,
            amount_approved=amount_approved,
            conditions=conditions,
            decided_by=actor,
        ),
        actor=actor,
        reason=reason or rationale,
    )
    for vote in votes:
        save_audited(
            Vote(decision=decision, member=vote["member"], choice=vote["choice"]),
            actor=actor,
            reason=reason or rationale,
        )
    why = reason or rationale
    if outcome == DecisionOutcome.DECLINED:
        proposal_services.proposal_decline(actor=actor, proposal=proposal, reason=why)
    elif outcome == DecisionOutcome.APPROVED_WITH_CONDITIONS:
        proposal_services.proposal_approve_with_conditions(
            actor=actor,
            proposal=proposal,
            conditions=conditions,
            amount_approved=amount_approved,
            exchange_rate=exchange_rate,
            reason=why,
        )
    else:
        proposal_services.proposal_approve(
            actor=actor,
            proposal=proposal,
            amount_approved=amount_approved,
            exchange_rate=exchange_rate,
            reason=why,
        )
    proposal.refresh_from_db()
    decision.amount_approved = proposal.amount_approved
    return save_audited(decision, actor=actor, reason=why)


# Community comments -----------------------------------------------------------------


@transaction.atomic
def comment_create(*, actor, proposal: Proposal, body: str, parent=None, reason=""):
    """Signed-in people comment during the comment period; the applicant replies."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied
    proposal = Proposal.objects.select_related("round").get(pk=proposal.pk)
    today = timezone.localdate()
    if (
        proposal.status != ProposalStatus.COMMUNITY_REVIEW
        or today > proposal.round.comment_period_ends_on
    ):
        raise ValidationError(
            {"proposal": _("This proposal is not open for comments.")}
        )
    if parent is not None:
        if parent.proposal_id != proposal.pk:
            raise ValidationError({"parent": _("Reply on the same proposal.")})
        if not permissions.can_reply_as_applicant(actor, proposal):
            raise PermissionDenied(_("Only the applicant replies to comments."))
    comment = ProposalComment(proposal=proposal, author=actor, body=body, parent=parent)
    return save_audited(comment, actor=actor, reason=reason)


@transaction.atomic
def comment_hide(*, actor, comment: ProposalComment, reason: str):
    """Staff hide an abusive comment; its text stays in the history."""
    _staff_only(actor)
    if not (reason or "").strip():
        raise ValidationError({"change_reason": _("Say why the comment is hidden.")})
    comment.is_hidden = True
    return save_audited(comment, actor=actor, reason=reason)
