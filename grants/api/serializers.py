from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from affiliates.models import Affiliate
from portal.api.base import ChangeReasonField, ReaderFieldsMixin
from portal.users import UserSummarySerializer

from .. import permissions, readers
from ..models import (
    BudgetLine,
    DeclaredInterest,
    FundProgram,
    GrantReport,
    InterestDeclaration,
    MetricResult,
    Proposal,
    ProposalDeclaration,
    Round,
    Rubric,
    RubricCriterion,
    SpendingLine,
    TargetMetric,
)
from ..services.proposals import allowed_proposal_actions

# Computed sums can be wider than any one stored amount.
MONEY = {"max_digits": 24, "decimal_places": 2, "read_only": True}

# Programs and rounds ----------------------------------------------------------------


class RubricCriterionSerializer(serializers.ModelSerializer):
    """Name and guidance in the reader's language where translated."""

    class Meta:
        model = RubricCriterion
        fields = ["id", "name", "guidance", "weight", "position"]

    def to_representation(self, criterion):
        data = super().to_representation(criterion)
        data["name"], data["guidance"] = criterion.localized(get_language())
        return data


class RubricSerializer(serializers.ModelSerializer):
    criteria = RubricCriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Rubric
        fields = [
            "id",
            "version",
            "scale_min",
            "scale_max",
            "allow_not_applicable",
            "criteria",
        ]


class FundProgramSerializer(serializers.ModelSerializer):
    rubric = serializers.SerializerMethodField()
    change_reason = ChangeReasonField()

    class Meta:
        model = FundProgram
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "min_amount_usd",
            "max_amount_usd",
            "eligible_types",
            "max_duration_months",
            "interim_report_required",
            "interim_report_days_after_midpoint",
            "final_report_days_after_end",
            "yearly_report_for_multi_year",
            "is_active",
            "rubric",
            "change_reason",
        ]

    @extend_schema_field(RubricSerializer(allow_null=True))
    def get_rubric(self, program):
        rubric = program.current_rubric
        return RubricSerializer(rubric).data if rubric else None


class RoundSerializer(serializers.ModelSerializer):
    is_open = serializers.SerializerMethodField()
    rubric = serializers.PrimaryKeyRelatedField(
        queryset=Rubric.objects.all(),
        required=False,
        allow_null=True,
        help_text=_(
            "Frozen for the round: by default the program's current rubric when the "
            "round is created. It cannot change once reviews exist."
        ),
    )
    rubric_detail = RubricSerializer(source="rubric", read_only=True, allow_null=True)
    change_reason = ChangeReasonField()

    class Meta:
        model = Round
        fields = [
            "id",
            "program",
            "name",
            "opens_on",
            "closes_on",
            "comment_period_ends_on",
            "scoring_deadline",
            "committee",
            "min_reviews",
            "hide_reviewer_identities",
            "hide_applicant_identity",
            "rubric",
            "rubric_detail",
            "is_open",
            "change_reason",
        ]

    def get_is_open(self, round_) -> bool:
        return round_.is_open()


# Proposals --------------------------------------------------------------------------


class BudgetLineSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, help_text=_("Give it to keep a line.")
    )
    currency = serializers.CharField(
        max_length=3,
        required=False,
        help_text=_("Defaults to the proposal's currency."),
    )
    total = serializers.DecimalField(**MONEY)

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "activity",
            "category",
            "description",
            "unit",
            "unit_cost",
            "quantity",
            "currency",
            "total",
        ]


class TargetMetricSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, help_text=_("Give it to keep a metric.")
    )

    class Meta:
        model = TargetMetric
        fields = ["id", "kind", "name", "target"]
        # Uniqueness per kind is checked when the whole set is written.
        validators = []


class ProposalSerializer(ReaderFieldsMixin, serializers.ModelSerializer):
    """A proposal with its budget lines and targets, written in one request."""

    reference = serializers.CharField(read_only=True)
    affiliate = serializers.PrimaryKeyRelatedField(queryset=Affiliate.objects.all())
    budget_lines = BudgetLineSerializer(many=True, required=False)
    target_metrics = TargetMetricSerializer(many=True, required=False)
    amount_requested_usd = serializers.DecimalField(**MONEY)
    amount_approved_usd = serializers.DecimalField(**MONEY, allow_null=True)
    budget_total = serializers.DecimalField(**MONEY)
    allowed_actions = serializers.SerializerMethodField()
    change_reason = ChangeReasonField()

    omittable_fields = readers.PROPOSAL_OMITTABLE_FIELDS

    class Meta:
        model = Proposal
        fields = [
            "id",
            "reference",
            "affiliate",
            "program",
            "round",
            "title",
            "summary",
            "description",
            "language",
            "status",
            "start_date",
            "end_date",
            "currency",
            "amount_requested",
            "exchange_rate",
            "exchange_rate_frozen_at",
            "amount_requested_usd",
            "amount_approved",
            "amount_approved_usd",
            "conditions",
            "budget_total",
            "budget_lines",
            "target_metrics",
            "submitted_at",
            "decided_at",
            "created_at",
            "updated_at",
            "allowed_actions",
            "change_reason",
        ]
        read_only_fields = [
            "status",
            "exchange_rate_frozen_at",
            "amount_approved",
            "conditions",
            "submitted_at",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"exchange_rate": {"required": False}}

    def omitted_fields(self, user, proposal):
        return readers.proposal_view(user, proposal).omitted_fields

    def get_allowed_actions(self, proposal) -> list[str]:
        return allowed_proposal_actions(self.context["request"].user, proposal)

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, Proposal):
            # The applicant cannot move a proposal to another affiliate.
            fields["affiliate"].read_only = True
        return fields


