from django.contrib import admin

from portal.admin import AuditedAdmin, ReadOnlyInline, WorkflowRecordAdmin

from .models import (
    BudgetLine,
    Committee,
    CommitteeMember,
    Decision,
    DeclaredInterest,
    FundProgram,
    GrantReport,
    InterestDeclaration,
    MetricResult,
    Proposal,
    ProposalComment,
    ProposalDeclaration,
    Recusal,
    Review,
    ReviewerAssignment,
    Round,
    Rubric,
    RubricCriterion,
    Score,
    SpendingLine,
    TargetMetric,
    Vote,
)


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


@admin.register(FundProgram)
class FundProgramAdmin(AuditedAdmin):
    list_display = ["name", "min_amount_usd", "max_amount_usd", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Rubric)
class RubricAdmin(AuditedAdmin):
    list_display = ["program", "version", "scale_min", "scale_max"]
    inlines = [RubricCriterionInline]


@admin.register(Round)
class RoundAdmin(AuditedAdmin):
    list_display = ["name", "program", "opens_on", "closes_on", "scoring_deadline"]
    list_filter = ["program"]


class BudgetLineInline(ReadOnlyInline):
    model = BudgetLine


class TargetMetricInline(ReadOnlyInline):
    model = TargetMetric


@admin.register(Proposal)
class ProposalAdmin(WorkflowRecordAdmin):
    list_display = ["title", "affiliate", "program", "round", "status", "language"]
    list_filter = ["status", "program", "language"]
    search_fields = ["title", "affiliate__name"]
    inlines = [BudgetLineInline, TargetMetricInline]


@admin.register(BudgetLine, TargetMetric, MetricResult, SpendingLine, DeclaredInterest)
class ChildRecordAdmin(WorkflowRecordAdmin):
    """Rows written with their parent; listed so staff can browse their history."""


class MetricResultInline(ReadOnlyInline):
    model = MetricResult


class SpendingLineInline(ReadOnlyInline):
    model = SpendingLine


@admin.register(GrantReport)
class GrantReportAdmin(WorkflowRecordAdmin):
    list_display = ["proposal", "kind", "due_date", "status"]
    list_filter = ["kind", "status"]
    inlines = [MetricResultInline, SpendingLineInline]


class DeclaredInterestInline(ReadOnlyInline):
    model = DeclaredInterest


@admin.register(InterestDeclaration)
class InterestDeclarationAdmin(WorkflowRecordAdmin):
    list_display = ["user", "year", "no_interests", "signed_at"]
    list_filter = ["year"]
    inlines = [DeclaredInterestInline]


@admin.register(ProposalDeclaration)
class ProposalDeclarationAdmin(WorkflowRecordAdmin):
    list_display = ["user", "proposal", "has_conflict", "conflict_type", "declared_at"]
    list_filter = ["has_conflict", "conflict_type"]


class CommitteeMemberInline(ReadOnlyInline):
    model = CommitteeMember


@admin.register(Committee)
class CommitteeAdmin(AuditedAdmin):
    list_display = ["name", "program", "region", "quorum"]
    inlines = [CommitteeMemberInline]


class ScoreInline(ReadOnlyInline):
    model = Score


@admin.register(Review)
class ReviewAdmin(WorkflowRecordAdmin):
    list_display = ["proposal", "reviewer", "status", "recommendation", "submitted_at"]
    list_filter = ["status", "recommendation"]
    inlines = [ScoreInline]


class VoteInline(ReadOnlyInline):
    model = Vote


@admin.register(Decision)
class DecisionAdmin(WorkflowRecordAdmin):
    list_display = ["proposal", "outcome", "decided_by", "decided_at"]
    inlines = [VoteInline]


@admin.register(
    CommitteeMember, ReviewerAssignment, Recusal, Score, Vote, ProposalComment
)
class ReviewRecordAdmin(WorkflowRecordAdmin):
    """Written through the API's services; browsed here with their history."""
