"""Pages: community comments on a proposal (see grants/urls.py).

`grants:comments` shows a proposal's thread and takes its POSTs (`action`: comment,
reply, report). Each answers the partial `grants/comments/_thread.html` to htmx and
the whole page otherwise. The proposal page includes the same thread with
`{% load grants_comments %}{% comment_thread proposal %}`.
Who may read, comment, reply and report: grants/permissions.py; how people are
named: grants/readers.py (comment_view).
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from notifications import services as notification_services
from portal.errors import answer_for

from .. import permissions, readers
from ..forms.comments import CommentForm, ReplyForm, ReportForm
from ..models import CommentReport, CommentReportStatus, Proposal, ProposalComment
from ..services import comments as services


def _proposal(request, pk: int) -> Proposal:
    queryset = readers.proposals_for_reader(
        request.user, Proposal.objects.select_related("round", "affiliate")
    )
    return get_object_or_404(queryset, pk=pk)


def _shown_comments(user, proposal):
    return readers.comments_for_reader(
        user,
        permissions.thread_comments(user, proposal, ProposalComment.objects.all()),
    ).order_by("created_at", "id")


def thread_context(request, proposal, *, bound=None) -> dict:
    """Everything `grants/comments/_thread.html` needs, in a fixed number of queries.
    `bound` is a form with errors to show in place (its input kept).

    Showing the thread (here, on the proposal page or the committee's) reads the
    person's inbox entries about it first, then the comments: a comment committed
    meanwhile is either shown now or told afresh (`events.comment_posted`)."""
    user = request.user
    notification_services.mark_comments_read(user=user, proposal=proposal)
    rows = list(_shown_comments(user, proposal))
    by_id = {c.pk: c for c in rows}
    reported = set()
    if user.is_authenticated and rows:
        reported = set(
            CommentReport.objects.filter(
                reporter=user, status=CommentReportStatus.OPEN, comment__in=rows
            ).values_list("comment_id", flat=True)
        )
    may_comment = permissions.can_comment(user, proposal)
    may_reply = permissions.can_reply_to_comments(user, proposal)

    def root_of(comment):
        seen = set()
        while comment.parent_id in by_id and comment.pk not in seen:
            seen.add(comment.pk)
            comment = by_id[comment.parent_id]
        return comment

    def item(comment):
        may_report = (
            user.is_authenticated
            and permissions.can_report_comment(user, comment)
            and comment.pk not in reported
        )
        form = None
        if may_report:
            form = ReportForm(comment_id=comment.pk)
            if isinstance(bound, ReportForm) and bound.prefix == form.prefix:
                form = bound
        return {
            "comment": comment,
            "view": readers.comment_view(user, comment),
            "may_report": may_report,
            "reported": comment.pk in reported,
            "report_form": form,
            "replies": [],
        }

    threads, items = [], {}
    for comment in rows:
        items[comment.pk] = item(comment)
        root = root_of(comment)
        if root is comment:
            threads.append(items[comment.pk])
        else:
            items[root.pk]["replies"].append(items[comment.pk])
    if may_reply:
        for thread in threads:
            form = ReplyForm(parent_id=thread["comment"].pk)
            if isinstance(bound, ReplyForm) and bound.prefix == form.prefix:
                form = bound
            thread["reply_form"] = form
    comment_form = bound if isinstance(bound, CommentForm) else CommentForm()
    return {
        "proposal": proposal,
        "threads": threads,
        "comment_count": len(rows),
        "period_open": permissions.comment_period_open(proposal),
        "may_comment": may_comment,
        "may_reply": may_reply,
        "comment_form": comment_form if may_comment else None,
        "signed_in": user.is_authenticated,
    }


def _answer(request, proposal, *, bound=None, status=200, anchor=""):
    if bound is None and not request.htmx:
        return redirect(reverse("grants:comments", args=[proposal.pk]) + anchor)
    template = "grants/comments/page.html"
    if request.htmx:
        # htmx swaps only 2xx answers: the form with its errors comes back as 200.
        template, status = "grants/comments/_thread.html", 200
    return render(
        request, template, thread_context(request, proposal, bound=bound), status=status
    )


def _write(form, call):
    """Run a service in a savepoint; its errors go next to the form's fields."""
    try:
        with transaction.atomic():
            return call()
    except ValidationError as error:
        answer = answer_for(error)
        for name, texts in answer.messages.items():
            field = name if name in form.fields else None
            for text in texts:
                form.add_error(field, text)
        return None


@require_http_methods(["GET", "POST"])
def comments(request, pk: int):
    proposal = _proposal(request, pk)
    if request.method == "GET":
        context = thread_context(request, proposal)
        template = (
            "grants/comments/_thread.html"
            if request.htmx
            else "grants/comments/page.html"
        )
        return render(request, template, context)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("grants:comments", args=[proposal.pk]))
    action = request.POST.get("action")
    if action == "report":
        return _report(request, proposal)
    if not permissions.can_comment(request.user, proposal):
        raise PermissionDenied(_("This proposal is not open for comments."))
    if action == "reply":
        return _reply(request, proposal)
    form = CommentForm(request.POST)
    if form.is_valid():
        comment = _write(
            form,
            lambda: services.comment_create(
                actor=request.user, proposal=proposal, body=form.cleaned_data["body"]
            ),
        )
        if comment is not None:
            messages.success(request, _("Your comment is posted."))
            return _answer(request, proposal, anchor=f"#comment-{comment.pk}")
    return _answer(request, proposal, bound=form, status=400)


def _shown(request, proposal, key: str) -> ProposalComment:
    try:
        comment_id = int(request.POST.get(key, ""))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(_shown_comments(request.user, proposal), pk=comment_id)


def _reply(request, proposal):
    parent = _shown(request, proposal, "parent")
    if not permissions.can_reply_to_comments(request.user, proposal):
        raise PermissionDenied(_("Only the applicant replies to comments."))
    form = ReplyForm(request.POST, parent_id=parent.pk)
    if form.is_valid():
        comment = _write(
            form,
            lambda: services.comment_create(
                actor=request.user,
                proposal=proposal,
                body=form.cleaned_data["body"],
                parent=parent,
            ),
        )
        if comment is not None:
            messages.success(request, _("Your reply is posted."))
            return _answer(request, proposal, anchor=f"#comment-{comment.pk}")
    return _answer(request, proposal, bound=form, status=400)


def _report(request, proposal):
    comment = _shown(request, proposal, "comment")
    if not permissions.can_report_comment(request.user, comment):
        raise PermissionDenied(_("You cannot report this comment."))
    form = ReportForm(request.POST, comment_id=comment.pk)
    if form.is_valid():
        report = _write(
            form,
            lambda: services.comment_report(
                actor=request.user,
                comment=comment,
                reason=form.cleaned_data["reason"],
            ),
        )
        if report is not None:
            messages.success(
                request, _("Thank you: staff will look at the comment you reported.")
            )
            return _answer(request, proposal, anchor=f"#comment-{comment.pk}")
    return _answer(request, proposal, bound=form, status=400)


urlpatterns = [
    path("proposals/<int:pk>/comments/", comments, name="comments"),
]
