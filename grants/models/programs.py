import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from affiliates.choices import AffiliateType
from portal import limits
from portal.fields import LimitedTextField
from portal.validators import validate_plausible_date, validate_single_line_text


def validate_affiliate_types(value) -> None:
    valid = set(AffiliateType.values)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item in valid for item in value)
    ):
        raise ValidationError(
            _("Choose one or more of: %(types)s."),
            code="invalid_types",
            params={"types": ", ".join(AffiliateType.values)},
        )


class FundProgram(models.Model):
    name = models.CharField(
        _("name"), max_length=200, validators=[validate_single_line_text]
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = LimitedTextField(
        _("description"), max_length=limits.LONG_TEXT, blank=True
    )
    min_amount_usd = models.DecimalField(
        _("minimum amount (USD)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    max_amount_usd = models.DecimalField(
        _("maximum amount (USD)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: no upper bound."),
    )
    eligible_types = models.JSONField(
        _("eligible applicant types"),
        default=list,
        validators=[validate_affiliate_types],
    )
    max_duration_months = models.PositiveSmallIntegerField(
        _("longest grant (months)"), null=True, blank=True
    )
    interim_report_required = models.BooleanField(_("interim report"), default=True)
    interim_report_days_after_midpoint = models.PositiveSmallIntegerField(
        _("interim report due (days after the midpoint)"), default=15
    )
    final_report_days_after_end = models.PositiveSmallIntegerField(
        _("final report due (days after the end)"), default=30
    )
    yearly_report_for_multi_year = models.BooleanField(
        _("yearly report for multi-year grants"), default=True
    )
    is_active = models.BooleanField(_("accepting proposals"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("fund program")
        verbose_name_plural = _("fund programs")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_amount_usd__isnull=True)
                | Q(max_amount_usd__gte=F("min_amount_usd")),
                name="program_max_not_below_min",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if (
            self.max_amount_usd is not None
            and self.min_amount_usd is not None
            and self.max_amount_usd < self.min_amount_usd
        ):
            raise ValidationError(
                {"max_amount_usd": _("The maximum cannot be below the minimum.")}
            )

    @property
    def current_rubric(self):
        rubrics = list(self.rubrics.all())
        return max(rubrics, key=lambda r: r.version) if rubrics else None


class Rubric(models.Model):
    """A versioned scoring rubric: scores always refer to the version they used."""

    program = models.ForeignKey(
        FundProgram, on_delete=models.CASCADE, related_name="rubrics"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    allow_not_applicable = models.BooleanField(
        _("“not applicable” allowed"), default=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "-version"]
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "version"], name="one_rubric_per_version"
            ),
            models.CheckConstraint(
                condition=Q(scale_max__gt=F("scale_min")), name="rubric_scale_rises"
            ),
        ]

    def __str__(self):
        return f"{self.program} v{self.version}"

    def in_use(self) -> bool:
        """Scored by any review: then it may not change; make a new version."""
        return (
            self.pk is not None and self.criteria.filter(scores__isnull=False).exists()
        )

    def clean(self):
        if self.pk and self.in_use():
            before = Rubric.objects.get(pk=self.pk)
            if (before.scale_min, before.scale_max, before.allow_not_applicable) != (
                self.scale_min,
                self.scale_max,
                self.allow_not_applicable,
            ):
                raise ValidationError(_("This rubric is in use: create a new version."))


class RubricCriterion(models.Model):
    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(
        _("name"), max_length=200, validators=[validate_single_line_text]
    )
    guidance = LimitedTextField(_("guidance"), max_length=limits.COMMENT, blank=True)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_('{"es": {"name": "…", "guidance": "…"}, …}'),
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["rubric", "position", "id"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self):
        return self.name

    def clean(self):
        if self.rubric_id and self.rubric.in_use():
            raise ValidationError(_("This rubric is in use: create a new version."))

    def localized(self, language: str | None) -> tuple[str, str]:
        """Name and guidance in `language` when translated, else as written."""
        text = (self.translations or {}).get((language or "").lower(), {})
        return text.get("name") or self.name, text.get("guidance") or self.guidance


class Round(models.Model):
    program = models.ForeignKey(
        FundProgram, on_delete=models.PROTECT, related_name="rounds"
    )
    name = models.CharField(
        _("name"), max_length=200, validators=[validate_single_line_text]
    )
    opens_on = models.DateField(_("opens on"), validators=[validate_plausible_date])
    closes_on = models.DateField(_("closes on"), validators=[validate_plausible_date])
    comment_period_ends_on = models.DateField(
        _("community comments until"), validators=[validate_plausible_date]
    )
    committee = models.ForeignKey(
        "grants.Committee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rounds",
        verbose_name=_("committee"),
    )
    rubric = models.ForeignKey(
        Rubric,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rounds",
        help_text=_("Frozen for the round: the program's rubric when it was set up."),
    )
    min_reviews = models.PositiveSmallIntegerField(
        _("reviews needed for ranking"), default=3
    )
    hide_reviewer_identities = models.BooleanField(
        _("hide reviewers from each other"), default=False
    )
    hide_applicant_identity = models.BooleanField(
        _("hide the applicant from reviewers"), default=False
    )
    scoring_deadline = models.DateField(
        _("scoring deadline"), validators=[validate_plausible_date]
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-opens_on", "name"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="round_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(comment_period_ends_on__gte=F("closes_on")),
                name="round_comments_after_closing",
            ),
            models.CheckConstraint(
                condition=Q(scoring_deadline__gte=F("comment_period_ends_on")),
                name="round_scoring_after_comments",
            ),
        ]

    def __str__(self):
        return f"{self.program} – {self.name}"

    def clean(self):
        order = [
            ("opens_on", self.opens_on),
            ("closes_on", self.closes_on),
            ("comment_period_ends_on", self.comment_period_ends_on),
            ("scoring_deadline", self.scoring_deadline),
        ]
        for (_before_name, before), (name, after) in zip(
            order, order[1:], strict=False
        ):
            if before and after and after < before:
                raise ValidationError(
                    {
                        name: _(
                            "Dates must follow each other: opening, closing, end of "
                            "comments, scoring deadline."
                        )
                    }
                )

    def is_open(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.opens_on <= on <= self.closes_on
