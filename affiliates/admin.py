from django.contrib import admin

from portal.admin import AuditedAdmin, ReadOnlyInline, WorkflowRecordAdmin

from .models import Affiliate, AffiliateReport, Deferment, Membership, ReportingRule


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["user", "role", "is_board", "status", "requested_at", "decided_at"]


@admin.register(Affiliate)
class AffiliateAdmin(AuditedAdmin):
    list_display = ["name", "type", "country", "region", "status", "recognition_date"]
    list_filter = ["type", "region", "status", "hide_members"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(WorkflowRecordAdmin):
    list_display = ["user", "affiliate", "role", "is_board", "status", "requested_at"]
    list_filter = ["status", "role", "is_board"]
    search_fields = ["user__username", "affiliate__name"]


@admin.register(ReportingRule)
class ReportingRuleAdmin(AuditedAdmin):
    list_display = ["affiliate_type", "grace_months", "requires_financial_report"]


@admin.register(AffiliateReport)
class AffiliateReportAdmin(WorkflowRecordAdmin):
    list_display = ["affiliate", "fiscal_year", "kind", "due_date", "status"]
    list_filter = ["kind", "status", "fiscal_year"]
    search_fields = ["affiliate__name"]


@admin.register(Deferment)
class DefermentAdmin(AuditedAdmin):
    list_display = ["affiliate", "cause", "valid_from", "until", "granted_by"]
    list_filter = ["cause"]
    raw_id_fields = ["granted_by"]
