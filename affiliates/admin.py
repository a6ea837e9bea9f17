from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.admin import AuditedAdmin, ReadOnlyInline, WorkflowRecordAdmin
from portal.errors import answer_for
from portal.exceptions import TransitionNotAllowed

from . import services
from .models import (
    Affiliate,
    AffiliateReport,
    Deferment,
    DefermentRequest,
    Membership,
    ReportingRule,
)


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


def _decide(modeladmin, request, queryset, service, **kwargs):
    done = 0
    for item in queryset:
        try:
            service(actor=request.user, request=item, **kwargs)
        except (PermissionDenied, ValidationError, TransitionNotAllowed) as exc:
            answer = answer_for(exc)
            modeladmin.message_user(
                request, f"{item}: {' '.join(answer.summary)}", messages.ERROR
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request,
            _("Requests decided: %(count)s.") % {"count": done},
            messages.SUCCESS,
        )


@admin.register(DefermentRequest)
class DefermentRequestAdmin(WorkflowRecordAdmin):
    """Requests are decided here by staff, through the services (which record the
    deferment and tell the affiliate why)."""

    list_display = ["affiliate", "cause", "until", "status", "requested_at"]
    list_filter = ["status", "cause"]
    search_fields = ["affiliate__name"]
    actions = ["grant", "refuse"]

    @admin.action(description=gettext_lazy("Grant the selected requests"))
    def grant(self, request, queryset):
        _decide(self, request, queryset, services.deferment_request_grant)

    @admin.action(description=gettext_lazy("Refuse the selected requests…"))
    def refuse(self, request, queryset):
        reason = request.POST.get("decision_reason", "").strip()
        if "apply" in request.POST and reason:
            _decide(
                self,
                request,
                queryset,
                services.deferment_request_refuse,
                reason=reason,
            )
            return None
        return TemplateResponse(
            request,
            "admin/affiliates/defermentrequest/refuse.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Refuse deferment requests"),
                "queryset": queryset,
                "missing_reason": "apply" in request.POST,
                "opts": self.model._meta,
            },
        )
