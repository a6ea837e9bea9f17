"""Conflict-of-interest declarations: yearly interests and per-proposal answers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal import limits
from portal.fields import LimitedTextField
from portal.validators import validate_plausible_date, validate_single_line_text

from ..choices import ConflictType, InterestKind
from .proposals import Proposal


class InterestDeclaration(models.Model):
    """A person's yearly declaration of interests.

    The declarant is protected: deleting a user account never deletes a declaration.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="interest_declarations",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2199)]
    )
    no_interests = models.BooleanField(
        _("I have no interests to declare"), default=False
    )
    statement = LimitedTextField(
        _("anything else the committee should know"),
        max_length=limits.COMMENT,
        blank=True,
    )
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("declaration of interests")
        verbose_name_plural = _("declarations of interests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "year"], name="one_declaration_a_year"
            )
        ]

    def __str__(self):
        return f"{self.user} {self.year}"

    def audited_querysets(self) -> list:
        """The declaration's history rows and its interests'."""
        return [
            self.history.all(),
            DeclaredInterest.history.filter(declaration_id=self.pk),
        ]


class DeclaredInterest(models.Model):
    declaration = models.ForeignKey(
        InterestDeclaration, on_delete=models.CASCADE, related_name="interests"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=InterestKind.choices)
    affiliate = models.ForeignKey(
        "affiliates.Affiliate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The affiliate concerned, if it is one."),
    )
    organisation = models.CharField(
        _("organisation or person"),
        max_length=200,
        blank=True,
        validators=[validate_single_line_text],
    )
    role = models.CharField(
        _("role"), max_length=200, blank=True, validators=[validate_single_line_text]
    )
    description = LimitedTextField(_("details"), max_length=limits.COMMENT, blank=True)
    started_on = models.DateField(
        _("from"), null=True, blank=True, validators=[validate_plausible_date]
    )
    ended_on = models.DateField(
        _("until"), null=True, blank=True, validators=[validate_plausible_date]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["declaration", "id"]
        verbose_name = _("declared interest")
        verbose_name_plural = _("declared interests")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.affiliate or self.organisation}"

    def clean(self):
        errors = {}
        if not self.affiliate_id and not self.organisation.strip():
            errors["organisation"] = _("Name the affiliate, organisation or person.")
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("The end cannot be before the start.")
        if errors:
            raise ValidationError(errors)


class ProposalDeclaration(models.Model):
    """A person's answer for one proposal: no conflict, or a conflict to recuse for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposal_declarations",
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="declarations"
    )
    has_conflict = models.BooleanField(_("I have a conflict of interest"))
    conflict_type = models.CharField(
        _("type of conflict"), max_length=16, choices=ConflictType.choices, blank=True
    )
    explanation = LimitedTextField(
        _("explanation"), max_length=limits.COMMENT, blank=True
    )
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-declared_at", "id"]
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "proposal"], name="one_declaration_per_proposal"
            ),
            models.CheckConstraint(
                condition=models.Q(has_conflict=False, conflict_type="")
                | models.Q(has_conflict=True) & ~models.Q(conflict_type=""),
                name="conflict_has_a_type",
            ),
        ]

    def __str__(self):
        return f"{self.user} / {self.proposal}"

    def clean(self):
        errors = {}
        if self.has_conflict:
            if not self.conflict_type:
                errors["conflict_type"] = _("Say what kind of conflict it is.")
            if not self.explanation.strip():
                errors["explanation"] = _("Explain the conflict in a sentence or two.")
        elif self.conflict_type:
            errors["conflict_type"] = _(
                "A conflict type goes with “I have a conflict of interest”."
            )
        if errors:
            raise ValidationError(errors)
