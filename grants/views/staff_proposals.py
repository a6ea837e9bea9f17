"""Pages: the eligibility check of a proposal and its reviewers, for staff.

`grants:staff_eligibility` shows what the proposal holds, the affiliate's compliance
today with its reason, a checklist, and one button per step the service allows now
(allowed_proposal_actions); the checklist answers go into the step's reason in the
history. `grants:staff_assign` assigns reviewers one by one and says, per committee
member, why they cannot be assigned (permissions.assignment_refusal).
Proposals load through the reader rules (404 when not visible); the pages are for
staff only (403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from affiliates.compliance import compliance_of
from affiliates.models import Affiliate
from portal import versions
from portal.exceptions import StaleRecord
from portal.users import display_name

from .. import permissions, readers
from ..forms.staff import AssignForm, EligibilityForm, add_service_errors
from ..models import CommitteeMember, Proposal, ReviewerAssignment
from ..services import committees as committee_services
from ..services import proposals as services
from .staff import require_staff

# The steps this page offers (when the service allows them), with their button.
# Decisions (approve, decline) are the committee's page; after one, staff fund
# the grant and later close it here.
STEPS = {
    "start_eligibility_check": (
        services.proposal_start_eligibility_check,
        gettext_lazy("Start the eligibility check"),
    ),
    "start_community_review": (
        services.proposal_start_community_review,
        gettext_lazy("Eligible: start community review"),
    ),
    "start_committee_review": (
        services.proposal_start_committee_review,
        gettext_lazy("Start committee review"),
    ),
    "send_back": (
        services.proposal_send_back,
        gettext_lazy("Send back to the applicant"),
    ),
    "fund": (
        services.proposal_fund,
        gettext_lazy("Grant agreement signed: mark as funded"),
    ),
    "start_reporting": (
        services.proposal_start_reporting,
        gettext_lazy("Start the reporting phase"),
    ),
    "close": (services.proposal_close, gettext_lazy("Close the grant")),
    "withdraw": (services.proposal_withdraw, gettext_lazy("Withdraw")),
}
DANGER_STEPS = {"send_back", "withdraw"}


def _proposal(request, pk: int) -> Proposal:
    queryset = readers.proposals_for_reader(
        request.user,
        Proposal.objects.select_related("affiliate", "round__committee", "program"),
    )
    proposal = get_object_or_404(queryset, pk=pk)
    require_staff(request)
    return proposal


def _checklist(proposal) -> list[tuple[str, bool]]:
    """What the proposal holds, from the model (no documents model exists)."""
    lines = proposal.budget_lines.all()
    return [
        (_("Summary"), bool(proposal.summary.strip())),
        (_("Plan"), bool(proposal.description.strip())),
        (_("Start and end dates"), bool(proposal.start_date and proposal.end_date)),
        (_("Budget lines"), lines.exists()),
        (_("Targets"), proposal.target_metrics.exists()),
    ]


def _reason(form, compliance) -> str:
    """The checklist answers and the note, as one reason for the history."""
    answers = {"yes": _("yes"), "no": _("no"), "": _("not answered")}
    data = form.cleaned_data
    text = _(
        "Checklist: documents complete: %(documents)s; bank details confirmed: "
        "%(bank)s; affiliate compliance today: %(compliance)s (%(why)s)."
    ) % {
        "documents": answers[data.get("documents") or ""],
        "bank": answers[data.get("bank_details") or ""],
        "compliance": compliance.label,
        "why": compliance.reason,
    }
    note = (data.get("reason") or "").strip()
    return f"{note}\n{text}" if note else text


def _eligibility_page(request, proposal, form, *, status=200):
    affiliate = Affiliate.objects.with_compliance().get(pk=proposal.affiliate_id)
    allowed = services.allowed_proposal_actions(request.user, proposal)
    steps = [
        {"name": name, "label": label, "danger": name in DANGER_STEPS}
        for name, (_service, label) in STEPS.items()
        if name in allowed
    ]
    return render(
        request,
        "grants/staff/eligibility.html",
        {
            "proposal": proposal,
            "compliance": compliance_of(affiliate),
            "checklist": _checklist(proposal),
            "form": form,
            "steps": steps,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def eligibility(request, pk: int):
    proposal = _proposal(request, pk)
    if request.method == "GET":
        form = EligibilityForm(initial={"version": versions.record_version(proposal)})
        return _eligibility_page(request, proposal, form)
    step = request.POST.get("step", "")
    if step not in STEPS:
        raise Http404
    form = EligibilityForm(request.POST)
    if not form.is_valid():
        return _eligibility_page(request, proposal, form, status=400)
    if step not in services.allowed_proposal_actions(request.user, proposal):
        form.add_error(
            None,
            _("This step is not possible now: the proposal is %(status)s.")
            % {"status": proposal.get_status_display()},
        )
        return _eligibility_page(request, proposal, form, status=409)
    affiliate = Affiliate.objects.with_compliance().get(pk=proposal.affiliate_id)
    service = STEPS[step][0]
    try:
        with transaction.atomic():  # a savepoint: a refusal undoes only this
            versions.check_version(proposal, form.cleaned_data["version"] or "")
            service(
                actor=request.user,
                proposal=proposal,
                reason=_reason(form, compliance_of(affiliate))
                if step != "send_back" or form.cleaned_data["reason"].strip()
                else "",
            )
    except StaleRecord as error:
        form.add_error(None, error.message)
        return _eligibility_page(request, proposal, form, status=412)
    except ValidationError as error:
        add_service_errors(form, error, {"change_reason": "reason"})
        return _eligibility_page(request, proposal, form, status=400)
    proposal.refresh_from_db()
    messages.success(
        request,
        _("Done: the proposal is now %(status)s.")
        % {"status": proposal.get_status_display()},
    )
    return redirect("grants:staff_eligibility", pk=proposal.pk)


# Reviewers, one by one ----------------------------------------------------------


def _assign_page(request, proposal, form=None, *, status=200):
    assignments = list(
        ReviewerAssignment.objects.filter(proposal=proposal)
        .select_related("reviewer__profile")
        .order_by("assigned_at", "pk")
    )
    assigned_ids = {a.reviewer_id for a in assignments}
    seats = list(
        CommitteeMember.objects.filter(
            committee=proposal.round.committee_id, is_active=True
        )
        .select_related("user__profile")
        .order_by("pk")
        if proposal.round.committee_id
        else []
    )
    members = [
        {
            "name": display_name(seat.user),
            "user_id": seat.user_id,
            "assigned": seat.user_id in assigned_ids,
            "refusal": None
            if seat.user_id in assigned_ids
            else permissions.assignment_refusal(seat.user, proposal),
        }
        for seat in seats
    ]
    choices = [(m["user_id"], m["name"]) for m in members if not m["assigned"]]
    if form is None:
        form = AssignForm(choices=choices)
    for row in assignments:
        row.name = display_name(row.reviewer)
    return render(
        request,
        "grants/staff/assign.html",
        {
            "proposal": proposal,
            "assignments": assignments,
            "members": members,
            "form": form,
            "may_assign": bool(choices),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, pk: int):
    proposal = _proposal(request, pk)
    if request.method == "GET":
        return _assign_page(request, proposal)
    seats = CommitteeMember.objects.filter(
        committee=proposal.round.committee_id, is_active=True
    ).select_related("user__profile")
    choices = [(s.user_id, display_name(s.user)) for s in seats]
    form = AssignForm(request.POST, choices=choices)
    if not form.is_valid():
        return _assign_page(request, proposal, form, status=400)
    reviewer = next(s.user for s in seats if s.user_id == form.cleaned_data["reviewer"])
    try:
        with transaction.atomic():
            committee_services.assignment_create(
                actor=request.user,
                proposal=proposal,
                reviewer=reviewer,
                reason=form.cleaned_data["reason"],
            )
    except ValidationError as error:
        add_service_errors(form, error)
        return _assign_page(request, proposal, form, status=400)
    messages.success(
        request,
        _("%(name)s is assigned to review this proposal.")
        % {"name": display_name(reviewer)},
    )
    return redirect("grants:staff_assign", pk=proposal.pk)


urlpatterns = [
    path(
        "staff/proposals/<int:pk>/eligibility/", eligibility, name="staff_eligibility"
    ),
    path("staff/proposals/<int:pk>/reviewers/", assign, name="staff_assign"),
]
