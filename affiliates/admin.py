from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Affiliate, AffiliateReport, Deferment, Membership, ReportingRule


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "is_board", "status", "requested_at", "decided_at"]
    readonly_fields = ["requested_at", "decided_at"]
    raw_id_fields = ["user"]


@admin.register(Affiliate)
class AffiliateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "type", "country", "region", "status", "recognition_date"]
    list_filter = ["type", "region", "status", "hide_members"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    # Status moves only through the services (transition table, history).
    readonly_fields = ["status"]
    list_display = ["user", "affiliate", "role", "is_board", "status", "requested_at"]
    list_filter = ["status", "role", "is_board"]
    search_fields = ["user__username", "affiliate__name"]
    raw_id_fields = ["user", "decided_by"]


@admin.register(ReportingRule)
class ReportingRuleAdmin(SimpleHistoryAdmin):
    list_display = ["affiliate_type", "grace_months", "requires_financial_report"]


@admin.register(AffiliateReport)
class AffiliateReportAdmin(SimpleHistoryAdmin):
    # Status moves only through the services (transition table, history).
    readonly_fields = ["status"]
    list_display = ["affiliate", "fiscal_year", "kind", "due_date", "status"]
    list_filter = ["kind", "status", "fiscal_year"]
    search_fields = ["affiliate__name"]
    raw_id_fields = ["submitted_by"]


@admin.register(Deferment)
class DefermentAdmin(SimpleHistoryAdmin):
    list_display = ["affiliate", "cause", "valid_from", "until", "granted_by"]
    list_filter = ["cause"]
    raw_id_fields = ["granted_by"]
