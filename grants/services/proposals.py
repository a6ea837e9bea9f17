"""Proposal writes and the lifecycle, one service per transition.

Transitions (see PROPOSAL_TRANSITIONS):
draft → submitted → eligibility_check → community_review → committee_review →
approved / approved_with_conditions / declined, or back to draft (send_back);
approved → funded → reporting → closed; withdrawn from any state before a decision.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from affiliates.choices import AffiliateStatus, ComplianceStatus
from affiliates.models import Affiliate, AffiliateReport
from notifications import events
from portal.audit import delete_audited, require_reason, save_audited
from portal.dates import add_months
from portal.transitions import (
    Transition,
    allowed_transitions,
    check_transition,
    transition_table,
)

from .. import funded_figures, permissions
from ..choices import GrantReportKind, GrantReportStatus, ProposalStatus
from ..models import BudgetLine, GrantReport, Proposal, TargetMetric
from ._children import sync_children

S = ProposalStatus
BEFORE_DECISION = frozenset(
    {S.SUBMITTED, S.ELIGIBILITY_CHECK, S.COMMUNITY_REVIEW, S.COMMITTEE_REVIEW}
)
PROPOSAL_TRANSITIONS = transition_table(
    Transition("submit", frozenset({S.DRAFT}), S.SUBMITTED),
    Transition(
        "start_eligibility_check", frozenset({S.SUBMITTED}), S.ELIGIBILITY_CHECK
    ),
    Transition(
        "start_community_review", frozenset({S.ELIGIBILITY_CHECK}), S.COMMUNITY_REVIEW
    ),
    Transition(
        "start_committee_review", frozenset({S.COMMUNITY_REVIEW}), S.COMMITTEE_REVIEW
    ),
    Transition("approve", frozenset({S.COMMITTEE_REVIEW}), S.APPROVED),
    Transition(
        "approve_with_conditions",
        frozenset({S.COMMITTEE_REVIEW}),
        S.APPROVED_WITH_CONDITIONS,
    ),
    Transition("decline", frozenset({S.COMMITTEE_REVIEW}), S.DECLINED),
    Transition("send_back", BEFORE_DECISION, S.DRAFT),
    Transition("fund", frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS}), S.FUNDED),
    Transition("start_reporting", frozenset({S.FUNDED}), S.REPORTING),
    Transition("close", frozenset({S.REPORTING}), S.CLOSED),
    Transition("withdraw", BEFORE_DECISION | {S.DRAFT}, S.WITHDRAWN),
)


def allowed_proposal_actions(user, proposal) -> list[str]:
    """The transitions this user may take now (for clients to show buttons)."""
    return [
        name
        for name in allowed_transitions(PROPOSAL_TRANSITIONS, proposal)
        if permissions.can_transition_proposal(user, proposal, name)
    ]


# Writing a draft --------------------------------------------------------------------


def _write_children(proposal, *, budget_lines, target_metrics, actor, reason):
    if budget_lines is not None:
        lines = [
            {"currency": proposal.currency, **line, "position": index}
            for index, line in enumerate(budget_lines)
        ]
        sync_children(
            parent_field="proposal",
            parent=proposal,
            model=BudgetLine,
            items=lines,
            field_name="budget_lines",
            actor=actor,
            reason=reason,
        )
    elif (
        BudgetLine.objects.filter(proposal=proposal)
        .exclude(currency=proposal.currency)
        .exists()
    ):
        raise ValidationError(
            {
                "currency": _(
                    "The budget lines are in another currency: send them again with "
                    "the new currency."
                )
            }
        )
    if target_metrics is not None:
        sync_children(
            parent_field="proposal",
            parent=proposal,
            model=TargetMetric,
            items=target_metrics,
            field_name="target_metrics",
            actor=actor,
            reason=reason,
        )


@transaction.atomic
def proposal_create(
    *,
    actor,
    affiliate: Affiliate,
    budget_lines=(),
    target_metrics=(),
    reason: str = "",
    **fields,
) -> Proposal:
    """An affiliate member starts a draft proposal."""
    if not permissions.can_create_proposal(actor, affiliate):
        raise PermissionDenied(
            _("Only members of this affiliate can write its proposals.")
        )
    _check_program_open(fields.get("program"))
    proposal = Proposal(affiliate=affiliate, created_by=actor, **fields)
    if proposal.currency == "USD" and not proposal.exchange_rate:
        proposal.exchange_rate = Decimal(1)
    save_audited(proposal, actor=actor, reason=reason)
    _write_children(
        proposal,
        budget_lines=list(budget_lines),
        target_metrics=list(target_metrics),
        actor=actor,
        reason=reason,
    )
    return proposal


@transaction.atomic
def proposal_update(
    *,
    actor,
    proposal: Proposal,
    budget_lines=None,
    target_metrics=None,
    reason: str = "",
    **fields,
) -> Proposal:
    """Edit a draft; `budget_lines`/`target_metrics`, when given, replace the set."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not permissions.can_edit_proposal(actor, proposal):
        raise PermissionDenied(
            _("Only the applicant can edit a proposal, and only while it is a draft.")
        )
    changed = {k: v for k, v in fields.items() if getattr(proposal, k) != v}
    for name, value in changed.items():
        setattr(proposal, name, value)
    if changed:
        save_audited(proposal, actor=actor, reason=reason)
    _write_children(
        proposal,
        budget_lines=budget_lines,
        target_metrics=target_metrics,
        actor=actor,
        reason=reason,
    )
    return proposal


