from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin import AuditedAdmin, ReadOnlyInline, WorkflowRecordAdmin
from portal.errors import answer_for

from .models import (
    BudgetLine,
    CommentReport,
    CommentReportStatus,
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


class _ModerationReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("Kept in the record of each report and of the comment."),
    )


class OpenFirstFilter(admin.SimpleListFilter):
    """Open reports unless asked otherwise: the list staff work from."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*CommentReportStatus.choices, ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or CommentReportStatus.OPEN
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or CommentReportStatus.OPEN
        if value == "all":
            return queryset
        return queryset.filter(status=value)


@admin.register(CommentReport)
class CommentReportAdmin(WorkflowRecordAdmin):
    """Reports of community comments. Staff hide the comment or dismiss the report
    with a reason, through the services (grants/services/comments.py)."""

    list_display = [
        "created_at",
        "comment_text",
        "proposal",
        "reporter",
        "reason",
        "status",
        "handled_by",
    ]
    list_filter = [OpenFirstFilter]
    list_select_related = ["comment__proposal", "reporter", "handled_by"]
    actions = ["hide_comment", "dismiss"]

    @admin.display(description=_("comment"))
    def comment_text(self, report):
        body = report.comment.body
        return body if len(body) <= 120 else body[:119] + "…"

    @admin.display(description=_("proposal"))
    def proposal(self, report):
        return report.comment.proposal

    def _moderate(self, request, queryset, service, title):
        from .services import comments as services

        if "apply" in request.POST:
            form = _ModerationReasonForm(request.POST)
            if form.is_valid():
                done = 0
                for report in queryset:
                    try:
                        getattr(services, service)(
                            actor=request.user,
                            report=report,
                            reason=form.cleaned_data["reason"],
                        )
                        done += 1
                    except (ValidationError, PermissionDenied) as exc:
                        answer = answer_for(exc)
                        self.message_user(
                            request,
                            f"{report}: {' '.join(answer.summary)}",
                            messages.ERROR,
                        )
                    except Exception as exc:  # TransitionNotAllowed and the like
                        answer = answer_for(exc)
                        if answer is None:
                            raise
                        self.message_user(
                            request,
                            f"{report}: {' '.join(answer.summary)}",
                            messages.WARNING,
                        )
                if done:
                    self.message_user(
                        request,
                        gettext("%(count)s reports handled.") % {"count": done},
                        messages.SUCCESS,
                    )
                return None
        else:
            form = _ModerationReasonForm()
        return TemplateResponse(
            request,
            "admin/grants/commentreport/moderate.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "reports": queryset.select_related("comment", "reporter"),
                "form": form,
                "action": request.POST.get("action"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Hide the comment of the selected reports"))
    def hide_comment(self, request, queryset):
        return self._moderate(
            request, queryset, "comment_report_hide", gettext("Hide the comments")
        )

    @admin.action(description=_("Dismiss the selected reports"))
    def dismiss(self, request, queryset):
        return self._moderate(
            request, queryset, "comment_report_dismiss", gettext("Dismiss the reports")
        )
