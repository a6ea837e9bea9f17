"""Accepting or sending back a submitted report: one step for grant reports and
annual reports alike.

Both kinds of report carry `status`, `reviewed_at` and `review_comment`, and each
model has its own transition table with `accept` and `send_back`. Sending back needs
a reason, which the affiliate reads.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import require_reason, save_audited
from .transitions import Transition, check_transition

ACCEPT = "accept"
SEND_BACK = "send_back"


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
