"""Pages: round set-up and bulk reviewer assignment, for staff.

`grants:staff_rounds` lists the rounds per program; `grants:staff_round_new` and
`grants:staff_round_edit` set one up through round_create/round_update (the rubric
version is frozen for the round, and cannot change once reviews use it).
`grants:staff_bulk_assign` previews the assignments (assignments_bulk_plan, nothing
saved) and saves exactly that plan: the save posts the plan's digest and is refused
when the plan changed meanwhile.
"""

from collections import Counter
from itertools import groupby

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from portal import versions
from portal.exceptions import StaleRecord
from portal.users import display_name

from ..forms.staff import BulkAssignForm, BulkSaveForm, RoundForm, add_service_errors
from ..models import Proposal, Round
from ..services import committees as committee_services
from ..services import programs as program_services
from .staff import require_staff


@login_required
def rounds(request):
    require_staff(request)
    rows = list(
        Round.objects.select_related("program", "committee", "rubric").order_by(
            "program__name", "program_id", "-opens_on", "pk"
        )
    )
    programs = [
        (program, list(items))
        for program, items in groupby(rows, key=lambda r: r.program)
    ]
    return render(
        request,
        "grants/staff/rounds.html",
        {"programs": programs, "staff_page": "rounds"},
    )


def _round_page(request, form, round_=None, *, status=200):
    return render(
        request,
        "grants/staff/round_form.html",
        {
            "form": form,
            "round": round_,
            "rubric_locked": form.fields["rubric"].disabled,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request):
    require_staff(request)
    if request.method == "GET":
        return _round_page(request, RoundForm())
    form = RoundForm(request.POST)
    if not form.is_valid():
        return _round_page(request, form, status=400)
    try:
        with transaction.atomic():
            round_ = program_services.round_create(
                actor=request.user,
                reason=form.cleaned_data["reason"],
                **form.service_fields(with_program=True),
            )
    except ValidationError as error:
        add_service_errors(form, error)
        return _round_page(request, form, status=400)
    messages.success(request, _("The round is set up."))
    return redirect("grants:staff_round_edit", pk=round_.pk)


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request, pk: int):
    require_staff(request)
    round_ = get_object_or_404(
        Round.objects.select_related("program", "rubric", "committee"), pk=pk
    )
    locked = program_services.rubric_locked(round_)
    if request.method == "GET":
        initial = {name: getattr(round_, name) for name in RoundForm.SERVICE_FIELDS}
        initial.update(program=round_.program, version=versions.record_version(round_))
        form = RoundForm(initial=initial, round_=round_, rubric_locked=locked)
        return _round_page(request, form, round_)
    data = request.POST.copy()
    form = RoundForm(data, round_=round_, rubric_locked=locked)
    # Disabled fields take the initial value: the program, and a locked rubric.
    form.initial.update(program=round_.program, rubric=round_.rubric)
    if not form.is_valid():
        return _round_page(request, form, round_, status=400)
    try:
        with transaction.atomic():
            versions.check_version(round_, form.cleaned_data["version"] or "")
            program_services.round_update(
                actor=request.user,
                round=round_,
                reason=form.cleaned_data["reason"],
                **form.service_fields(with_program=False),
            )
    except StaleRecord as error:
        form.add_error(None, error.message)
        return _round_page(request, form, round_, status=412)
    except ValidationError as error:
        add_service_errors(form, error)
        return _round_page(request, form, round_, status=400)
    messages.success(request, _("The round is saved."))
    return redirect("grants:staff_round_edit", pk=round_.pk)


# Bulk assignment ------------------------------------------------------------------


def _preview(round_, n: int) -> dict:
    """The plan in words: per proposal, who would be added (fixed query count)."""
    plan = committee_services.assignments_bulk_plan(
        round=round_, reviewers_per_proposal=n
    )
    proposals = Proposal.objects.in_bulk({p for p, _r in plan})
    users = (
        get_user_model()
        .objects.select_related("profile")
        .in_bulk({r for _p, r in plan})
    )
    rows = []
    for proposal_id, pairs in groupby(plan, key=lambda pair: pair[0]):
        rows.append(
            {
                "proposal": proposals[proposal_id],
                "reviewers": [display_name(users[r]) for _p, r in pairs],
            }
        )
    per_reviewer = Counter(r for _p, r in plan)
    return {
        "plan": plan,
        "rows": rows,
        "load": sorted(
            ((display_name(users[r]), n) for r, n in per_reviewer.items()),
            key=lambda item: (-item[1], item[0]),
        ),
        "digest": committee_services.assignment_plan_digest(
            round=round_, reviewers_per_proposal=n, plan=plan
        ),
    }


def _bulk_page(request, round_, form, preview=None, save_form=None, *, status=200):
    return render(
        request,
        "grants/staff/bulk_assign.html",
        {
            "round": round_,
            "form": form,
            "preview": preview,
            "save_form": save_form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def bulk_assign(request, pk: int):
    require_staff(request)
    round_ = get_object_or_404(Round.objects.select_related("program"), pk=pk)
    if request.method == "GET":
        if "reviewers_per_proposal" not in request.GET:
            form = BulkAssignForm(
                initial={"reviewers_per_proposal": round_.min_reviews}
            )
            return _bulk_page(request, round_, form)
        form = BulkAssignForm(request.GET)
        if not form.is_valid():
            return _bulk_page(request, round_, form, status=400)
        n = form.cleaned_data["reviewers_per_proposal"]
        preview = _preview(round_, n)
        save_form = BulkSaveForm(
            prefix="save",
            initial={"reviewers_per_proposal": n, "digest": preview["digest"]},
        )
        return _bulk_page(request, round_, form, preview, save_form)
    save_form = BulkSaveForm(request.POST, prefix="save")
    if not save_form.is_valid():
        form = BulkAssignForm(initial={"reviewers_per_proposal": round_.min_reviews})
        return _bulk_page(request, round_, form, None, save_form, status=400)
    n = save_form.cleaned_data["reviewers_per_proposal"]
    try:
        with transaction.atomic():
            created = committee_services.assignments_bulk(
                actor=request.user,
                round=round_,
                reviewers_per_proposal=n,
                reason=save_form.cleaned_data["reason"],
                expected_digest=save_form.cleaned_data["digest"],
            )
    except ValidationError as error:
        # The plan changed: show the new one, to be checked and saved again.
        form = BulkAssignForm(initial={"reviewers_per_proposal": n})
        preview = _preview(round_, n)
        fresh = BulkSaveForm(
            prefix="save",
            data={
                "save-reviewers_per_proposal": n,
                "save-digest": preview["digest"],
                "save-reason": save_form.cleaned_data["reason"],
            },
        )
        fresh.is_valid()
        add_service_errors(fresh, error)
        return _bulk_page(request, round_, form, preview, fresh, status=409)
    messages.success(
        request,
        ngettext(
            "%(count)s assignment saved.", "%(count)s assignments saved.", len(created)
        )
        % {"count": len(created)},
    )
    return redirect("grants:staff_rounds")


urlpatterns = [
    path("staff/rounds/", rounds, name="staff_rounds"),
    path("staff/rounds/new/", round_new, name="staff_round_new"),
    path("staff/rounds/<int:pk>/", round_edit, name="staff_round_edit"),
    path("staff/rounds/<int:pk>/assign/", bulk_assign, name="staff_bulk_assign"),
]
