"""State changes for affiliates, memberships, annual reports and deferments.

Every service checks permission, validates, saves with the acting user and a reason
(see portal.audit), and runs in one transaction.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import events
from portal.audit import require_reason, save_audited
from portal.report_review import ACCEPT, SEND_BACK, report_review, report_submit
from portal.transitions import Transition, check_transition, transition_table

from . import permissions
from .choices import (
    AffiliateReportKind,
    AffiliateReportStatus,
    AffiliateStatus,
    DefermentRequestStatus,
    MembershipRole,
    MembershipStatus,
)
from .models import (
    Affiliate,
    AffiliateReport,
    Deferment,
    DefermentRequest,
    Membership,
    ReportingRule,
)

# Affiliates -----------------------------------------------------------------------


@transaction.atomic
def affiliate_create(*, actor, reason: str = "", **fields) -> Affiliate:
    """Record a newly recognised affiliate (staff only) and schedule its reports."""
    if not permissions.can_create_affiliate(actor):
        raise PermissionDenied
    affiliate = save_audited(Affiliate(**fields), actor=actor, reason=reason)
    affiliate_reports_schedule(affiliate=affiliate, actor=actor)
    return affiliate


@transaction.atomic
def affiliate_update(*, actor, affiliate: Affiliate, reason: str = "", **fields):
    """Change an affiliate's profile; recognition and standing are staff decisions."""
    affiliate = Affiliate.objects.select_for_update().get(pk=affiliate.pk)
    if not permissions.can_edit_affiliate(actor, affiliate):
        raise PermissionDenied
    forbidden = permissions.fields_reserved_to_staff(actor, affiliate, fields)
    if forbidden:
        raise ValidationError(
            {name: _("Only programme staff can change this.") for name in forbidden}
        )
    for name, value in fields.items():
        setattr(affiliate, name, value)
    save_audited(affiliate, actor=actor, reason=reason)
    affiliate_reports_schedule(affiliate=affiliate, actor=actor)
    return affiliate


# Memberships ----------------------------------------------------------------------


@transaction.atomic
def membership_request(*, actor, affiliate: Affiliate, message: str = "", reason=""):
    """Ask to join an affiliate. Grants nothing until an admin or staff approves."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied
    if affiliate.status != AffiliateStatus.ACTIVE:
        raise ValidationError(
            {"affiliate": _("This affiliate is not active and does not take members.")}
        )
    membership = (
        Membership.objects.select_for_update()
        .filter(user=actor, affiliate=affiliate)
        .first()
    )
    if membership and membership.status in {
        MembershipStatus.PENDING,
        MembershipStatus.ACTIVE,
    }:
        raise ValidationError(
            {"affiliate": _("You are already a member or have a request waiting.")}
        )
    membership = membership or Membership(user=actor, affiliate=affiliate)
    membership.status = MembershipStatus.PENDING
    membership.role = MembershipRole.MEMBER
    membership.is_board = False
    membership.message = message
    membership.requested_at = timezone.now()
    membership.decided_at = None
    membership.decided_by = None
    save_audited(membership, actor=actor, reason=reason)
    events.join_requested(membership, actor)
    return membership


MEMBERSHIP_TRANSITIONS = transition_table(
    Transition(
        "approve", frozenset({MembershipStatus.PENDING}), MembershipStatus.ACTIVE
    ),
    Transition(
        "reject", frozenset({MembershipStatus.PENDING}), MembershipStatus.REJECTED
    ),
    Transition(
        "remove", frozenset({MembershipStatus.ACTIVE}), MembershipStatus.REMOVED
    ),
    Transition(
        "leave",
        frozenset({MembershipStatus.ACTIVE, MembershipStatus.PENDING}),
        MembershipStatus.REMOVED,
    ),
)


def _locked_membership(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update()
        .select_related("affiliate")
        .get(pk=membership.pk)
    )


def _ensure_another_admin_remains(membership: Membership) -> None:
    others = Membership.objects.filter(
        affiliate_id=membership.affiliate_id,
        status=MembershipStatus.ACTIVE,
        role=MembershipRole.ADMIN,
    ).exclude(pk=membership.pk)
    if membership.role == MembershipRole.ADMIN and not others.exists():
        raise ValidationError(
            {"role": _("An affiliate needs at least one admin; appoint another first.")}
        )


@transaction.atomic
def membership_approve(
    *,
    actor,
    membership: Membership,
    role=MembershipRole.MEMBER,
    is_board=False,
    reason: str = "",
) -> Membership:
    """An affiliate admin or staff lets a pending requester in."""
    membership = _locked_membership(membership)
    if not permissions.can_decide_membership(actor, membership):
        raise PermissionDenied
    membership.status = check_transition(MEMBERSHIP_TRANSITIONS, "approve", membership)
    membership.role = role
    membership.is_board = is_board
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    save_audited(membership, actor=actor, reason=reason)
    permissions.forget_memberships(membership.user)
    events.join_decided(membership, actor)
    return membership


@transaction.atomic
def membership_reject(*, actor, membership: Membership, reason: str = "") -> Membership:
    membership = _locked_membership(membership)
    if not permissions.can_decide_membership(actor, membership):
        raise PermissionDenied
    membership.status = check_transition(MEMBERSHIP_TRANSITIONS, "reject", membership)
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    save_audited(membership, actor=actor, reason=reason)
    events.join_decided(membership, actor)
    return membership


@transaction.atomic
def membership_change_role(
    *, actor, membership: Membership, role: str, is_board: bool, reason: str = ""
) -> Membership:
    membership = _locked_membership(membership)
    if not permissions.can_decide_membership(actor, membership):
        raise PermissionDenied
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError({"role": _("Only active memberships have a role.")})
    if role != MembershipRole.ADMIN:
        _ensure_another_admin_remains(membership)
    membership.role = role
    membership.is_board = is_board
    return save_audited(membership, actor=actor, reason=reason)


@transaction.atomic
def membership_remove(*, actor, membership: Membership, reason: str = "") -> Membership:
    """An admin or staff ends someone's membership, or a person leaves."""
    membership = _locked_membership(membership)
    if permissions.can_leave(actor, membership):
        action = "leave"
    elif permissions.can_decide_membership(actor, membership):
        action = "remove"
    else:
        raise PermissionDenied
    target = check_transition(MEMBERSHIP_TRANSITIONS, action, membership)
    if membership.status == MembershipStatus.ACTIVE:
        _ensure_another_admin_remains(membership)
    membership.status = target
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    save_audited(membership, actor=actor, reason=reason)
    permissions.forget_memberships(membership.user)
    return membership


