import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal import limits
from portal.dates import add_months, clamped_date
from portal.fields import LimitedTextField
from portal.report_review import ReviewedReport
from portal.validators import (
    validate_country_code,
    validate_currency_code,
    validate_language_list,
    validate_plausible_date,
    validate_single_line_text,
)

from .choices import (
    AffiliateReportKind,
    AffiliateReportStatus,
    AffiliateStatus,
    AffiliateType,
    ComplianceStatus,
    DefermentCause,
    DefermentRequestStatus,
    MembershipRole,
    MembershipStatus,
    Region,
)


class AffiliateQuerySet(models.QuerySet):
    def with_compliance(self, as_of: datetime.date | None = None):
        """Annotate `compliance` as of a date, in one query for any number of rows.

        - suspended: the affiliate is not active (suspended or derecognised);
        - deferred: a deferment covers the date (the affiliate counts as compliant);
        - past due: a required report was due before the date and had not been
          submitted by then (or was sent back);
        - compliant: otherwise.
        """
        as_of = as_of or timezone.localdate()
        overdue = AffiliateReport.objects.overdue(as_of).filter(
            affiliate=OuterRef("pk")
        )
        deferred = Deferment.objects.filter(
            affiliate=OuterRef("pk"), valid_from__lte=as_of, until__gte=as_of
        )
        return self.annotate(
            has_overdue_report=Exists(overdue),
            has_deferment=Exists(deferred),
            compliance=Case(
                When(
                    ~Q(status=AffiliateStatus.ACTIVE),
                    then=Value(ComplianceStatus.SUSPENDED.value),
                ),
                When(has_deferment=True, then=Value(ComplianceStatus.DEFERRED.value)),
                When(
                    has_overdue_report=True, then=Value(ComplianceStatus.PAST_DUE.value)
                ),
                default=Value(ComplianceStatus.COMPLIANT.value),
                output_field=models.CharField(),
            ),
        )


