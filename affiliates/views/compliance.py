"""Staff pages: the compliance overview of every affiliate, deferments granted from
it, and the decision on the affiliates' deferment requests; accepting or sending back
an annual report.

Who may open them: `permissions.can_view_compliance_overview` (others get 403, the
anonymous the sign-in page). Every change goes through affiliates/services.py.
The overview reads a constant number of queries whatever the number of affiliates:
one for the chart, two for the page of rows, two for the reasons of those rows, one
for the requests waiting.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from portal.charts import bar_chart
from portal.errors import answer_for
from portal.exceptions import TransitionNotAllowed
from portal.review_forms import ReportReviewForm, apply_review
from portal.users import display_name

from .. import permissions, services
from ..choices import ComplianceStatus, DefermentRequestStatus
from ..compliance import COMPLIANCE_TONES, Compliance, compliance_of
from ..forms.compliance import (
    ComplianceFilterForm,
    DefermentDecisionForm,
    DefermentGrantForm,
)
from ..forms.members import AnnualReportForm
from ..models import Affiliate, AffiliateReport, Deferment, DefermentRequest
from .members import _report_context

PAGE_SIZE = 25

# Past due first: those are the ones staff chase.
STATUS_ORDER = [
    ComplianceStatus.PAST_DUE,
    ComplianceStatus.SUSPENDED,
    ComplianceStatus.DEFERRED,
    ComplianceStatus.COMPLIANT,
]


def _staff_only(request) -> None:
    if not permissions.can_view_compliance_overview(request.user):
        raise PermissionDenied(_("Only programme staff can open this page."))


def _filtered(filters: dict):
    """Affiliates with today's compliance, narrowed by type, region and name."""
    queryset = Affiliate.objects.with_compliance()
    if filters.get("type"):
        queryset = queryset.filter(type=filters["type"])
    if filters.get("region"):
        queryset = queryset.filter(region=filters["region"])
    if filters.get("q"):
        queryset = queryset.filter(name__icontains=filters["q"])
    return queryset


def _ordered(queryset):
    rank = Case(
        *[
            When(compliance=status.value, then=Value(position))
            for position, status in enumerate(STATUS_ORDER)
        ],
        output_field=IntegerField(),
    )
    return queryset.annotate(status_rank=rank).order_by("status_rank", "name", "pk")


def _chart(queryset, *, filtered: bool):
    """Count per status (before the status filter, so the picture shows them all)."""
    counts = dict(
        queryset.order_by()
        .values_list("compliance")
        .annotate(n=Count("pk"))
        .values_list("compliance", "n")
    )
    total = sum(counts.values())
    rows = [
        (
            str(status.label),
            counts.get(status.value, 0),
            ngettext(
                "%(count)d affiliate",
                "%(count)d affiliates",
                counts.get(status.value, 0),
            )
            % {"count": counts.get(status.value, 0)},
            COMPLIANCE_TONES[status],
        )
        for status in STATUS_ORDER
    ]
    summary = _(
        "%(past_due)d of %(total)d affiliates are past due, %(deferred)d deferred, "
        "%(suspended)d suspended and %(compliant)d compliant."
    ) % {
        "past_due": counts.get(ComplianceStatus.PAST_DUE.value, 0),
        "deferred": counts.get(ComplianceStatus.DEFERRED.value, 0),
        "suspended": counts.get(ComplianceStatus.SUSPENDED.value, 0),
        "compliant": counts.get(ComplianceStatus.COMPLIANT.value, 0),
        "total": total,
    }
    title = (
        _("Compliance of the affiliates shown")
        if filtered
        else _("Compliance across affiliates")
    )
    return bar_chart(
        title=title,
        rows=rows,
        summary=summary,
        label_header=_("Compliance"),
        value_header=_("Affiliates"),
    )


@dataclass(frozen=True)
class Row:
    affiliate: Affiliate
    compliance: Compliance


def _rows(affiliates: list[Affiliate]) -> list[Row]:
    """Each affiliate with the reason for its status, in two queries for the page."""
    today = timezone.localdate()
    deferments = {}
    deferred_ids = [
        a.pk for a in affiliates if a.compliance == ComplianceStatus.DEFERRED
    ]
    if deferred_ids:
        for deferment in Deferment.objects.filter(
            affiliate_id__in=deferred_ids, valid_from__lte=today, until__gte=today
        ).order_by("until"):
            deferments[deferment.affiliate_id] = deferment  # the latest end wins
    overdue = defaultdict(list)
    past_due_ids = [
        a.pk for a in affiliates if a.compliance == ComplianceStatus.PAST_DUE
    ]
    if past_due_ids:
        for report in (
            AffiliateReport.objects.overdue(today)
            .filter(affiliate_id__in=past_due_ids)
            .order_by("due_date", "pk")
        ):
            overdue[report.affiliate_id].append(report)
    return [
        Row(
            affiliate,
            compliance_of(
                affiliate,
                deferment=deferments.get(affiliate.pk),
                overdue=overdue.get(affiliate.pk, []),
            ),
        )
        for affiliate in affiliates
    ]


def _waiting_requests():
    return (
        DefermentRequest.objects.filter(status=DefermentRequestStatus.REQUESTED)
        .select_related("affiliate", "requested_by__profile")
        .order_by("requested_at", "pk")
    )


