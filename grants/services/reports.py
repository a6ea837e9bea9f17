"""Grant reports: the grantee writes and submits; staff accept or send back."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from notifications import events
from portal.audit import save_audited
from portal.report_review import ACCEPT, SEND_BACK, report_review, report_submit
from portal.transitions import Transition, transition_table

from .. import permissions
from ..choices import GrantReportStatus
from ..models import GrantReport, MetricResult, SpendingLine
from ._children import check_child_count, sync_children

R = GrantReportStatus
GRANT_REPORT_TRANSITIONS = transition_table(
    Transition("submit", frozenset({R.DRAFT, R.INCOMPLETE}), R.SUBMITTED),
    Transition("accept", frozenset({R.SUBMITTED}), R.ACCEPTED),
    Transition("send_back", frozenset({R.SUBMITTED}), R.INCOMPLETE),
)


def _locked(report: GrantReport) -> GrantReport:
    return (
        GrantReport.objects.select_for_update()
        .select_related("proposal")
        .get(pk=report.pk)
    )


@transaction.atomic
def grant_report_update(
    *,
    actor,
    report: GrantReport,
    metric_results=None,
    spending=None,
    reason: str = "",
    **fields,
) -> GrantReport:
    """Write the narrative, the actual values and the spending, while editable."""
    report = _locked(report)
    if not permissions.can_edit_grant_report(actor, report):
        raise PermissionDenied(_("This report can no longer be edited."))
    changed = {k: v for k, v in fields.items() if getattr(report, k) != v}
    for name, value in changed.items():
        setattr(report, name, value)
    if changed:
        save_audited(report, actor=actor, reason=reason)
    nested = [
        ("metric_results", MetricResult, "metric", metric_results),
        ("spending", SpendingLine, "budget_line", spending),
    ]
    for field_name, model, fk_name, items in nested:
        if items is None:
            continue
        check_child_count(model, items, field_name)
        _check_belongs(items, fk_name, report.proposal_id, field_name)
        sync_children(
            parent_field="report",
            parent=report,
            model=model,
            items=_keyed(getattr(report, field_name).all(), items, fk_name),
            field_name=field_name,
            actor=actor,
            reason=reason,
        )
    return report


def _check_belongs(items, fk_name: str, proposal_id: int, field_name: str) -> None:
    seen = set()
    for item in items:
        target = item[fk_name]
        if target.proposal_id != proposal_id:
            raise ValidationError(
                {
                    field_name: _("Item %(id)s belongs to another proposal.")
                    % {"id": target.pk}
                }
            )
        if target.pk in seen:
            raise ValidationError(
                {field_name: _("Item %(id)s is listed twice.") % {"id": target.pk}}
            )
        seen.add(target.pk)


def _keyed(existing_rows, items, fk_name: str) -> list[dict]:
    """Give each incoming item the id of the row for the same metric or line."""
    by_target = {getattr(row, f"{fk_name}_id"): row.pk for row in existing_rows}
    keyed = []
    for item in items:
        item = dict(item)
        row_id = by_target.get(item[fk_name].pk)
        if row_id is not None:
            item["id"] = row_id
        keyed.append(item)
    return keyed


def _check_complete(report: GrantReport) -> None:
    errors = {}
    if not report.narrative.strip():
        errors["narrative"] = _("Tell what happened before submitting.")
    proposal = report.proposal
    reported = set(report.metric_results.values_list("metric_id", flat=True))
    missing = [m.label for m in proposal.target_metrics.all() if m.pk not in reported]
    if missing:
        errors["metric_results"] = _("Give the actual value for: %(metrics)s.") % {
            "metrics": ", ".join(missing)
        }
    spent = {
        row.budget_line_id: row
        for row in report.spending.select_related("budget_line__proposal")
    }
    lines = list(proposal.budget_lines.all())
    missing_lines = [line.activity for line in lines if line.pk not in spent]
    unexplained = [
        spent[line.pk].budget_line.activity
        for line in lines
        if line.pk in spent
        and spent[line.pk].needs_explanation()
        and not spent[line.pk].explanation.strip()
    ]
    spending_errors = []
    if missing_lines:
        spending_errors.append(
            _("Report the spending for: %(lines)s.")
            % {"lines": ", ".join(missing_lines)}
        )
    if unexplained:
        spending_errors.append(
            _("Explain the difference from the budget for: %(lines)s.")
            % {"lines": ", ".join(unexplained)}
        )
    if spending_errors:
        errors["spending"] = spending_errors
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def grant_report_submit(*, actor, report: GrantReport, reason: str = "") -> GrantReport:
    """An affiliate admin submits a complete report."""
    return report_submit(
        actor=actor,
        report=report,
        table=GRANT_REPORT_TRANSITIONS,
        may_submit=permissions.can_submit_grant_report,
        check_complete=_check_complete,
        reason=reason,
    )


@transaction.atomic
def grant_report_accept(*, actor, report: GrantReport, reason: str = "") -> GrantReport:
    """Staff accept a submitted report."""
    report = report_review(
        actor=actor,
        report=report,
        step=ACCEPT,
        table=GRANT_REPORT_TRANSITIONS,
        may_review=permissions.can_review_grant_report,
        reason=reason,
    )
    events.report_reviewed(report, actor, "accepted", report.review_comment)
    return report


@transaction.atomic
def grant_report_send_back(*, actor, report: GrantReport, reason: str) -> GrantReport:
    """Staff mark the report incomplete, saying what is missing."""
    report = report_review(
        actor=actor,
        report=report,
        step=SEND_BACK,
        table=GRANT_REPORT_TRANSITIONS,
        may_review=permissions.can_review_grant_report,
        reason=reason,
    )
    events.report_reviewed(report, actor, "sent_back", report.review_comment)
    return report