# Annual reports -------------------------------------------------------------------

AFFILIATE_REPORT_TRANSITIONS = transition_table(
    Transition(
        "submit",
        frozenset({AffiliateReportStatus.DRAFT, AffiliateReportStatus.SENT_BACK}),
        AffiliateReportStatus.SUBMITTED,
    ),
    Transition(
        "accept",
        frozenset({AffiliateReportStatus.SUBMITTED}),
        AffiliateReportStatus.ACCEPTED,
    ),
    Transition(
        "send_back",
        frozenset({AffiliateReportStatus.SUBMITTED}),
        AffiliateReportStatus.SENT_BACK,
    ),
)


@transaction.atomic
def affiliate_reports_schedule(
    *, affiliate: Affiliate, actor=None, as_of: datetime.date | None = None
) -> list[AffiliateReport]:
    """Create the annual reports an affiliate owes for fiscal years ended by `as_of`.

    Idempotent: reports that exist are left alone. Run when an affiliate is recorded
    or changed, and daily by the `schedule_affiliate_reports` task.
    """
    as_of = as_of or timezone.localdate()
    if affiliate.status != AffiliateStatus.ACTIVE:
        return []
    rule = ReportingRule.objects.filter(affiliate_type=affiliate.type).first()
    if rule is None:
        return []
    since = affiliate.reporting_since or affiliate.recognition_date
    existing = set(
        AffiliateReport.objects.filter(affiliate=affiliate).values_list(
            "fiscal_year", "kind"
        )
    )
    created = []
    for year in range(since.year, as_of.year + 1):
        year_end = affiliate.fiscal_year_end(year)
        if year_end <= since or year_end > as_of:
            continue
        for kind in rule.required_kinds():
            if (year, kind) in existing:
                continue
            report = AffiliateReport(
                affiliate=affiliate,
                fiscal_year=year,
                kind=kind,
                due_date=rule.due_date(year_end),
            )
            created.append(
                save_audited(
                    report, actor=actor, reason=_("Scheduled from the reporting rules")
                )
            )
    return created


def _locked_report(report: AffiliateReport) -> AffiliateReport:
    return AffiliateReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def affiliate_report_update(
    *, actor, report: AffiliateReport, reason: str = "", **fields
) -> AffiliateReport:
    report = _locked_report(report)
    if not permissions.can_edit_affiliate_report(actor, report):
        raise PermissionDenied(_("This report can no longer be edited."))
    for name, value in fields.items():
        setattr(report, name, value)
    return save_audited(report, actor=actor, reason=reason)