def _overview(request, *, decision_errors=None, status=200):
    """The page; `decision_errors` keeps a refused decision's form with its error."""
    form = ComplianceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    affiliates = _filtered(filters)
    chart = _chart(affiliates, filtered=any(filters.values()))
    if filters.get("status"):
        affiliates = affiliates.filter(compliance=filters["status"])
    page = Paginator(_ordered(affiliates), PAGE_SIZE).get_page(request.GET.get("page"))
    decision_errors = decision_errors or {}
    requests = [
        (
            item,
            display_name(item.requested_by),
            decision_errors.get(item.pk)
            or DefermentDecisionForm(auto_id=f"request-{item.pk}-%s"),
        )
        for item in _waiting_requests()
    ]
    context = {
        "form": form,
        "chart": chart,
        "page_obj": page,
        "rows": _rows(list(page.object_list)),
        "count": page.paginator.count,
        "requests": requests,
        "filtered": any(filters.values()),
    }
    return render(
        request, "affiliates/compliance/overview.html", context, status=status
    )


@login_required
@require_http_methods(["GET"])
def overview(request):
    _staff_only(request)
    return _overview(request)


@login_required
@require_http_methods(["GET", "POST"])
def deferment_grant(request, slug):
    """Grant a deferment to one affiliate, from its row of the overview."""
    _staff_only(request)
    affiliate = get_object_or_404(Affiliate.objects.with_compliance(), slug=slug)
    form = DefermentGrantForm(
        request.POST or None, initial={"valid_from": timezone.localdate()}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.deferment_grant(
                    actor=request.user,
                    affiliate=affiliate,
                    reason=form.cleaned_data["reason"],
                    **form.service_arguments(),
                )
            except ValidationError as error:
                for field, texts in answer_for(error).messages.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
            else:
                messages.success(
                    request,
                    _("Reporting of %(name)s is deferred until %(date)s.")
                    % {
                        "name": affiliate.name,
                        "date": date_format(form.cleaned_data["until"]),
                    },
                )
                return HttpResponseRedirect(reverse("affiliates:compliance"))
        status = 400
    context = {
        "affiliate": affiliate,
        "compliance": compliance_of(affiliate),
        "form": form,
    }
    return render(request, "affiliates/compliance/defer.html", context, status=status)


@login_required
@require_POST
def deferment_request_decide(request, pk, decision):
    """Grant or refuse an affiliate's deferment request, with a reason."""
    _staff_only(request)
    item = get_object_or_404(
        permissions.visible_deferment_requests(
            request.user, DefermentRequest.objects.select_related("affiliate")
        ),
        pk=pk,
    )
    if not permissions.can_decide_deferment_request(request.user):
        raise PermissionDenied
    form = DefermentDecisionForm(request.POST, auto_id=f"request-{item.pk}-%s")
    if not form.is_valid():  # too long: shown next to the field
        return _overview(request, decision_errors={item.pk: form}, status=400)
    reason = form.cleaned_data["reason"]
    service = (
        services.deferment_request_grant
        if decision == "grant"
        else services.deferment_request_refuse
    )
    try:
        with transaction.atomic():  # a savepoint: a refusal undoes only this
            service(actor=request.user, request=item, reason=reason)
    except ValidationError as error:
        for text in answer_for(error).summary:
            form.add_error("reason", text)
        return _overview(request, decision_errors={item.pk: form}, status=400)
    except TransitionNotAllowed:
        messages.warning(
            request,
            _("This request was already decided; the page shows it as it is now."),
        )
        return HttpResponseRedirect(reverse("affiliates:compliance"))
    if decision == "grant":
        text = _("The deferment asked by %(name)s is granted.")
    else:
        text = _("The deferment asked by %(name)s is refused.")
    messages.success(request, text % {"name": item.affiliate.name})
    return HttpResponseRedirect(reverse("affiliates:compliance"))


# Annual reports: accept or send back --------------------------------------------


@login_required
@require_POST
def annual_report_review(request, pk):
    """Staff accept or send back a submitted annual report (with the version the
    page was shown with: 412 if someone changed the report meanwhile)."""
    report = get_object_or_404(
        permissions.visible_affiliate_reports(
            request.user, AffiliateReport.objects.select_related("affiliate")
        ),
        pk=pk,
    )
    if not permissions.can_review_affiliate_report(request.user, report):
        raise PermissionDenied(_("Only programme staff review annual reports."))
    form = ReportReviewForm(request.POST)
    template = "affiliates/members/annual_report.html"
    status = apply_review(
        request,
        form,
        report,
        accept=services.affiliate_report_accept,
        send_back=services.affiliate_report_send_back,
    )
    if status is None:
        return HttpResponseRedirect(
            reverse("affiliates:annual_report", args=[report.pk])
        )
    report.refresh_from_db()
    context = _report_context(
        request, report, AnnualReportForm(instance=report), review_form=form
    )
    return render(request, template, context, status=status)


urlpatterns = [
    path("compliance/", overview, name="compliance"),
    path("compliance/<slug:slug>/defer/", deferment_grant, name="compliance_defer"),
    path(
        "compliance/requests/<int:pk>/grant/",
        deferment_request_decide,
        {"decision": "grant"},
        name="deferment_request_grant",
    ),
    path(
        "compliance/requests/<int:pk>/refuse/",
        deferment_request_decide,
        {"decision": "refuse"},
        name="deferment_request_refuse",
    ),
    path(
        "annual-reports/<int:pk>/review/",
        annual_report_review,
        name="annual_report_review",
    ),
]