class Affiliate(models.Model):
    name = models.CharField(
        _("name"), max_length=200, validators=[validate_single_line_text]
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    type = models.CharField(_("type"), max_length=32, choices=AffiliateType.choices)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text=_("ISO 3166 country code; empty for a global affiliate."),
    )
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)
    working_languages = models.JSONField(
        _("working languages"),
        default=list,
        blank=True,
        validators=[validate_language_list],
        help_text=_('Language codes, e.g. ["fr", "wo"].'),
    )
    fiscal_year_end_month = models.PositiveSmallIntegerField(
        _("fiscal year end (month)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    fiscal_year_end_day = models.PositiveSmallIntegerField(
        _("fiscal year end (day)"),
        default=31,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    recognition_date = models.DateField(
        _("recognition date"), validators=[validate_plausible_date]
    )
    reporting_since = models.DateField(
        _("reporting tracked since"),
        null=True,
        blank=True,
        help_text=_(
            "Annual reports are expected for fiscal years ending after this date. "
            "Empty: from the recognition date."
        ),
        validators=[validate_plausible_date],
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AffiliateStatus.choices,
        default=AffiliateStatus.ACTIVE,
    )
    public_contact = models.CharField(
        _("public contact"),
        max_length=254,
        blank=True,
        validators=[validate_single_line_text],
        help_text=_("An address or page the affiliate chooses to publish."),
    )
    hide_members = models.BooleanField(
        _("hide members"),
        default=True,
        help_text=_(
            "When on, only members and staff see who belongs to the affiliate."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = AffiliateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("affiliate")
        verbose_name_plural = _("affiliates")

    def __str__(self):
        return self.name

    def clean(self):
        try:
            # 2000 was a leap year: 29 February is a valid (clamped) year end.
            datetime.date(2000, self.fiscal_year_end_month, self.fiscal_year_end_day)
        except (TypeError, ValueError):
            raise ValidationError(
                {"fiscal_year_end_day": _("This day does not exist in that month.")}
            ) from None

    def fiscal_year_end(self, year: int) -> datetime.date:
        """The last day of the fiscal year that ends in calendar year `year`."""
        return clamped_date(year, self.fiscal_year_end_month, self.fiscal_year_end_day)

    def compliance_as_of(self, as_of: datetime.date | None = None) -> str:
        return (
            Affiliate.objects.with_compliance(as_of)
            .values_list("compliance", flat=True)
            .get(pk=self.pk)
        )


class Membership(models.Model):
    """A person acting for an affiliate. Joining is a request an admin must approve."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    affiliate = models.ForeignKey(
        Affiliate,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("affiliate"),
    )
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=MembershipRole.choices,
        default=MembershipRole.MEMBER,
    )
    is_board = models.BooleanField(_("board member"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.PENDING,
    )
    message = LimitedTextField(
        _("message with the request"), max_length=limits.MESSAGE, blank=True
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["affiliate__name", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "affiliate"], name="one_membership_per_person"
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.affiliate}"


class ReportingRule(models.Model):
    """When annual reports fall due, per affiliate type (defaults from the domain)."""

    affiliate_type = models.CharField(
        _("affiliate type"), max_length=32, choices=AffiliateType.choices, unique=True
    )
    grace_months = models.PositiveSmallIntegerField(
        _("months after fiscal year end"),
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    requires_financial_report = models.BooleanField(
        _("financial report required"), default=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["affiliate_type"]
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")

    def __str__(self):
        return self.get_affiliate_type_display()

    def required_kinds(self) -> list[str]:
        kinds = [AffiliateReportKind.ACTIVITY]
        if self.requires_financial_report:
            kinds.append(AffiliateReportKind.FINANCIAL)
        return kinds

    def due_date(self, fiscal_year_end: datetime.date) -> datetime.date:
        return add_months(fiscal_year_end, self.grace_months)


class AffiliateReportQuerySet(models.QuerySet):
    def overdue(self, as_of: datetime.date):
        """Reports due before `as_of` that had not been received by the end of it.

        Received means submitted (or accepted) by then; a report sent back counts as
        not received.
        """
        end_of_day = datetime.datetime.combine(
            as_of, datetime.time.max, tzinfo=datetime.UTC
        )
        return self.filter(due_date__lt=as_of).exclude(
            status__in=[
                AffiliateReportStatus.SUBMITTED,
                AffiliateReportStatus.ACCEPTED,
            ],
            submitted_at__lte=end_of_day,
        )


class AffiliateReport(ReviewedReport):
    """An annual activity or financial report for one fiscal year."""

    affiliate = models.ForeignKey(
        Affiliate,
        on_delete=models.PROTECT,
        related_name="annual_reports",
        verbose_name=_("affiliate"),
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"),
        help_text=_("The calendar year in which the fiscal year ends."),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=AffiliateReportKind.choices
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AffiliateReportStatus.choices,
        default=AffiliateReportStatus.DRAFT,
    )
    summary = LimitedTextField(_("summary"), max_length=limits.LONG_TEXT, blank=True)
    report_url = models.URLField(_("link to the full report"), blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[validate_single_line_text]
    )
    total_income = models.DecimalField(
        _("total income"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    total_expenses = models.DecimalField(
        _("total expenses"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    history = HistoricalRecords()
    objects = AffiliateReportQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "affiliate__name", "kind"]
        verbose_name = _("annual affiliate report")
        verbose_name_plural = _("annual affiliate reports")
        constraints = [
            models.UniqueConstraint(
                fields=["affiliate", "fiscal_year", "kind"],
                name="one_annual_report_per_kind_and_year",
            )
        ]

    def __str__(self):
        return f"{self.affiliate} FY{self.fiscal_year} {self.get_kind_display()}"

    def clean(self):
        if self.currency:
            try:
                validate_currency_code(self.currency)
            except ValidationError as exc:
                raise ValidationError({"currency": exc.messages}) from None


class Deferment(models.Model):
    """Staff may defer an affiliate's reporting for up to a year in hard times."""

    MAX_LENGTH = datetime.timedelta(days=366)

    affiliate = models.ForeignKey(
        Affiliate,
        on_delete=models.PROTECT,
        related_name="deferments",
        verbose_name=_("affiliate"),
    )
    cause = models.CharField(_("cause"), max_length=32, choices=DefermentCause.choices)
    explanation = LimitedTextField(_("explanation"), max_length=limits.COMMENT)
    valid_from = models.DateField(_("valid from"), validators=[validate_plausible_date])
    until = models.DateField(_("until"), validators=[validate_plausible_date])
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("deferment")
        verbose_name_plural = _("deferments")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__gte=models.F("valid_from")),
                name="deferment_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return f"{self.affiliate}: {self.valid_from} – {self.until}"

    def clean(self):
        if self.valid_from and self.until:
            if self.until < self.valid_from:
                raise ValidationError(
                    {"until": _("A deferment cannot end before it starts.")}
                )
            if self.until - self.valid_from > self.MAX_LENGTH:
                raise ValidationError(
                    {"until": _("A deferment lasts at most one year.")}
                )


class DefermentRequest(models.Model):
    """An affiliate's admin asks staff for a reporting deferment. Staff grant it
    (which records a `Deferment`) or refuse it with a reason the affiliate reads."""

    affiliate = models.ForeignKey(
        Affiliate,
        on_delete=models.PROTECT,
        related_name="deferment_requests",
        verbose_name=_("affiliate"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    cause = models.CharField(_("cause"), max_length=32, choices=DefermentCause.choices)
    until = models.DateField(_("deferred until"), validators=[validate_plausible_date])
    explanation = LimitedTextField(_("explanation"), max_length=limits.COMMENT)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DefermentRequestStatus.choices,
        default=DefermentRequestStatus.REQUESTED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = LimitedTextField(
        _("reason for the decision"), max_length=limits.COMMENT, blank=True
    )
    deferment = models.OneToOneField(
        Deferment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="request",
        verbose_name=_("deferment granted"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("deferment request")
        verbose_name_plural = _("deferment requests")

    def __str__(self):
        return f"{self.affiliate}: {self.get_cause_display()} ({self.until})"
