"""Community comments during a proposal's comment period, reports of comments
("report this comment"), and their moderation by staff."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import events
from portal import limits
from portal.audit import require_reason, save_audited
from portal.transitions import Transition, check_transition, transition_table

from .. import permissions
from ..models import CommentReport, CommentReportStatus, Proposal, ProposalComment
from .committees import staff_only


@transaction.atomic
def comment_create(*, actor, proposal: Proposal, body: str, parent=None, reason=""):
    """Signed-in people comment during the comment period; the applicant replies."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied
    proposal = Proposal.objects.select_related("round").get(pk=proposal.pk)
    if not permissions.comment_period_open(proposal):
        raise ValidationError(
            {"proposal": _("This proposal is not open for comments.")}
        )
    if parent is not None:
        if parent.proposal_id != proposal.pk:
            raise ValidationError({"parent": _("Reply on the same proposal.")})
        if not permissions.can_reply_as_applicant(actor, proposal):
            raise PermissionDenied(_("Only the applicant replies to comments."))
    comment = ProposalComment(proposal=proposal, author=actor, body=body, parent=parent)
    save_audited(comment, actor=actor, reason=reason)
    events.comment_posted(comment, actor)
    return comment


@transaction.atomic
def comment_hide(*, actor, comment: ProposalComment, reason: str):
    """Staff hide an abusive comment; its text stays in the history."""
    staff_only(actor)
    reason = require_reason(reason, _("Say why the comment is hidden."))
    comment.is_hidden = True
    return save_audited(comment, actor=actor, reason=reason)


@transaction.atomic
def comment_restore(*, actor, comment: ProposalComment, reason: str):
    """Staff show a hidden comment again (a hiding judged wrong on a second look);
    the reason stays in the history beside the one for hiding it."""
    comment = ProposalComment.objects.select_for_update().get(pk=comment.pk)
    if not permissions.can_restore_comment(actor, comment):
        raise PermissionDenied
    reason = require_reason(reason, _("Say why the comment is shown again."))
    if not comment.is_hidden:
        raise ValidationError({"comment": _("This comment is not hidden.")})
    comment.is_hidden = False
    return save_audited(comment, actor=actor, reason=reason)


C = CommentReportStatus
COMMENT_REPORT_TRANSITIONS = transition_table(
    Transition("hide", frozenset({C.OPEN}), C.COMMENT_HIDDEN),
    Transition("dismiss", frozenset({C.OPEN}), C.DISMISSED),
)


@transaction.atomic
def comment_report(*, actor, comment: ProposalComment, reason: str) -> CommentReport:
    """Someone signed in asks staff to look at a comment they may read: one open
    report per person and comment, and a few reports a day (portal.limits)."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied
    visible = permissions.visible_comments(
        actor, ProposalComment.objects.filter(pk=comment.pk)
    )
    comment = visible.select_for_update().first()
    if comment is None or not permissions.can_report_comment(actor, comment):
        raise PermissionDenied(_("You cannot report this comment."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say what is wrong with this comment.")})
    mine = CommentReport.objects.filter(reporter=actor)
    if mine.filter(comment=comment, status=C.OPEN).exists():
        raise ValidationError(
            {
                "reason": _(
                    "You have already reported this comment: staff will look at it."
                )
            }
        )
    since = timezone.now() - datetime.timedelta(days=1)
    if mine.filter(created_at__gte=since).count() >= limits.COMMENT_REPORTS_PER_DAY:
        raise ValidationError(
            {"reason": _("You reported many comments today: try again tomorrow.")}
        )
    report = CommentReport(comment=comment, reporter=actor, reason=reason)
    return save_audited(report, actor=actor, reason=_("Comment reported"))


def _handle(*, actor, report: CommentReport, step: str, reason: str) -> CommentReport:
    if not permissions.can_moderate_comments(actor):
        raise PermissionDenied
    reason = require_reason(reason, _("Say why: the record keeps it."))
    report = CommentReport.objects.select_for_update().get(pk=report.pk)
    report.status = check_transition(COMMENT_REPORT_TRANSITIONS, step, report)
    report.handled_by = actor
    report.handled_at = timezone.now()
    report.outcome = reason
    return save_audited(report, actor=actor, reason=reason)


@transaction.atomic
def comment_report_hide(*, actor, report: CommentReport, reason: str):
    """Staff agree: the comment is hidden (comment_hide), and every open report of
    it is closed with the same reason."""
    report = _handle(actor=actor, report=report, step="hide", reason=reason)
    comment = ProposalComment.objects.select_for_update().get(pk=report.comment_id)
    if not comment.is_hidden:
        comment_hide(actor=actor, comment=comment, reason=reason)
    others = CommentReport.objects.filter(comment=comment, status=C.OPEN).exclude(
        pk=report.pk
    )
    for other in others:
        _handle(actor=actor, report=other, step="hide", reason=reason)
    return report


@transaction.atomic
def comment_report_dismiss(*, actor, report: CommentReport, reason: str):
    """Staff find nothing wrong: the report is closed, the comment stays."""
    return _handle(actor=actor, report=report, step="dismiss", reason=reason)