COPIED_FIELDS = ("title", "summary", "description", "language", "currency")


def open_rounds(program=None, today=None):
    """Rounds open today, of active programs (of `program` when given)."""
    from ..models import Round

    today = today or timezone.localdate()
    rounds = Round.objects.filter(
        opens_on__lte=today, closes_on__gte=today, program__is_active=True
    ).select_related("program")
    if program is not None:
        rounds = rounds.filter(program=program)
    return rounds.order_by("closes_on", "pk")


@transaction.atomic
def proposal_copy(
    *, actor, source: Proposal, round_=None, reason: str = ""
) -> Proposal:
    """Start a new draft from a past proposal of the same affiliate: its title,
    summary, description (the plan), budget lines and targets, in an open round
    (`round_`, else the open round of the same program that closes first)."""
    if not permissions.can_copy_proposal(actor, source):
        raise PermissionDenied(
            _("Only members of this affiliate can copy its proposals.")
        )
    if round_ is None:
        round_ = open_rounds(source.program).first()
    if round_ is None or not round_.is_open():
        raise ValidationError(
            {
                "round": _(
                    "No round of %(program)s is open now: choose another program."
                )
                % {"program": source.program.name}
            }
        )
    lines = [
        {
            "activity": line.activity,
            "category": line.category,
            "description": line.description,
            "unit": line.unit,
            "unit_cost": line.unit_cost,
            "quantity": line.quantity,
        }
        for line in source.budget_lines.all()
    ]
    total = sum(
        (
            BudgetLine(unit_cost=li["unit_cost"], quantity=li["quantity"]).total
            for li in lines
        ),
        Decimal("0.00"),
    )
    targets = [
        {"kind": metric.kind, "name": metric.name, "target": metric.target}
        for metric in source.target_metrics.all()
    ]
    return proposal_create(
        actor=actor,
        affiliate=source.affiliate,
        program=round_.program,
        round=round_,
        amount_requested=total,
        exchange_rate=source.exchange_rate,
        budget_lines=lines,
        target_metrics=targets,
        reason=reason
        or _("Started from %(reference)s") % {"reference": source.reference},
        **{name: getattr(source, name) for name in COPIED_FIELDS},
    )


