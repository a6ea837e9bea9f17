from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal import limits
from portal.fields import LimitedTextField
from portal.report_review import ReviewedReport

from ..choices import GrantReportKind, GrantReportStatus
from .proposals import BudgetLine, Proposal, TargetMetric


class GrantReport(ReviewedReport):
    """An interim, yearly or final report on a funded grant."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=GrantReportKind.choices)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=GrantReportStatus.choices,
        default=GrantReportStatus.DRAFT,
    )
    narrative = LimitedTextField(
        _("what happened"), max_length=limits.LONG_TEXT, blank=True
    )
    learnings = LimitedTextField(
        _("what was learned"), max_length=limits.LONG_TEXT, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        # The API lists reports in this order, a page at a time.
        indexes = [
            models.Index(fields=["due_date", "id"], name="grant_report_due"),
            # The staff inbox: reports waiting for acceptance, oldest first, and
            # how many there are.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status=GrantReportStatus.SUBMITTED),
                name="grant_report_waiting",
            ),
        ]
        verbose_name = _("grant report")
        verbose_name_plural = _("grant reports")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "kind", "due_date"], name="one_report_per_due_date"
            )
        ]

    def __str__(self):
        return f"{self.proposal} – {self.get_kind_display()}"

    def audited_querysets(self) -> list:
        """The report's history rows and its results' and spending rows'."""
        return [
            self.history.all(),
            MetricResult.history.filter(report_id=self.pk),
            SpendingLine.history.filter(report_id=self.pk),
        ]

    @property
    def affiliate_id(self):
        return self.proposal.affiliate_id


class MetricResult(models.Model):
    report = models.ForeignKey(
        GrantReport, on_delete=models.CASCADE, related_name="metric_results"
    )
    metric = models.ForeignKey(
        TargetMetric, on_delete=models.PROTECT, related_name="results"
    )
    actual = models.PositiveIntegerField(_("actual"))
    comment = LimitedTextField(_("comment"), max_length=limits.COMMENT, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "metric"], name="one_result_per_metric"
            )
        ]

    def __str__(self):
        return f"{self.metric}: {self.actual}"


class SpendingLine(models.Model):
    report = models.ForeignKey(
        GrantReport, on_delete=models.CASCADE, related_name="spending"
    )
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="spending"
    )
    spent = models.DecimalField(
        _("spent"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    explanation = LimitedTextField(
        _("explanation of the variance"), max_length=limits.COMMENT, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "budget_line"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "budget_line"], name="one_spending_per_budget_line"
            )
        ]

    def __str__(self):
        return f"{self.budget_line}: {self.spent}"

    @property
    def variance(self) -> Decimal:
        """Budgeted minus spent: positive is an underspend."""
        return self.budget_line.total - Decimal(self.spent)

    def needs_explanation(self) -> bool:
        budgeted = self.budget_line.total
        threshold = Decimal(str(settings.PORTAL_VARIANCE_EXPLANATION_THRESHOLD))
        if budgeted == 0:
            return self.spent > 0
        return abs(self.variance) / budgeted > threshold
