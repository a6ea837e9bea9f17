from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal import limits
from portal.dates import add_months
from portal.fields import LimitedTextField
from portal.validators import (
    validate_currency_code,
    validate_language_code,
    validate_plausible_date,
    validate_single_line_text,
)

from ..choices import BudgetCategory, MetricKind, ProposalStatus
from .programs import FundProgram, Round

CENT = Decimal("0.01")


def to_usd(amount: Decimal | None, rate: Decimal | None) -> Decimal | None:
    """Convert a local amount with a rate given as local units per US dollar."""
    if amount is None or not rate:
        return None
    return (Decimal(amount) / Decimal(rate)).quantize(CENT, rounding=ROUND_HALF_UP)


class Proposal(models.Model):
    affiliate = models.ForeignKey(
        "affiliates.Affiliate",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("affiliate"),
    )
    program = models.ForeignKey(
        FundProgram,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("fund program"),
    )
    round = models.ForeignKey(
        Round,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("round"),
    )
    title = models.CharField(
        _("title"), max_length=250, validators=[validate_single_line_text]
    )
    summary = LimitedTextField(_("summary"), max_length=limits.SUMMARY, blank=True)
    description = LimitedTextField(
        _("description"), max_length=limits.LONG_TEXT, blank=True
    )
    language = models.CharField(
        _("language of writing"),
        max_length=20,
        validators=[validate_language_code],
        help_text=_("Language code, e.g. “ar” or “zh-hans”."),
    )
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=ProposalStatus.choices,
        default=ProposalStatus.DRAFT,
        db_index=True,
    )
    start_date = models.DateField(
        _("start date"), null=True, blank=True, validators=[validate_plausible_date]
    )
    end_date = models.DateField(
        _("end date"), null=True, blank=True, validators=[validate_plausible_date]
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        validators=[validate_currency_code],
        help_text=_("ISO 4217 code of the local currency, e.g. NGN."),
    )
    amount_requested = models.DecimalField(
        _("amount requested"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("In the local currency."),
    )
    exchange_rate = models.DecimalField(
        _("exchange rate"),
        max_digits=18,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_(
            "Units of the local currency per US dollar. An estimate until the grant "
            "is awarded; then frozen."
        ),
    )
    exchange_rate_frozen_at = models.DateTimeField(
        _("exchange rate frozen at"), null=True, blank=True
    )
    amount_approved = models.DecimalField(
        _("amount approved"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    conditions = LimitedTextField(
        _("conditions of approval"), max_length=limits.COMMENT, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            # Full-text search on PostgreSQL (grants.search; created there only).
            GinIndex(
                SearchVector("title", "summary", config="simple"),
                name="proposal_text_search",
            ),
            # The funded grants page: the latest awarded grants first, and its
            # totals and charts, read from the index alone on PostgreSQL (it holds
            # the amounts). Only the statuses of permissions.AWARDED_STATUSES, so
            # that no undecided or declined proposal is read.
            models.Index(
                fields=["-decided_at", "-id"],
                include=[
                    "amount_approved",
                    "amount_requested",
                    "exchange_rate",
                    "program",
                    "affiliate",
                    "round",
                ],
                condition=Q(
                    status__in=[
                        ProposalStatus.APPROVED,
                        ProposalStatus.APPROVED_WITH_CONDITIONS,
                        ProposalStatus.FUNDED,
                        ProposalStatus.REPORTING,
                        ProposalStatus.CLOSED,
                    ]
                ),
                name="proposal_awarded_latest",
            ),
            # The staff inbox: the submissions waiting for the eligibility check,
            # oldest first, and the proposals in committee review per round (for
            # the overdue reviews), each a few in a hundred thousand.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(
                    status__in=[
                        ProposalStatus.SUBMITTED,
                        ProposalStatus.ELIGIBILITY_CHECK,
                    ]
                ),
                name="proposal_waiting_eligibility",
            ),
            models.Index(
                fields=["round", "id"],
                condition=Q(status=ProposalStatus.COMMITTEE_REVIEW),
                name="proposal_in_committee_review",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="proposal_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__gte=0),
                name="proposal_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(exchange_rate__gt=0), name="proposal_rate_positive"
            ),
        ]

    def __str__(self):
        return self.title

    def audited_querysets(self) -> list:
        """This proposal's history rows and its budget lines' and targets' (deleted
        ones too): its full record, and what its version is computed from."""
        return [
            self.history.all(),
            BudgetLine.history.filter(proposal_id=self.pk),
            TargetMetric.history.filter(proposal_id=self.pk),
        ]

    @property
    def reference(self) -> str:
        """A stable human reference such as GP-2026-00042."""
        year = self.created_at.year if self.created_at else ""
        return f"GP-{year}-{self.pk:05d}" if self.pk else ""

    @property
    def amount_requested_usd(self):
        return to_usd(self.amount_requested, self.exchange_rate)

    @property
    def amount_approved_usd(self):
        return to_usd(self.amount_approved, self.exchange_rate)

    def budget_total(self) -> Decimal:
        """Sum of the budget lines; uses prefetched lines when there are any."""
        return sum((line.total for line in self.budget_lines.all()), Decimal("0.00"))

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date must be on or after the start date.")
        if self.currency == "USD" and self.exchange_rate not in (None, Decimal(1)):
            errors["exchange_rate"] = _("A budget in US dollars has a rate of 1.")
        program = self.program if self.program_id else None
        if program and self.round_id and self.round.program_id != program.pk:
            errors["round"] = _("This round belongs to another fund program.")
        if (
            program
            and self.affiliate_id
            and (self.affiliate.type not in program.eligible_types)
        ):
            errors["program"] = _(
                "%(program)s does not fund affiliates of type “%(type)s”."
            ) % {"program": program.name, "type": self.affiliate.get_type_display()}
        if program and self.amount_requested is not None and self.exchange_rate:
            usd = self.amount_requested_usd
            low, high = program.min_amount_usd, program.max_amount_usd
            if usd < low or (high is not None and usd > high):
                bounds = (
                    _("between %(min)s and %(max)s USD") % {"min": low, "max": high}
                    if high is not None
                    else _("from %(min)s USD") % {"min": low}
                )
                errors["amount_requested"] = _(
                    "%(amount)s %(currency)s is %(usd)s USD at the given exchange "
                    "rate; %(program)s funds %(bounds)s."
                ) % {
                    "amount": self.amount_requested,
                    "currency": self.currency,
                    "usd": usd,
                    "program": program.name,
                    "bounds": bounds,
                }
        if (
            program
            and program.max_duration_months
            and self.start_date
            and self.end_date
            and self.end_date > add_months(self.start_date, program.max_duration_months)
        ):
            errors["end_date"] = _(
                "%(program)s grants last at most %(months)s months."
            ) % {"program": program.name, "months": program.max_duration_months}
        if errors:
            raise ValidationError(errors)


class BudgetLine(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="budget_lines"
    )
    activity = models.CharField(
        _("programme or activity"),
        max_length=200,
        validators=[validate_single_line_text],
    )
    category = models.CharField(
        _("expense category"), max_length=32, choices=BudgetCategory.choices
    )
    description = models.CharField(
        _("description"),
        max_length=500,
        blank=True,
        validators=[validate_single_line_text],
    )
    unit = models.CharField(
        _("unit"),
        max_length=50,
        help_text=_("e.g. day, person"),
        validators=[validate_single_line_text],
    )
    unit_cost = models.DecimalField(
        _("unit cost"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        _("currency"), max_length=3, validators=[validate_currency_code]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "position", "id"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0) & Q(quantity__gte=0),
                name="budget_line_not_negative",
            )
        ]

    def __str__(self):
        return f"{self.activity}: {self.description}"

    @property
    def total(self) -> Decimal:
        return (Decimal(self.unit_cost) * Decimal(self.quantity)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )

    @property
    def total_usd(self):
        return to_usd(self.total, self.proposal.exchange_rate)

    MAX_TOTAL = Decimal("999999999999.99")

    def clean(self):
        if (
            self.unit_cost is not None
            and self.quantity is not None
            and self.total > self.MAX_TOTAL
        ):
            raise ValidationError(
                {"quantity": _("This line's total is too large; split or check it.")}
            )
        if (
            self.proposal_id
            and self.currency
            and self.currency != self.proposal.currency
        ):
            raise ValidationError(
                {
                    "currency": _(
                        "Budget lines use the proposal's currency (%(currency)s)."
                    )
                    % {"currency": self.proposal.currency}
                }
            )


class TargetMetric(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="target_metrics"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=MetricKind.choices)
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        validators=[validate_single_line_text],
        help_text=_("For grantee-defined metrics."),
    )
    target = models.PositiveIntegerField(_("target"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["proposal", "kind", "id"]
        verbose_name = _("target metric")
        verbose_name_plural = _("target metrics")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "kind"],
                condition=~Q(kind=MetricKind.CUSTOM),
                name="one_standard_metric_per_kind",
            )
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.name if self.kind == MetricKind.CUSTOM else self.get_kind_display()

    def clean(self):
        if self.kind == MetricKind.CUSTOM and not self.name.strip():
            raise ValidationError({"name": _("Name your own metric.")})
        if self.kind != MetricKind.CUSTOM:
            self.name = ""