def _check_report_complete(report: AffiliateReport) -> None:
    errors = {}
    if not (report.summary.strip() or report.report_url):
        errors["summary"] = _("Write a summary or link to the full report.")
    if report.kind == AffiliateReportKind.FINANCIAL:
        for name in ("currency", "total_income", "total_expenses"):
            if getattr(report, name) in (None, ""):
                errors[name] = _("A financial report needs this.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def affiliate_report_submit(*, actor, report: AffiliateReport, reason: str = ""):
    """An affiliate admin submits a complete report to staff."""
    return report_submit(
        actor=actor,
        report=report,
        table=AFFILIATE_REPORT_TRANSITIONS,
        may_submit=permissions.can_submit_affiliate_report,
        check_complete=_check_report_complete,
        reason=reason,
    )


@transaction.atomic
def affiliate_report_accept(*, actor, report: AffiliateReport, reason: str = ""):
    """Staff accept a submitted annual report."""
    report = report_review(
        actor=actor,
        report=report,
        step=ACCEPT,
        table=AFFILIATE_REPORT_TRANSITIONS,
        may_review=permissions.can_review_affiliate_report,
        reason=reason,
    )
    events.report_reviewed(report, actor, "accepted", report.review_comment)
    return report


@transaction.atomic
def affiliate_report_send_back(*, actor, report: AffiliateReport, reason: str):
    """Staff return a report with what is missing; the affiliate is then past due."""
    report = report_review(
        actor=actor,
        report=report,
        step=SEND_BACK,
        table=AFFILIATE_REPORT_TRANSITIONS,
        may_review=permissions.can_review_affiliate_report,
        reason=reason,
    )
    events.report_reviewed(report, actor, "sent_back", report.review_comment)
    return report


# Deferments -----------------------------------------------------------------------


@transaction.atomic
def deferment_grant(*, actor, affiliate: Affiliate, reason: str = "", **fields):
    """Staff grant a deferment (disaster, pandemic, war, government restriction)."""
    if not permissions.can_manage_deferments(actor):
        raise PermissionDenied
    deferment = Deferment(affiliate=affiliate, granted_by=actor, **fields)
    return save_audited(deferment, actor=actor, reason=reason)


@transaction.atomic
def deferment_update(*, actor, deferment: Deferment, reason: str = "", **fields):
    if not permissions.can_manage_deferments(actor):
        raise PermissionDenied
    deferment = Deferment.objects.select_for_update().get(pk=deferment.pk)
    if "affiliate" in fields and fields.pop("affiliate") != deferment.affiliate:
        raise ValidationError(
            {"affiliate": _("A deferment stays with the affiliate it was granted to.")}
        )
    for name, value in fields.items():
        setattr(deferment, name, value)
    return save_audited(deferment, actor=actor, reason=reason)


# Deferment requests ---------------------------------------------------------------

DEFERMENT_REQUEST_TRANSITIONS = transition_table(
    Transition(
        "grant",
        frozenset({DefermentRequestStatus.REQUESTED}),
        DefermentRequestStatus.GRANTED,
    ),
    Transition(
        "refuse",
        frozenset({DefermentRequestStatus.REQUESTED}),
        DefermentRequestStatus.REFUSED,
    ),
)


@transaction.atomic
def deferment_request(
    *,
    actor,
    affiliate: Affiliate,
    cause: str,
    until: datetime.date,
    explanation: str,
    reason: str = "",
) -> DefermentRequest:
    """An affiliate admin asks staff to defer its reporting until a date (at most a
    year ahead). One request waits at a time."""
    affiliate = Affiliate.objects.select_for_update().get(pk=affiliate.pk)
    if not permissions.can_request_deferment(actor, affiliate):
        raise PermissionDenied(
            _("Only the affiliate's admins can ask for a deferment.")
        )
    today = timezone.localdate()
    if until is not None and until <= today:
        raise ValidationError({"until": _("Choose a date in the future.")})
    if until is not None and until - today > Deferment.MAX_LENGTH:
        raise ValidationError({"until": _("A deferment lasts at most one year.")})
    if DefermentRequest.objects.filter(
        affiliate=affiliate, status=DefermentRequestStatus.REQUESTED
    ).exists():
        raise ValidationError(
            {"cause": _("A request is already waiting for staff to decide.")}
        )
    request = DefermentRequest(
        affiliate=affiliate,
        requested_by=actor,
        cause=cause,
        until=until,
        explanation=explanation,
    )
    return save_audited(request, actor=actor, reason=reason)


def _locked_deferment_request(request: DefermentRequest) -> DefermentRequest:
    return (
        DefermentRequest.objects.select_for_update()
        .select_related("affiliate")
        .get(pk=request.pk)
    )


@transaction.atomic
def deferment_request_grant(
    *, actor, request: DefermentRequest, reason: str = ""
) -> DefermentRequest:
    """Staff grant a request: the deferment runs from today until the date asked
    for, recorded through `deferment_grant`."""
    request = _locked_deferment_request(request)
    if not permissions.can_decide_deferment_request(actor):
        raise PermissionDenied
    target = check_transition(DEFERMENT_REQUEST_TRANSITIONS, "grant", request)
    deferment = deferment_grant(
        actor=actor,
        affiliate=request.affiliate,
        cause=request.cause,
        explanation=request.explanation,
        valid_from=min(timezone.localdate(), request.until),
        until=request.until,
        reason=reason or _("Granted on the affiliate's request"),
    )
    request.status = target
    request.deferment = deferment
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = (reason or "").strip()
    return save_audited(request, actor=actor, reason=reason)


@transaction.atomic
def deferment_request_refuse(
    *, actor, request: DefermentRequest, reason: str
) -> DefermentRequest:
    """Staff refuse a request, saying why: the affiliate's members read it."""
    request = _locked_deferment_request(request)
    if not permissions.can_decide_deferment_request(actor):
        raise PermissionDenied
    target = check_transition(DEFERMENT_REQUEST_TRANSITIONS, "refuse", request)
    reason = require_reason(
        reason, _("Say why the deferment is refused: the affiliate reads it.")
    )
    request.status = target
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason
    return save_audited(request, actor=actor, reason=reason)
