"""Committees, assignments, recusals, reviews, scores, decisions and comments."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from affiliates.choices import Region
from portal import limits
from portal.fields import LimitedTextField
from portal.validators import validate_single_line_text

from ..choices import (
    ConflictType,
    DecisionOutcome,
    RecommendationChoice,
    ReviewStatus,
    VoteChoice,
)
from .programs import FundProgram, Rubric, RubricCriterion
from .proposals import Proposal


class Committee(models.Model):
    """A funds committee, per region or per program, with a quorum for decisions."""

    name = models.CharField(
        _("name"), max_length=200, validators=[validate_single_line_text]
    )
    program = models.ForeignKey(
        FundProgram, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region = models.CharField(
        _("region"), max_length=16, choices=Region.choices, blank=True
    )
    quorum = models.PositiveSmallIntegerField(
        _("quorum"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Votes of voting, non-recused members a decision needs."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self):
        return self.name


class CommitteeMember(models.Model):
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="committee_seats",
    )
    is_voting = models.BooleanField(_("voting member"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["committee", "id"]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "user"], name="one_seat_per_committee"
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.committee}"


class ReviewerAssignment(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("reviewer assignment")
        verbose_name_plural = _("reviewer assignments")
        indexes = [
            # The staff inbox's overdue reviews: a proposal's assignments with what
            # the list is ordered by, from the index alone on PostgreSQL (which
            # otherwise scans every assignment to find those of a few proposals).
            models.Index(
                fields=["proposal"],
                include=["reviewer", "assigned_at", "id"],
                name="assignment_by_proposal",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"], name="one_assignment_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.proposal}"


class Recusal(models.Model):
    """A recusal recorded by staff (declared and automatic ones are computed)."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="recusals"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recusals"
    )
    conflict_type = models.CharField(
        _("type of conflict"), max_length=16, choices=ConflictType.choices
    )
    explanation = LimitedTextField(_("explanation"), max_length=limits.COMMENT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_recusal")
        ]

    def __str__(self):
        return f"{self.user} recused from {self.proposal}"


class Review(models.Model):
    """One reviewer's scores and recommendation for one proposal."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReviewStatus.choices,
        default=ReviewStatus.DRAFT,
    )
    recommendation = models.CharField(
        _("recommendation"),
        max_length=32,
        choices=RecommendationChoice.choices,
        blank=True,
    )
    comment_to_applicant = LimitedTextField(
        _("comment to the applicant"), max_length=limits.REVIEW_TEXT, blank=True
    )
    note_to_committee = LimitedTextField(
        _("private note to the committee"), max_length=limits.REVIEW_TEXT, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    unlocked_until = models.DateTimeField(
        _("unlocked until"),
        null=True,
        blank=True,
        help_text=_("Staff may reopen a review after the scoring deadline."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"], name="one_review_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.reviewer} on {self.proposal}"

    def audited_querysets(self) -> list:
        """The review's history rows and its scores'."""
        return [self.history.all(), Score.history.filter(review_id=self.pk)]

    def is_locked(self, now=None) -> bool:
        """Locked after the round's scoring deadline, unless staff reopened it."""
        now = now or timezone.now()
        if self.unlocked_until and now <= self.unlocked_until:
            return False
        return timezone.localdate(now) > self.proposal.round.scoring_deadline


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, related_name="scores"
    )
    value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    comment = LimitedTextField(_("comment"), max_length=limits.COMMENT, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "criterion__position", "criterion_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="one_score_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=True, value__isnull=True)
                | Q(not_applicable=False, value__isnull=False),
                name="score_is_a_value_or_not_applicable",
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {'n/a' if self.not_applicable else self.value}"

    def clean(self):
        rubric = self.criterion.rubric if self.criterion_id else None
        if rubric is None:
            return
        if self.not_applicable:
            if not rubric.allow_not_applicable:
                raise ValidationError(
                    {"not_applicable": _("This rubric has no “not applicable”.")}
                )
            self.value = None
        elif self.value is None:
            raise ValidationError({"value": _("Give a score.")})
        elif not rubric.scale_min <= self.value <= rubric.scale_max:
            raise ValidationError(
                {
                    "value": _("Scores go from %(min)s to %(max)s.")
                    % {"min": rubric.scale_min, "max": rubric.scale_max}
                }
            )


class Decision(models.Model):
    """The committee's decision on a proposal, with the vote of its members."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(
        _("outcome"), max_length=32, choices=DecisionOutcome.choices
    )
    amount_approved = models.DecimalField(
        _("amount approved"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    conditions = LimitedTextField(
        _("conditions"), max_length=limits.COMMENT, blank=True
    )
    rationale = LimitedTextField(_("rationale"), max_length=limits.REVIEW_TEXT)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self):
        return f"{self.proposal}: {self.get_outcome_display()}"


class Vote(models.Model):
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="votes"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    choice = models.CharField(_("vote"), max_length=8, choices=VoteChoice.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["decision", "id"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["decision", "member"], name="one_vote")
        ]

    def __str__(self):
        return f"{self.member}: {self.choice}"


class ProposalComment(models.Model):
    """Community comments during the comment period; applicants may reply."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = LimitedTextField(_("comment"), max_length=limits.COMMENT)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return f"{self.author} on {self.proposal}"