@transaction.atomic
def proposal_delete(*, actor, proposal: Proposal, reason: str = "") -> None:
    """Delete a draft; its history (and its lines' history) stays."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not permissions.can_delete_proposal(actor, proposal):
        raise PermissionDenied(
            _(
                "Only an affiliate admin can delete a draft that was never submitted; "
                "withdraw it instead."
            )
        )
    for row in [*proposal.budget_lines.all(), *proposal.target_metrics.all()]:
        delete_audited(row, actor=actor, reason=reason)
    delete_audited(proposal, actor=actor, reason=reason)


# Transitions ------------------------------------------------------------------------


def _begin(actor, proposal: Proposal, name: str) -> tuple[Proposal, str]:
    """Lock the row, check permission and the transition table; return the target."""
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("affiliate", "program", "round")
        .get(pk=proposal.pk)
    )
    if not permissions.can_transition_proposal(actor, proposal, name):
        raise PermissionDenied
    return proposal, check_transition(PROPOSAL_TRANSITIONS, name, proposal)


def _finish(actor, proposal: Proposal, target: str, reason: str) -> Proposal:
    proposal.status = target
    return save_audited(proposal, actor=actor, reason=reason)


def _check_program_open(program) -> None:
    if program is not None and not program.is_active:
        raise ValidationError(
            {
                "program": _("%(program)s is not accepting proposals.")
                % {"program": program.name}
            }
        )


def _check_good_standing(affiliate: Affiliate, today: datetime.date) -> None:
    if affiliate.status != AffiliateStatus.ACTIVE:
        raise ValidationError(
            {
                "affiliate": _(
                    "%(affiliate)s is %(status)s and cannot apply for funds."
                )
                % {
                    "affiliate": affiliate.name,
                    "status": affiliate.get_status_display(),
                }
            }
        )
    if affiliate.compliance_as_of(today) != ComplianceStatus.PAST_DUE:
        return
    report = AffiliateReport.objects.overdue(today).filter(affiliate=affiliate).first()
    raise ValidationError(
        {
            "affiliate": _(
                "%(affiliate)s cannot apply while a report is past due: "
                "%(report)s for fiscal year %(year)s, due %(due)s."
            )
            % {
                "affiliate": affiliate.name,
                "report": report.get_kind_display(),
                "year": report.fiscal_year,
                "due": date_format(report.due_date),
            }
        }
    )


def _check_complete(proposal: Proposal) -> None:
    errors = {}
    for name in ("summary", "description"):
        if not getattr(proposal, name).strip():
            errors[name] = _("Fill this in before submitting.")
    for name in ("start_date", "end_date"):
        if getattr(proposal, name) is None:
            errors[name] = _("Fill this in before submitting.")
    lines = list(proposal.budget_lines.all())
    if not lines:
        errors["budget_lines"] = _("Add at least one budget line.")
    elif proposal.budget_total() != proposal.amount_requested:
        errors["amount_requested"] = _(
            "The budget lines add up to %(total)s %(currency)s but the amount "
            "requested is %(amount)s %(currency)s."
        ) % {
            "total": proposal.budget_total(),
            "amount": proposal.amount_requested,
            "currency": proposal.currency,
        }
    if not proposal.target_metrics.exists():
        errors["target_metrics"] = _("Set at least one target.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def proposal_submit(*, actor, proposal: Proposal, reason: str = "") -> Proposal:
    """An affiliate admin submits a complete draft to an open round.

    Refused while the affiliate is past due on a report, outside the round's dates,
    or when the proposal is incomplete or out of the program's bounds.
    """
    proposal, target = _begin(actor, proposal, "submit")
    today = timezone.localdate()
    _check_program_open(proposal.program)
    _check_good_standing(proposal.affiliate, today)
    if not proposal.round.is_open(today):
        raise ValidationError(
            {
                "round": _("%(round)s takes proposals from %(opens)s to %(closes)s.")
                % {
                    "round": proposal.round.name,
                    "opens": date_format(proposal.round.opens_on),
                    "closes": date_format(proposal.round.closes_on),
                }
            }
        )
    _check_complete(proposal)
    proposal.submitted_at = timezone.now()
    _finish(actor, proposal, target, reason)
    events.proposal_submitted(proposal, actor)
    return proposal


def _simple_transition(name: str, doc: str):
    @transaction.atomic
    def service(*, actor, proposal: Proposal, reason: str = "") -> Proposal:
        proposal, target = _begin(actor, proposal, name)
        return _finish(actor, proposal, target, reason)

    service.__name__ = f"proposal_{name}"
    service.__doc__ = doc
    return service


proposal_start_eligibility_check = _simple_transition(
    "start_eligibility_check", "Staff begin checking documents and good standing."
)
proposal_start_community_review = _simple_transition(
    "start_community_review", "Staff open the public comment period."
)


@transaction.atomic
def proposal_start_committee_review(*, actor, proposal: Proposal, reason: str = ""):
    """Staff hand the proposal to the committee for scoring (the round's rubric is
    frozen now if it was not already)."""
    from .programs import round_freeze_rubric

    proposal, target = _begin(actor, proposal, "start_committee_review")
    round_freeze_rubric(actor=actor, round_=proposal.round, reason=reason)
    _finish(actor, proposal, target, reason)
    events.committee_review_opened(proposal, actor)
    return proposal


proposal_start_reporting = _simple_transition(
    "start_reporting", "Staff mark a funded grant as in its reporting phase."
)


@transaction.atomic
def proposal_send_back(*, actor, proposal: Proposal, reason: str) -> Proposal:
    """Staff return the proposal to the applicant as a draft, saying what to revise."""
    require_reason(reason, _("Tell the applicant what to revise."))
    proposal, target = _begin(actor, proposal, "send_back")
    _finish(actor, proposal, target, reason)
    events.proposal_sent_back(proposal, actor, reason)
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor, proposal: Proposal, reason: str = "") -> Proposal:
    """The applicant (or staff on their behalf) withdraws before a decision."""
    proposal, target = _begin(actor, proposal, "withdraw")
    return _finish(actor, proposal, target, reason)


def _award(
    *, actor, proposal, name, amount_approved, exchange_rate, conditions, reason
) -> Proposal:
    proposal, target = _begin(actor, proposal, name)
    if exchange_rate is not None:
        proposal.exchange_rate = exchange_rate
    proposal.amount_approved = (
        proposal.amount_requested if amount_approved is None else amount_approved
    )
    if proposal.amount_approved <= 0:
        raise ValidationError(
            {"amount_approved": _("An approved grant has a positive amount.")}
        )
    proposal.conditions = conditions
    now = timezone.now()
    # Finance pays at one rate per grant: the rate in force at the award.
    proposal.exchange_rate_frozen_at = now
    proposal.decided_at = now
    _finish(actor, proposal, target, reason)
    # The funded grants page keeps its site-wide totals: a new grant counts.
    funded_figures.awards_changed()
    events.proposal_decided(proposal, actor, target, conditions or reason)
    return proposal


@transaction.atomic
def proposal_approve(
    *, actor, proposal, amount_approved=None, exchange_rate=None, reason: str = ""
) -> Proposal:
    """Record approval; the exchange rate is frozen from here on."""
    return _award(
        actor=actor,
        proposal=proposal,
        name="approve",
        amount_approved=amount_approved,
        exchange_rate=exchange_rate,
        conditions="",
        reason=reason,
    )


@transaction.atomic
def proposal_approve_with_conditions(
    *,
    actor,
    proposal,
    conditions: str,
    amount_approved=None,
    exchange_rate=None,
    reason: str = "",
) -> Proposal:
    if not (conditions or "").strip():
        raise ValidationError({"conditions": _("State the conditions of approval.")})
    return _award(
        actor=actor,
        proposal=proposal,
        name="approve_with_conditions",
        amount_approved=amount_approved,
        exchange_rate=exchange_rate,
        conditions=conditions,
        reason=reason,
    )


@transaction.atomic
def proposal_decline(*, actor, proposal: Proposal, reason: str) -> Proposal:
    require_reason(reason, _("Give the applicant the reason for the decision."))
    proposal, target = _begin(actor, proposal, "decline")
    proposal.decided_at = timezone.now()
    _finish(actor, proposal, target, reason)
    events.proposal_decided(proposal, actor, target, reason)
    return proposal


@transaction.atomic
def proposal_fund(*, actor, proposal: Proposal, reason: str = "") -> Proposal:
    """The grant agreement is signed and paid: schedule the grant's reports."""
    proposal, target = _begin(actor, proposal, "fund")
    _finish(actor, proposal, target, reason)
    grant_reports_schedule(proposal=proposal, actor=actor)
    events.proposal_funded(proposal, actor)
    return proposal


