"""Pages: grant reports (see grants/urls.py).

`grants:report` shows a report (status, what staff said, targets against actuals,
spending against the budget) and takes the "submit" POST; `grants:report_edit` is
the editor. Members of the affiliate (and staff) only: others get 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.errors import answer_for
from portal.exceptions import StaleRecord
from portal.review_forms import ReportReviewForm, apply_review
from portal.versions import check_version, record_version

from .. import permissions
from ..choices import GrantReportStatus
from ..forms.reports import (
    GrantReportForm,
    saved_report_form,
    variance_threshold_percent,
)
from ..models import GrantReport
from ..services import reports as services
from ..services.reports import GRANT_REPORT_TRANSITIONS


def _report(request, pk: int) -> GrantReport:
    queryset = permissions.visible_grant_reports(
        request.user,
        GrantReport.objects.select_related(
            "proposal__affiliate", "proposal__program", "submitted_by"
        ),
    )
    return get_object_or_404(queryset, pk=pk)


def _rows(report):
    proposal = report.proposal
    metrics = list(proposal.target_metrics.all())
    lines = list(
        proposal.budget_lines.select_related("proposal").order_by("position", "id")
    )
    return metrics, lines


def _may(user, report) -> dict:
    may_edit = permissions.can_edit_grant_report(user, report)
    may_submit = (
        permissions.can_submit_grant_report(user, report)
        and report.status in GRANT_REPORT_TRANSITIONS["submit"].sources
    )
    # Staff accept or send back a submitted report (report_review below).
    may_review = (
        permissions.can_review_grant_report(user, report)
        and report.status in GRANT_REPORT_TRANSITIONS["accept"].sources
    )
    return {"may_edit": may_edit, "may_submit": may_submit, "may_review": may_review}


def _context(request, report, form, **extra) -> dict:
    version = record_version(report)
    may = _may(request.user, report)
    if may["may_review"] and "review_form" not in extra:
        extra["review_form"] = ReportReviewForm(initial={"version": version})
    return {
        "report": report,
        "proposal": report.proposal,
        "form": form,
        "threshold": variance_threshold_percent(),
        "version": version,
        "review_url": reverse("grants:report_review", args=[report.pk]),
        "sent_back": report.status == GrantReportStatus.INCOMPLETE,
        "accepted": report.status == GrantReportStatus.ACCEPTED,
        **may,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request, pk: int):
    """The report; POST submits it (affiliate admins, while a draft or sent back)."""
    report = _report(request, pk)
    metrics, lines = _rows(report)
    if request.method == "POST":
        if not _may(request.user, report)["may_submit"]:
            raise PermissionDenied(_("You may not submit this report."))
        try:
            with transaction.atomic():  # a savepoint: a refusal undoes only this
                check_version(report, request.POST.get("version", ""))
                services.grant_report_submit(actor=request.user, report=report)
        except StaleRecord as error:
            report.refresh_from_db()
            form = GrantReportForm(report=report, metrics=metrics, lines=lines)
            return render(
                request,
                "grants/reports/report.html",
                _context(request, report, form, stale=str(error.message)),
                status=412,
            )
        except ValidationError as error:
            form = saved_report_form(
                report=report,
                metrics=metrics,
                lines=lines,
                version=record_version(report),
            )
            form.add_completeness_errors(error)
            return render(
                request,
                "grants/reports/edit.html",
                _context(request, report, form, submit_failed=True),
                status=400,
            )
        messages.success(request, _("The report is submitted. Staff will review it."))
        return redirect("grants:report", pk=report.pk)
    form = GrantReportForm(report=report, metrics=metrics, lines=lines)
    return render(
        request, "grants/reports/report.html", _context(request, report, form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk: int):
    """Write the narrative, the actual values and the spending (saved as a draft)."""
    report = _report(request, pk)
    if not permissions.can_edit_grant_report(request.user, report):
        if request.method == "POST":
            raise PermissionDenied(_("This report can no longer be edited."))
        return redirect("grants:report", pk=report.pk)
    metrics, lines = _rows(report)
    if request.method == "POST":
        form = GrantReportForm(
            request.POST, report=report, metrics=metrics, lines=lines
        )
        if form.is_valid():
            try:
                with transaction.atomic():  # a savepoint: a refusal undoes only this
                    check_version(report, form.cleaned_data["version"] or "")
                    services.grant_report_update(
                        actor=request.user,
                        report=report,
                        reason=_("Edited on the report page"),
                        **form.service_arguments(),
                    )
            except StaleRecord as error:
                return render(
                    request,
                    "grants/reports/edit.html",
                    _context(request, report, form, stale=str(error.message)),
                    status=412,
                )
            except ValidationError as error:
                answer = answer_for(error)
                for message in answer.summary:
                    form.add_error(None, message)
                return render(
                    request,
                    "grants/reports/edit.html",
                    _context(request, report, form),
                    status=400,
                )
            messages.success(request, _("Your report is saved."))
            return redirect("grants:report", pk=report.pk)
        return render(
            request,
            "grants/reports/edit.html",
            _context(request, report, form),
            status=400,
        )
    form = GrantReportForm(
        report=report,
        metrics=metrics,
        lines=lines,
        initial={"version": record_version(report)},
    )
    return render(request, "grants/reports/edit.html", _context(request, report, form))


@login_required
@require_http_methods(["POST"])
def report_review(request, pk: int):
    """Staff accept or send back a submitted report, with a reason (needed to send
    back) and the version the page was shown with (412 when it changed since)."""
    report = _report(request, pk)
    if not permissions.can_review_grant_report(request.user, report):
        raise PermissionDenied(_("Only programme staff review grant reports."))
    review_form = ReportReviewForm(request.POST)
    status = apply_review(
        request,
        review_form,
        report,
        accept=services.grant_report_accept,
        send_back=services.grant_report_send_back,
    )
    if status is None:
        return redirect("grants:report", pk=report.pk)
    report.refresh_from_db()
    metrics, lines = _rows(report)
    form = GrantReportForm(report=report, metrics=metrics, lines=lines)
    return render(
        request,
        "grants/reports/report.html",
        _context(request, report, form, review_form=review_form),
        status=status,
    )


urlpatterns = [
    path("reports/<int:pk>/", report_page, name="report"),
    path("reports/<int:pk>/edit/", report_edit, name="report_edit"),
    path("reports/<int:pk>/review/", report_review, name="report_review"),
]
