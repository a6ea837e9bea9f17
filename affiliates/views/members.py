"""Pages for members: the dashboard, members and roles, annual reports, deferments.

Thin views: objects load through permissions.py (404 for what one may not see),
POSTs call the services (403 for what one sees but may not do), and the buttons show
only where the same permission functions say yes.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.errors import answer_for
from portal.exceptions import StaleRecord
from portal.review_forms import ReportReviewForm
from portal.transitions import allowed_transitions
from portal.users import display_name
from portal.versions import check_version, record_version

from .. import permissions, services
from ..choices import (
    AffiliateReportStatus,
    DefermentRequestStatus,
    MembershipRole,
    MembershipStatus,
)
from ..compliance import compliance_of
from ..dashboard import panels
from ..forms.members import AnnualReportForm, DefermentRequestForm, MembershipRoleForm
from ..models import (
    Affiliate,
    AffiliateReport,
    DefermentRequest,
    Membership,
)

REPORT_TONES = {
    AffiliateReportStatus.DRAFT: "neutral",
    AffiliateReportStatus.SUBMITTED: "info",
    AffiliateReportStatus.ACCEPTED: "success",
    AffiliateReportStatus.SENT_BACK: "warning",
}
REQUEST_TONES = {
    DefermentRequestStatus.REQUESTED: "info",
    DefermentRequestStatus.GRANTED: "success",
    DefermentRequestStatus.REFUSED: "warning",
}


def _member_affiliate(request, slug: str) -> Affiliate:
    """The affiliate, with today's compliance, for its members and staff only."""
    affiliate = get_object_or_404(Affiliate.objects.with_compliance(), slug=slug)
    if not permissions.can_view_affiliate_private(request.user, affiliate):
        raise Http404
    return affiliate


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    name: str
    form: MembershipRoleForm | None


def _member_rows(request, affiliate: Affiliate) -> list[MemberRow]:
    user = request.user
    memberships = (
        permissions.visible_memberships(
            user,
            Membership.objects.filter(
                affiliate=affiliate, status=MembershipStatus.ACTIVE
            ),
        )
        .select_related("user__profile")
        .order_by("role", "user__username")
    )
    rows = []
    for membership in memberships:
        may_manage = permissions.can_decide_membership(user, membership)
        form = None
        if may_manage:
            form = MembershipRoleForm(
                initial={"role": membership.role, "is_board": membership.is_board},
                auto_id=f"member-{membership.pk}-%s",
            )
        rows.append(MemberRow(membership, display_name(membership.user), form))
    return rows


def _annual_reports(request, affiliate: Affiliate):
    return permissions.visible_affiliate_reports(
        request.user, AffiliateReport.objects.filter(affiliate=affiliate)
    ).order_by("-fiscal_year", "kind")


def _deferment_requests(request, affiliate: Affiliate):
    return (
        permissions.visible_deferment_requests(
            request.user, DefermentRequest.objects.filter(affiliate=affiliate)
        )
        .select_related("requested_by__profile")
        .order_by("-requested_at", "-pk")
    )


def _members_context(request, affiliate: Affiliate, error=None) -> dict:
    return {
        "affiliate": affiliate,
        "members": _member_rows(request, affiliate),
        "member_error": error,
        "roles": MembershipRole,
    }


@login_required
def dashboard(request, slug):
    affiliate = _member_affiliate(request, slug)
    context = {
        **_members_context(request, affiliate),
        "compliance": compliance_of(affiliate),
        "annual_reports": _annual_reports(request, affiliate),
        "report_tones": REPORT_TONES,
        "deferment_requests": _deferment_requests(request, affiliate),
        "request_tones": REQUEST_TONES,
        "can_request_deferment": permissions.can_request_deferment(
            request.user, affiliate
        ),
        "panels": [
            (panel.order, render_to_string(panel.template, panel.context, request))
            for panel in panels(request, affiliate)
        ],
        "return_to": "dashboard",
    }
    return render(request, "affiliates/members/dashboard.html", context)


@login_required
def members(request, slug):
    affiliate = _member_affiliate(request, slug)
    context = {**_members_context(request, affiliate), "return_to": "members"}
    return render(request, "affiliates/members/members.html", context)


def _membership_for(request, pk: int) -> Membership:
    membership = get_object_or_404(
        permissions.visible_memberships(
            request.user,
            Membership.objects.select_related("affiliate", "user__profile"),
        ).filter(affiliate_id__in=permissions.private_view_affiliate_ids(request.user)),
        pk=pk,
    )
    if not permissions.can_decide_membership(request.user, membership):
        raise PermissionDenied
    return membership


def _back(request, affiliate: Affiliate) -> HttpResponseRedirect:
    name = "dashboard" if request.POST.get("return_to") == "dashboard" else "members"
    return HttpResponseRedirect(reverse(f"affiliates:{name}", args=[affiliate.slug]))


def _refused(request, membership: Membership, error: ValidationError):
    """The service said no (the last admin): show its words on the members page."""
    affiliate = Affiliate.objects.with_compliance().get(pk=membership.affiliate_id)
    context = {
        **_members_context(request, affiliate, error=answer_for(error).summary),
        "return_to": "members",
    }
    return render(request, "affiliates/members/members.html", context, status=400)


@login_required
@require_POST
def membership_role(request, pk):
    membership = _membership_for(request, pk)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Choose a role."))
    try:
        services.membership_change_role(
            actor=request.user,
            membership=membership,
            role=form.cleaned_data["role"],
            is_board=form.cleaned_data["is_board"],
        )
    except ValidationError as error:
        return _refused(request, membership, error)
    messages.success(
        request,
        _("%(name)s is now: %(role)s.")
        % {
            "name": display_name(membership.user),
            "role": MembershipRole(form.cleaned_data["role"]).label,
        },
    )
    return _back(request, membership.affiliate)