@transaction.atomic
def proposal_close(*, actor, proposal: Proposal, reason: str = "") -> Proposal:
    """Close a grant once every report is accepted."""
    proposal, target = _begin(actor, proposal, "close")
    pending = proposal.reports.exclude(status=GrantReportStatus.ACCEPTED).first()
    if pending is not None:
        raise ValidationError(
            _("The %(report)s due %(due)s is not accepted yet.")
            % {
                "report": pending.get_kind_display(),
                "due": date_format(pending.due_date),
            }
        )
    return _finish(actor, proposal, target, reason)


def grant_reports_schedule(*, proposal: Proposal, actor=None) -> list[GrantReport]:
    """Create the reports a funded grant owes, with due dates from the program rules.

    Final report: N days after the end. Multi-year grants: a yearly report at each
    anniversary; otherwise an interim report N days after the midpoint.
    """
    program = proposal.program
    start, end = proposal.start_date, proposal.end_date
    due_dates = [
        (
            GrantReportKind.FINAL,
            end + datetime.timedelta(program.final_report_days_after_end),
        )
    ]
    multi_year = (end - start).days > 366
    if multi_year and program.yearly_report_for_multi_year:
        year = 1
        while (anniversary := _anniversary(start, year)) < end:
            due_dates.append(
                (
                    GrantReportKind.ANNUAL,
                    anniversary
                    + datetime.timedelta(program.final_report_days_after_end),
                )
            )
            year += 1
    elif program.interim_report_required:
        midpoint = start + (end - start) / 2
        due_dates.append(
            (
                GrantReportKind.INTERIM,
                midpoint
                + datetime.timedelta(program.interim_report_days_after_midpoint),
            )
        )
    existing = set(proposal.reports.values_list("kind", "due_date"))
    return [
        save_audited(
            GrantReport(proposal=proposal, kind=kind, due_date=due),
            actor=actor,
            reason=_("Scheduled when the grant was funded"),
        )
        for kind, due in sorted(due_dates, key=lambda item: item[1])
        if (kind, due) not in existing
    ]


def _anniversary(start: datetime.date, years: int) -> datetime.date:
    return add_months(start, 12 * years)
