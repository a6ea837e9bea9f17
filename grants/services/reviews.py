"""Reviews: an assigned reviewer who declared no conflict scores a proposal on its
round's rubric, until the scoring deadline; staff may reopen a locked review."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import require_reason, save_audited

from .. import permissions
from ..choices import ProposalStatus, ReviewStatus
from ..models import Proposal, Review, Score
from ._children import check_child_count, sync_children
from .committees import staff_only


def _check_reviewer(actor, proposal: Proposal) -> None:
    """Assigned, still seated, not recused, declared; then the proposal's status."""
    refusal = permissions.scoring_refusal(actor, proposal)
    if refusal:
        raise PermissionDenied(refusal)
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
    rubric = proposal.round.rubric
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
    staff_only(actor)
    reason = require_reason(reason, _("Say why the review is reopened."))
    review = _locked_review(review)
    review.unlocked_until = until or timezone.now() + datetime.timedelta(days=7)
    return save_audited(review, actor=actor, reason=reason)
