from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
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


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


@admin.register(FundProgram)
class FundProgramAdmin(SimpleHistoryAdmin):
    list_display = ["name", "min_amount_usd", "max_amount_usd", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Rubric)
class RubricAdmin(SimpleHistoryAdmin):
    list_display = ["program", "version", "scale_min", "scale_max"]
    inlines = [RubricCriterionInline]


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "program", "opens_on", "closes_on", "scoring_deadline"]
    list_filter = ["program"]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


class TargetMetricInline(admin.TabularInline):
    model = TargetMetric
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(SimpleHistoryAdmin):
    # Status moves only through the services (transition table, history).
    readonly_fields = ["status"]
    list_display = ["title", "affiliate", "program", "round", "status", "language"]
    list_filter = ["status", "program", "language"]
    search_fields = ["title", "affiliate__name"]
    raw_id_fields = ["created_by"]
    inlines = [BudgetLineInline, TargetMetricInline]


@admin.register(BudgetLine, TargetMetric, MetricResult, SpendingLine, DeclaredInterest)
class HistoryOnlyAdmin(SimpleHistoryAdmin):
    """Rows edited through their parent; listed so staff can browse their history."""


class MetricResultInline(admin.TabularInline):
    model = MetricResult
    extra = 0


class SpendingLineInline(admin.TabularInline):
    model = SpendingLine
    extra = 0


@admin.register(GrantReport)
class GrantReportAdmin(SimpleHistoryAdmin):
    # Status moves only through the services (transition table, history).
    readonly_fields = ["status"]
    list_display = ["proposal", "kind", "due_date", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["submitted_by"]
    inlines = [MetricResultInline, SpendingLineInline]


class DeclaredInterestInline(admin.TabularInline):
    model = DeclaredInterest
    extra = 0


@admin.register(InterestDeclaration)
class InterestDeclarationAdmin(SimpleHistoryAdmin):
    list_display = ["user", "year", "no_interests", "signed_at"]
    list_filter = ["year"]
    raw_id_fields = ["user"]
    inlines = [DeclaredInterestInline]


@admin.register(ProposalDeclaration)
class ProposalDeclarationAdmin(SimpleHistoryAdmin):
    list_display = ["user", "proposal", "has_conflict", "conflict_type", "declared_at"]
    list_filter = ["has_conflict", "conflict_type"]
    raw_id_fields = ["user", "proposal"]