@login_required
@require_POST
def membership_remove(request, pk):
    membership = _membership_for(request, pk)
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as error:
        return _refused(request, membership, error)
    messages.success(
        request,
        _("%(name)s is no longer a member.") % {"name": display_name(membership.user)},
    )
    return _back(request, membership.affiliate)


# Annual reports ---------------------------------------------------------------------


def _report_context(request, report: AffiliateReport, form, **extra) -> dict:
    user = request.user
    can_edit = permissions.can_edit_affiliate_report(user, report)
    can_submit = "submit" in allowed_transitions(
        services.AFFILIATE_REPORT_TRANSITIONS, report
    ) and permissions.can_submit_affiliate_report(user, report)
    version = record_version(report)
    # Staff accept or send back a submitted report (affiliates/views/compliance.py).
    may_review = "accept" in allowed_transitions(
        services.AFFILIATE_REPORT_TRANSITIONS, report
    ) and permissions.can_review_affiliate_report(user, report)
    return {
        "report": report,
        "affiliate": report.affiliate,
        "form": form,
        "can_edit": can_edit,
        "can_submit": can_submit,
        "version": version,
        "tone": REPORT_TONES[report.status],
        "may_review": may_review,
        "review_form": ReportReviewForm(initial={"version": version})
        if may_review
        else None,
        "review_url": reverse("affiliates:annual_report_review", args=[report.pk]),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def annual_report(request, pk):
    report = get_object_or_404(
        permissions.visible_affiliate_reports(
            request.user, AffiliateReport.objects.select_related("affiliate")
        ),
        pk=pk,
    )
    template = "affiliates/members/annual_report.html"
    if request.method == "GET":
        form = AnnualReportForm(
            instance=report, initial={"version": record_version(report)}
        )
        return render(request, template, _report_context(request, report, form))

    action = request.POST.get("action", "save")
    if action == "submit":
        return _submit_report(request, report, template)
    if not permissions.can_edit_affiliate_report(request.user, report):
        raise PermissionDenied(_("This report can no longer be edited."))
    form = AnnualReportForm(request.POST, instance=report)
    if not form.is_valid():
        context = _report_context(request, report, form)
        return render(request, template, context, status=400)
    try:
        check_version(report, form.cleaned_data["version"])
    except StaleRecord as stale:
        form.add_error(None, str(stale))
        context = _report_context(request, report, form)
        return render(request, template, context, status=412)
    try:
        services.affiliate_report_update(
            actor=request.user, report=report, **form.changes()
        )
    except ValidationError as error:
        _add_errors(form, error)
        context = _report_context(request, report, form)
        return render(request, template, context, status=400)
    messages.success(request, _("The report is saved."))
    return HttpResponseRedirect(reverse("affiliates:annual_report", args=[report.pk]))


def _add_errors(form, error) -> None:
    """Put a domain error's messages next to their fields (others on top). Works on
    a form shown unbound, as after a refused submit."""
    if not hasattr(form, "cleaned_data"):
        form.full_clean()
        form.cleaned_data = {}
    if isinstance(error, ValidationError):
        messages_by_field = answer_for(error).messages
    else:
        messages_by_field = {"": [str(error)]}
    for field, field_messages in messages_by_field.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


def _submit_report(request, report: AffiliateReport, template: str):
    if not permissions.can_submit_affiliate_report(request.user, report):
        raise PermissionDenied(_("Only the affiliate's admins can submit its reports."))
    form = AnnualReportForm(
        instance=report, initial={"version": record_version(report)}
    )
    try:
        check_version(report, request.POST.get("version", ""))
        services.affiliate_report_submit(actor=request.user, report=report)
    except StaleRecord as stale:
        _add_errors(form, stale)
        context = _report_context(request, report, form)
        return render(request, template, context, status=412)
    except ValidationError as error:
        _add_errors(form, error)
        context = _report_context(request, report, form)
        return render(request, template, context, status=400)
    messages.success(request, _("The report is submitted to programme staff."))
    return HttpResponseRedirect(reverse("affiliates:annual_report", args=[report.pk]))


# Deferment requests --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def deferment_request(request, slug):
    affiliate = _member_affiliate(request, slug)
    may_request = permissions.can_request_deferment(request.user, affiliate)
    form = DefermentRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_request:
            raise PermissionDenied(
                _("Only the affiliate's admins can ask for a deferment.")
            )
        if form.is_valid():
            try:
                services.deferment_request(
                    actor=request.user, affiliate=affiliate, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your request is sent. Programme staff will answer it here."),
                )
                return HttpResponseRedirect(
                    reverse("affiliates:dashboard", args=[affiliate.slug])
                )
        status = 400
    context = {
        "affiliate": affiliate,
        "form": form,
        "can_request_deferment": may_request,
        "deferment_requests": _deferment_requests(request, affiliate),
        "request_tones": REQUEST_TONES,
    }
    return render(
        request, "affiliates/members/deferment_request.html", context, status=status
    )


urlpatterns = [
    path("<slug:slug>/dashboard/", dashboard, name="dashboard"),
    path("<slug:slug>/members/", members, name="members"),
    path("<slug:slug>/deferment/", deferment_request, name="deferment_request"),
    path("annual-reports/<int:pk>/", annual_report, name="annual_report"),
    path("memberships/<int:pk>/role/", membership_role, name="membership_role"),
    path("memberships/<int:pk>/remove/", membership_remove, name="membership_remove"),
]
