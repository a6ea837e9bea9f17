"""Pages: moderation of community comments, for staff.

`grants:staff_moderation` lists open reports of comments (oldest first) and hidden
comments. Each report is hidden (comment_report_hide) or dismissed
(comment_report_dismiss), each hidden comment restored (comment_restore), always with
a reason kept in the history. A refused form comes back in place with its input.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.users import display_name

from .. import permissions
from ..forms.staff import ModerationForm, add_service_errors
from ..models import CommentReport, CommentReportStatus, ProposalComment
from ..services import comments as services
from .staff import require_staff


def _context(request, bound=None) -> dict:
    user = request.user
    comments = permissions.visible_comments(user, ProposalComment.objects.all())
    reports = list(
        CommentReport.objects.filter(
            status=CommentReportStatus.OPEN, comment__in=comments
        )
        .select_related("comment__proposal", "comment__author__profile")
        .order_by("created_at", "pk")
    )
    hidden = list(
        comments.filter(is_hidden=True)
        .select_related("proposal", "author__profile")
        .order_by("-updated_at", "pk")
    )

    def form_for(key):
        if bound is not None and bound.prefix == key:
            return bound
        return ModerationForm(key=key)

    for report in reports:
        report.author_name = display_name(report.comment.author)
        report.form = form_for(f"report-{report.pk}")
    for comment in hidden:
        comment.author_name = display_name(comment.author)
        comment.form = form_for(f"comment-{comment.pk}")
    return {"reports": reports, "hidden": hidden, "staff_page": "moderation"}


@login_required
@require_GET
def moderation(request):
    require_staff(request)
    return render(request, "grants/staff/moderation.html", _context(request))


def _answer(request, form, call, done):
    if form.is_valid():
        try:
            with transaction.atomic():
                call(form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error, {"change_reason": "reason"})
        else:
            messages.success(request, done)
            return redirect("grants:staff_moderation")
    return render(
        request,
        "grants/staff/moderation.html",
        _context(request, bound=form),
        status=400,
    )


@login_required
@require_POST
def report_handle(request, pk: int):
    require_staff(request)
    report = get_object_or_404(
        CommentReport.objects.filter(status=CommentReportStatus.OPEN), pk=pk
    )
    step = request.POST.get("step")
    if step not in {"hide", "dismiss"}:
        raise Http404
    form = ModerationForm(request.POST, key=f"report-{report.pk}")
    service = (
        services.comment_report_hide
        if step == "hide"
        else services.comment_report_dismiss
    )
    return _answer(
        request,
        form,
        lambda reason: service(actor=request.user, report=report, reason=reason),
        _("The comment is hidden.")
        if step == "hide"
        else _("The report is dismissed."),
    )


@login_required
@require_POST
def comment_restore(request, pk: int):
    require_staff(request)
    comment = get_object_or_404(
        permissions.visible_comments(
            request.user, ProposalComment.objects.filter(is_hidden=True)
        ),
        pk=pk,
    )
    form = ModerationForm(request.POST, key=f"comment-{comment.pk}")
    return _answer(
        request,
        form,
        lambda reason: services.comment_restore(
            actor=request.user, comment=comment, reason=reason
        ),
        _("The comment is shown again."),
    )


urlpatterns = [
    path("staff/moderation/", moderation, name="staff_moderation"),
    path(
        "staff/moderation/reports/<int:pk>/",
        report_handle,
        name="staff_report_handle",
    ),
    path(
        "staff/moderation/comments/<int:pk>/restore/",
        comment_restore,
        name="staff_comment_restore",
    ),
]
