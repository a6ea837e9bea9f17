"""Submitting a report, and accepting or sending it back: the same steps for grant
reports and annual reports.

Both kinds of report carry the fields of `ReviewedReport` and each model has its own
transition table with `submit`, `accept` and `send_back`. Sending back needs a
reason, which the affiliate reads.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import limits
from .audit import require_reason, save_audited
from .fields import LimitedTextField
from .transitions import Transition, check_transition

SUBMIT = "submit"
ACCEPT = "accept"
SEND_BACK = "send_back"


class ReviewedReport(models.Model):
    """Who submitted a report and when; when staff reviewed it, and what they said."""

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = LimitedTextField(
        _("comment from staff"), max_length=limits.COMMENT, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def report_submit(
    *,
    actor,
    report,
    table: dict[str, Transition],
    may_submit: Callable[[object, object], bool],
    check_complete: Callable[[object], None],
    reason: str = "",
):
    """Submit a complete report, locked; call inside a transaction."""
    report = type(report).objects.select_for_update().get(pk=report.pk)
    if not may_submit(actor, report):
        raise PermissionDenied
    target = check_transition(table, SUBMIT, report)
    check_complete(report)
    report.status = target
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    return save_audited(report, actor=actor, reason=reason)


def report_review(
    *,
    actor,
    report,
    step: str,
    table: dict[str, Transition],
    may_review: Callable[[object, object], bool],
    reason: str = "",
):
    """Run `accept` or `send_back` on a report, locked; call inside a transaction."""
    report = type(report).objects.select_for_update().get(pk=report.pk)
    if not may_review(actor, report):
        raise PermissionDenied
    if step == SEND_BACK:
        reason = require_reason(
            reason, _("Say what the report is missing: the affiliate reads it.")
        )
    report.status = check_transition(table, step, report)
    report.reviewed_at = timezone.now()
    report.review_comment = reason
    return save_audited(report, actor=actor, reason=reason)