class ProposalDecisionSerializer(serializers.Serializer):
    amount_approved = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        min_value=Decimal("0.01"),
        help_text=_("In the local currency; defaults to the amount requested."),
    )
    exchange_rate = serializers.DecimalField(
        max_digits=18,
        decimal_places=6,
        required=False,
        min_value=Decimal("0.000001"),
        help_text=_("The rate finance will pay at; frozen from now on."),
    )
    change_reason = ChangeReasonField(help_text=_("The committee's rationale."))


class ProposalConditionalDecisionSerializer(ProposalDecisionSerializer):
    conditions = serializers.CharField(max_length=5000)


# Grant reports ----------------------------------------------------------------------


class MetricResultSerializer(serializers.ModelSerializer):
    metric = serializers.PrimaryKeyRelatedField(queryset=TargetMetric.objects.all())
    label = serializers.CharField(source="metric.label", read_only=True)
    target = serializers.IntegerField(source="metric.target", read_only=True)

    class Meta:
        model = MetricResult
        fields = ["metric", "label", "target", "actual", "comment"]
        validators = []


class SpendingLineSerializer(serializers.ModelSerializer):
    budget_line = serializers.PrimaryKeyRelatedField(queryset=BudgetLine.objects.all())
    activity = serializers.CharField(source="budget_line.activity", read_only=True)
    budgeted = serializers.DecimalField(source="budget_line.total", **MONEY)
    variance = serializers.DecimalField(**MONEY)

    class Meta:
        model = SpendingLine
        fields = [
            "budget_line",
            "activity",
            "budgeted",
            "spent",
            "variance",
            "explanation",
        ]
        validators = []


class GrantReportSerializer(serializers.ModelSerializer):
    metric_results = MetricResultSerializer(many=True, required=False)
    spending = SpendingLineSerializer(many=True, required=False)
    change_reason = ChangeReasonField()

    def get_fields(self):
        fields = super().get_fields()
        user = getattr(self.context.get("request"), "user", None)
        fields["metric_results"].child.fields[
            "metric"
        ].queryset = permissions.reportable_rows(user, TargetMetric.objects.all())
        fields["spending"].child.fields[
            "budget_line"
        ].queryset = permissions.reportable_rows(user, BudgetLine.objects.all())
        return fields

    class Meta:
        model = GrantReport
        fields = [
            "id",
            "proposal",
            "kind",
            "due_date",
            "status",
            "narrative",
            "learnings",
            "metric_results",
            "spending",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "change_reason",
        ]
        read_only_fields = [
            "proposal",
            "kind",
            "due_date",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_comment",
        ]


# Conflict-of-interest declarations -------------------------------------------------


class DeclaredInterestSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)
    affiliate = serializers.PrimaryKeyRelatedField(
        queryset=Affiliate.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = DeclaredInterest
        fields = [
            "id",
            "kind",
            "affiliate",
            "organisation",
            "role",
            "description",
            "started_on",
            "ended_on",
        ]


class InterestDeclarationSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    interests = DeclaredInterestSerializer(many=True, required=False)
    change_reason = ChangeReasonField()

    class Meta:
        model = InterestDeclaration
        fields = [
            "id",
            "user",
            "year",
            "no_interests",
            "statement",
            "interests",
            "signed_at",
            "change_reason",
        ]
        read_only_fields = ["signed_at"]
        validators = []


class ProposalDeclarationSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    proposal = serializers.PrimaryKeyRelatedField(queryset=Proposal.objects.none())
    change_reason = ChangeReasonField()

    class Meta:
        model = ProposalDeclaration
        fields = [
            "id",
            "user",
            "proposal",
            "has_conflict",
            "conflict_type",
            "explanation",
            "declared_at",
            "change_reason",
        ]
        read_only_fields = ["declared_at"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, ProposalDeclaration):
            fields["proposal"].read_only = True  # a declaration stays with its proposal
        else:
            # Only proposals the declarant may see: no probing others' drafts by id.
            fields["proposal"].queryset = permissions.declarable_proposals(
                getattr(self.context.get("request"), "user", None),
                Proposal.objects.all(),
            )
        return fields
