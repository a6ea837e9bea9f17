"""Pages: my affiliates' proposals, a proposal, the editor in steps, its history.

Views are thin: proposals are loaded through the reader rules (404 for what the
person may not see), permissions decide the buttons (403 when tried anyway), and
every POST goes through a service in grants/services/proposals.py. Editors send the
record version they showed: a stale save answers 412 with the form and the input.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from affiliates.models import Affiliate
from affiliates.permissions import member_affiliate_ids
from portal import versions
from portal.api.history import history_entries
from portal.exceptions import StaleRecord
from portal.paging import CountedPaginator
from portal.users import display_name

from .. import permissions, readers
from ..charts import budget_by_category
from ..choices import ProposalStatus
from ..committee import decision_for_reader
from ..forms.proposals import (
    ActionForm,
    BasicsForm,
    BudgetLineFormSet,
    BudgetSettingsForm,
    PlanForm,
    ProposalStartForm,
    TargetFormSet,
    add_service_errors,
)
from ..models import BudgetLine, Proposal, TargetMetric
from ..models.proposals import to_usd
from ..services import proposals as services

STEPS = [
    ("basics", gettext_lazy("Basics")),
    ("plan", gettext_lazy("Plan")),
    ("budget", gettext_lazy("Budget")),
    ("targets", gettext_lazy("Targets")),
    ("review", gettext_lazy("Check your answers")),
]
STEP_NAMES = [name for name, _label in STEPS]
STATUS_TONES = {
    ProposalStatus.DRAFT: "neutral",
    ProposalStatus.SUBMITTED: "info",
    ProposalStatus.ELIGIBILITY_CHECK: "info",
    ProposalStatus.COMMUNITY_REVIEW: "info",
    ProposalStatus.COMMITTEE_REVIEW: "info",
    ProposalStatus.APPROVED: "success",
    ProposalStatus.APPROVED_WITH_CONDITIONS: "success",
    ProposalStatus.FUNDED: "success",
    ProposalStatus.REPORTING: "success",
    ProposalStatus.CLOSED: "neutral",
    ProposalStatus.DECLINED: "danger",
    ProposalStatus.WITHDRAWN: "warning",
}
PAGE_ACTIONS = ("submit", "withdraw")
LINES_PREFIX = "lines"
TARGETS_PREFIX = "targets"


def _proposals(user):
    return readers.proposals_for_reader(
        user,
        Proposal.objects.select_related("affiliate", "program", "round"),
    )


def _visible(request, pk) -> Proposal:
    """The proposal if this person may see it, else 404."""
    return get_object_or_404(_proposals(request.user), pk=pk)


def _editable(request, pk) -> Proposal:
    """404 for what one may not see, 403 for what one sees but may not edit."""
    proposal = _visible(request, pk)
    if not permissions.can_edit_proposal(request.user, proposal):
        raise PermissionDenied(
            _("Only the applicant can edit a proposal, and only while it is a draft.")
        )
    return proposal


def _tone(status) -> str:
    return STATUS_TONES.get(status, "neutral")


# List -------------------------------------------------------------------------------


# Rows on a page of the list: an affiliate may have hundreds of proposals.
LIST_PAGE_SIZE = 25
# States in the order of ProposalStatus (draft first, closed and withdrawn last).
STATE_ORDER = models.Case(
    *(
        models.When(status=value, then=models.Value(index))
        for index, value in enumerate(ProposalStatus.values)
    ),
    default=models.Value(len(ProposalStatus.values)),
    output_field=models.IntegerField(),
)


@login_required
def proposal_list(request):
    """My affiliates' proposals by state (latest change first within a state), 25 a
    page, optionally of one state; then the proposals anyone signed in may comment
    on now."""
    affiliate_ids = member_affiliate_ids(request.user)
    mine = Proposal.objects.filter(affiliate_id__in=affiliate_ids)
    # How many in each state: the headings and the filter say it for all pages.
    counts = dict(
        mine.order_by().values_list("status").annotate(count=models.Count("pk"))
    )
    status = request.GET.get("status", "")
    if status not in counts:
        status = ""  # unknown or empty: every state
    shown = mine.filter(status=status) if status else mine
    rows = (
        shown.select_related("affiliate", "program", "round")
        .annotate(state_order=STATE_ORDER)
        .order_by("state_order", "-updated_at", "-pk")
    )
    total = counts[status] if status else sum(counts.values())
    page = CountedPaginator(rows, LIST_PAGE_SIZE, total).get_page(
        request.GET.get("page")
    )
    labels = dict(ProposalStatus.choices)
    groups = []
    for proposal in page.object_list:
        if not groups or groups[-1]["status"] != proposal.status:
            groups.append(
                {
                    "status": proposal.status,
                    "label": labels.get(proposal.status, proposal.status),
                    "tone": _tone(proposal.status),
                    "count": counts.get(proposal.status, 0),
                    "proposals": [],
                }
            )
        groups[-1]["proposals"].append(proposal)
    return render(
        request,
        "grants/proposals/list.html",
        {
            "groups": groups,
            "page_obj": page,
            "status": status,
            "states": [
                (value, label, counts[value])
                for value, label in ProposalStatus.choices
                if value in counts
            ],
            "may_create": bool(affiliate_ids),
            "open_for_comments": permissions.open_for_comments(request.user)
            .select_related("program", "round")
            .exclude(affiliate_id__in=affiliate_ids)[:20],
        },
    )


# New, and "start from an earlier proposal" -------------------------------------------


def _my_affiliates(user):
    return Affiliate.objects.filter(pk__in=member_affiliate_ids(user)).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request):
    affiliates = _my_affiliates(request.user)
    if not affiliates:
        raise PermissionDenied(_("Only members of an affiliate can write proposals."))
    rounds = services.open_rounds()
    chosen = None
    affiliate_param = request.GET.get("affiliate") or request.POST.get("affiliate")
    if affiliate_param and affiliate_param.isdigit():
        chosen = affiliates.filter(pk=int(affiliate_param)).first()
    elif len(affiliates) == 1:
        chosen = affiliates[0]
    open_now = list(rounds[:2])
    initial = {
        "affiliate": chosen,
        "language": request.LANGUAGE_CODE,
        "round": open_now[0] if len(open_now) == 1 else None,
    }
    form = ProposalStartForm(
        request.POST if request.POST.get("start") else None,
        affiliates=affiliates,
        rounds=rounds,
        initial=initial,
    )
    status = 200
    if request.method == "POST" and request.POST.get("from"):
        return _copy(request, affiliates)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                proposal = services.proposal_create(
                    actor=request.user,
                    affiliate=data["affiliate"],
                    program=data["round"].program,
                    round=data["round"],
                    title=data["title"],
                    language=data["language"],
                    currency=data["currency"],
                    exchange_rate=data["exchange_rate"],
                    amount_requested=data["amount_requested"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Your draft is saved. Continue with the basics.")
                )
                return HttpResponseRedirect(
                    reverse("grants:proposal_edit", args=[proposal.pk, "basics"])
                )
        status = 400
    earlier = []
    if chosen is not None:
        earlier = list(
            Proposal.objects.filter(affiliate=chosen)
            .select_related("program", "round")
            .order_by("-created_at")[:50]
        )
    highlight = request.GET.get("from")
    return render(
        request,
        "grants/proposals/new.html",
        {
            "form": form,
            "affiliates": affiliates,
            "chosen": chosen,
            "earlier": earlier,
            "highlight": int(highlight) if highlight and highlight.isdigit() else None,
            "rounds_open": rounds.exists(),
        },
        status=status,
    )


def _copy(request, affiliates):
    source_id = request.POST.get("from", "")
    if not source_id.isdigit():
        raise Http404
    source = get_object_or_404(
        Proposal.objects.filter(affiliate__in=affiliates).select_related(
            "affiliate", "program"
        ),
        pk=int(source_id),
    )
    try:
        proposal = services.proposal_copy(actor=request.user, source=source)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return HttpResponseRedirect(
            reverse("grants:proposal_new") + f"?affiliate={source.affiliate_id}"
        )
    messages.success(
        request,
        _("A new draft is started from “%(title)s”. Check each step.")
        % {"title": source.title},
    )
    return HttpResponseRedirect(
        reverse("grants:proposal_edit", args=[proposal.pk, "basics"])
    )


# The proposal page -------------------------------------------------------------------


def _budget_rows(proposal):
    lines = list(proposal.budget_lines.all())
    for line in lines:
        line.line_total = line.total
        line.line_total_usd = to_usd(line.line_total, proposal.exchange_rate)
    return lines


@login_required
def proposal_detail(request, pk: int):
    proposal = get_object_or_404(
        _proposals(request.user).prefetch_related("budget_lines", "target_metrics"),
        pk=pk,
    )
    view = readers.proposal_view(request.user, proposal)
    actions = (
        [
            a
            for a in services.allowed_proposal_actions(request.user, proposal)
            if a in PAGE_ACTIONS
        ]
        if view.private
        else []
    )
    lines = _budget_rows(proposal) if view.private else []
    total = sum((line.line_total for line in lines), Decimal("0.00"))
    return render(
        request,
        "grants/proposals/detail.html",
        {
            "proposal": proposal,
            "view": view,
            "tone": _tone(proposal.status),
            "lines": lines,
            "budget_total": total,
            "budget_total_usd": to_usd(total, proposal.exchange_rate),
            "budget_chart": budget_by_category(proposal, lines),
            "decided": decision_for_reader(request.user, proposal),
            "targets": list(proposal.target_metrics.all()),
            "actions": actions,
            "action_form": ActionForm(),
            "version": versions.record_version(proposal) if actions else "",
            "may_edit": permissions.can_edit_proposal(request.user, proposal),
            "may_see_history": permissions.can_view_proposal_history(
                request.user, proposal
            ),
        },
    )


@login_required
@require_POST
def proposal_action(request, pk: int, action: str):
    """Submit or withdraw, when the rules allow this person to."""
    if action not in PAGE_ACTIONS:
        raise Http404
    proposal = _visible(request, pk)
    if not readers.proposal_view(request.user, proposal).private:
        raise PermissionDenied
    if action not in services.allowed_proposal_actions(request.user, proposal):
        raise PermissionDenied(
            _("You cannot do this now.")
            if action == "withdraw"
            else _("Only an affiliate admin can submit a draft proposal.")
        )
    form = ActionForm(request.POST)
    reason = (
        form.data.get("reason", "")[:5000]
        if not form.is_valid()
        else form.cleaned_data["reason"]
    )
    service = (
        services.proposal_submit if action == "submit" else services.proposal_withdraw
    )
    try:
        with transaction.atomic():
            versions.check_version(proposal, request.POST.get("version", ""))
            service(actor=request.user, proposal=proposal, reason=reason)
    except StaleRecord:
        messages.error(request, _stale_message())
        return HttpResponseRedirect(reverse("grants:proposal", args=[pk]))
    except ValidationError as error:
        if action == "submit":
            return _review(request, proposal, errors=error, status=400)
        raise
    messages.success(
        request,
        _("The proposal is submitted.")
        if action == "submit"
        else _("The proposal is withdrawn."),
    )
    return HttpResponseRedirect(reverse("grants:proposal", args=[pk]))


def _stale_message():
    return _(
        "Someone saved this proposal after you opened it. Nothing was overwritten: "
        "your input is below; check the current version, then save again."
    )


# The editor ---------------------------------------------------------------------------


def _step_forms(step, proposal, data=None):
    """The forms of a step, bound to `data` or filled from the proposal."""
    if step == "basics":
        initial = {n: getattr(proposal, n) for n in BasicsForm.fields_in_service}
        return {"form": BasicsForm(data, initial=initial, program=proposal.program)}
    if step == "plan":
        return {"form": PlanForm(data, initial={"description": proposal.description})}
    if step == "budget":
        settings_form = BudgetSettingsForm(
            data,
            initial={
                "currency": proposal.currency,
                "exchange_rate": proposal.exchange_rate,
            },
        )
        if data is None:
            initial = [
                {
                    "id": line.pk,
                    "activity": line.activity,
                    "category": line.category,
                    "description": line.description,
                    "unit": line.unit,
                    "quantity": line.quantity,
                    "unit_cost": line.unit_cost,
                }
                for line in BudgetLine.objects.filter(proposal=proposal).order_by(
                    "position", "pk"
                )
            ]
            formset = BudgetLineFormSet(initial=initial or [{}], prefix=LINES_PREFIX)
        else:
            formset = BudgetLineFormSet(data, prefix=LINES_PREFIX)
        return {"form": settings_form, "formset": formset}
    if step == "targets":
        if data is None:
            initial = [
                {"id": m.pk, "kind": m.kind, "name": m.name, "target": m.target}
                for m in TargetMetric.objects.filter(proposal=proposal).order_by("pk")
            ]
            formset = TargetFormSet(initial=initial or [{}], prefix=TARGETS_PREFIX)
        else:
            formset = TargetFormSet(data, prefix=TARGETS_PREFIX)
        return {"formset": formset}
    raise Http404


def _valid(forms) -> bool:
    return all(f.is_valid() for f in forms.values())


def _service_fields(step, forms) -> dict:
    """The keyword arguments for proposal_update from a step's valid forms."""
    if step in ("basics", "plan"):
        form = forms["form"]
        return {n: form.cleaned_data[n] for n in form.fields_in_service}
    if step == "budget":
        rows = forms["formset"].rows()
        total = sum(
            (
                BudgetLine(unit_cost=r["unit_cost"], quantity=r["quantity"]).total
                for r in rows
            ),
            Decimal("0.00"),
        )
        return {
            "currency": forms["form"].cleaned_data["currency"],
            "exchange_rate": forms["form"].cleaned_data["exchange_rate"],
            "amount_requested": total,
            "budget_lines": rows,
        }
    if step == "targets":
        return {"target_metrics": forms["formset"].rows()}
    raise Http404


def _attach_errors(step, forms, error: ValidationError):
    """A service's errors next to the step's fields; the rest above the form."""
    main = forms.get("form") or forms["formset"]
    target = main if hasattr(main, "add_error") else None
    if target is not None:
        add_service_errors(target, error)
    else:
        forms["formset"]._non_form_errors = forms["formset"].error_class(error.messages)


def _save_step(request, proposal, step, forms):
    """Check the version, then save through the service. Returns an error kind
    ("stale", "invalid") or None."""
    if not _valid(forms):
        return "invalid"
    try:
        with transaction.atomic():
            versions.check_version(proposal, request.POST.get("version", ""))
            services.proposal_update(
                actor=request.user, proposal=proposal, **_service_fields(step, forms)
            )
    except StaleRecord:
        return "stale"
    except ValidationError as error:
        _attach_errors(step, forms, error)
        return "invalid"
    return None


def _reorder(data, prefix, command):
    """Move, remove or add a row without JavaScript: returns initial rows in the
    new order, taken from what was typed."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        total = 0
    total = min(total, 200)
    rows = []
    for index in range(total):
        start = f"{prefix}-{index}-"
        rows.append(
            {k[len(start) :]: v for k, v in data.items() if k.startswith(start)}
        )
    verb, _sep, number = command.partition("-")
    index = int(number) if number.isdigit() else -1
    if verb == "add":
        rows.append({})
    elif 0 <= index < len(rows):
        if verb == "remove":
            rows.pop(index)
        elif verb == "up" and index > 0:
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
        elif verb == "down" and index < len(rows) - 1:
            rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return rows


def _decimal(value):
    try:
        return Decimal(str(value).strip() or "0")
    except (InvalidOperation, ValueError):
        return Decimal("0")


def _line_totals(formset, rate):
    """Server-side totals for the rows as shown (typed or saved)."""
    totals = []
    for form in formset.forms:
        if form.is_bound:
            q = form.data.get(form.add_prefix("quantity"), "")
            c = form.data.get(form.add_prefix("unit_cost"), "")
        else:
            q = form.initial.get("quantity", "")
            c = form.initial.get("unit_cost", "")
        total = (_decimal(q) * _decimal(c)).quantize(Decimal("0.01"))
        totals.append(total)
    return totals


def _editor_context(request, proposal, step, forms):
    context = {
        "proposal": proposal,
        "step": step,
        "steps": STEPS,
        "step_index": STEP_NAMES.index(step) + 1,
        "step_count": len(STEPS),
        "next_step": STEP_NAMES[STEP_NAMES.index(step) + 1]
        if step != "review"
        else None,
        "version": request.POST.get("version")
        if request.method == "POST"
        else versions.record_version(proposal),
        "server_updated_ms": int(proposal.updated_at.timestamp() * 1000),
        "program": proposal.program,
        **forms,
    }
    if step == "budget":
        rate = proposal.exchange_rate
        form = forms["form"]
        if form.is_bound:
            typed = _decimal(form.data.get("exchange_rate", ""))
            rate = typed if typed > 0 else rate
        totals = _line_totals(forms["formset"], rate)
        grand = sum(totals, Decimal("0.00"))
        context.update(
            {
                "rows": list(zip(forms["formset"].forms, totals, strict=False)),
                "grand_total": grand,
                "grand_total_usd": to_usd(grand, rate),
                "rate": rate,
                "currency": (
                    form.data.get("currency") if form.is_bound else proposal.currency
                )
                or proposal.currency,
            }
        )
    return context


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, pk: int, step: str):
    if step not in STEP_NAMES:
        raise Http404
    proposal = _editable(request, pk)
    if step == "review":
        return _review(request, proposal)
    status = 200
    if request.method == "POST":
        forms = _step_forms(step, proposal, request.POST)
        command = request.POST.get("row_action", "")
        if command and step in ("budget", "targets"):
            prefix = LINES_PREFIX if step == "budget" else TARGETS_PREFIX
            formset_class = BudgetLineFormSet if step == "budget" else TargetFormSet
            rows = _reorder(request.POST, prefix, command)
            forms["formset"] = formset_class(initial=rows, prefix=prefix)
            if "form" in forms:
                forms["form"].is_valid()
        else:
            problem = _save_step(request, proposal, step, forms)
            if problem is None:
                go = request.POST.get("go", "next")
                target = step
                if go == "next":
                    target = STEP_NAMES[STEP_NAMES.index(step) + 1]
                elif go in STEP_NAMES:
                    target = go
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(
                    reverse("grants:proposal_edit", args=[pk, target])
                )
            status = 412 if problem == "stale" else 400
            if problem == "stale":
                messages.error(request, _stale_message())
                proposal.refresh_from_db()
    else:
        forms = _step_forms(step, proposal)
    context = _editor_context(request, proposal, step, forms)
    if status == 412:
        # Keep the user's input; the version field takes the current version so that
        # saving again (after checking) goes through.
        context["version"] = versions.record_version(proposal)
        context["stale"] = True
    return render(request, f"grants/proposals/edit_{step}.html", context, status=status)


@login_required
@require_POST
def proposal_autosave(request, pk: int, step: str):
    """htmx: save the step's draft as it is typed; answers a small status."""
    if step not in ("basics", "plan", "budget", "targets"):
        raise Http404
    proposal = _editable(request, pk)
    forms = _step_forms(step, proposal, request.POST)
    child_model = {"budget": BudgetLine, "targets": TargetMetric}.get(step)
    before = set(_child_ids(child_model, proposal)) if child_model else set()
    problem = _save_step(request, proposal, step, forms)
    new_ids = []
    if problem is None:
        proposal.refresh_from_db()
        if child_model:
            new_ids = _new_row_ids(child_model, proposal, before, forms["formset"])
    return render(
        request,
        "grants/proposals/_autosave_status.html",
        {
            "problem": problem,
            "saved_at": timezone.localtime(),
            "version": versions.record_version(proposal) if problem is None else "",
            "server_updated_ms": int(proposal.updated_at.timestamp() * 1000),
            "new_ids": new_ids,
        },
    )


def _child_ids(model, proposal):
    return model.objects.filter(proposal=proposal).values_list("pk", flat=True)


def _new_row_ids(model, proposal, before, formset):
    """(field name, id) of the rows an autosave just created, so that the page
    sends their ids next time (the same rows are updated, not created again)."""
    created = iter(sorted(set(_child_ids(model, proposal)) - before))
    result = []
    for form in formset.forms:
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("id"):
            row_id = next(created, None)
            if row_id is None:
                break
            result.append((form.add_prefix("id"), row_id))
    return result


def _review(request, proposal, errors=None, status=200):
    lines = _budget_rows(proposal)
    total = sum((line.line_total for line in lines), Decimal("0.00"))
    error_messages = {}
    if errors is not None:
        if hasattr(errors, "error_dict"):
            error_messages = {k: v for k, v in errors.message_dict.items()}
        else:
            error_messages = {"": errors.messages}
    return render(
        request,
        "grants/proposals/edit_review.html",
        {
            "proposal": proposal,
            "step": "review",
            "steps": STEPS,
            "step_index": len(STEPS),
            "step_count": len(STEPS),
            "lines": lines,
            "budget_total": total,
            "budget_total_usd": to_usd(total, proposal.exchange_rate),
            "targets": list(proposal.target_metrics.all()),
            "may_submit": "submit"
            in services.allowed_proposal_actions(request.user, proposal),
            "version": versions.record_version(proposal),
            "action_form": ActionForm(request.POST or None),
            "errors": error_messages,
            "error_list": [m for ms in error_messages.values() for m in ms],
        },
        status=status,
    )


# History -----------------------------------------------------------------------------


FIELD_LABELS = {
    "proposal": Proposal,
    "budgetline": BudgetLine,
    "targetmetric": TargetMetric,
}


# Bookkeeping columns a reader of the history does not need (ids, order, links).
HISTORY_SKIPPED = {
    "affiliate",
    "program",
    "round",
    "created_by",
    "created_at",
    "proposal",
    "position",
    "exchange_rate_frozen_at",
}


def _field(model_label, name):
    model = FIELD_LABELS.get(model_label)
    try:
        return model._meta.get_field(name) if model else None
    except Exception:  # noqa: BLE001 (a field since removed)
        return None


def _show(field, value):
    """A history value as a reader understands it: choice labels, local dates."""
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField):
        try:
            return date_format(
                timezone.localtime(datetime.datetime.fromisoformat(value)),
                "DATETIME_FORMAT",
            )
        except (TypeError, ValueError):
            pass
    elif isinstance(field, models.DateField):
        try:
            return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except (TypeError, ValueError):
            pass
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"


def _changes(entry):
    rows = []
    for change in entry["changes"]:
        if change["field"] in HISTORY_SKIPPED:
            continue
        if entry["type"] == "created" and change["new"] in (None, ""):
            continue
        field = _field(entry["model"], change["field"])
        label = capfirst(str(field.verbose_name)) if field else change["field"]
        rows.append(
            {
                "field": label,
                "old": _show(field, change["old"]),
                "new": _show(field, change["new"]),
                "created": entry["type"] == "created",
            }
        )
    return rows


@login_required
def proposal_history(request, pk: int):
    """Who changed what, when and why: the same entries as the API's history."""
    proposal = _visible(request, pk)
    if not permissions.can_view_proposal_history(request.user, proposal):
        raise PermissionDenied
    entries = history_entries(versions.audited_querysets(proposal))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    kinds = {
        "proposal": _("Proposal"),
        "budgetline": _("Budget line"),
        "targetmetric": _("Target"),
    }
    types = {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}
    rows = [
        {
            "date": entry["date"],
            "who": display_name(entry["user"]) or _("the system"),
            "what": kinds.get(entry["model"], entry["model"]),
            "type": types[entry["type"]],
            "reason": entry["reason"],
            "changes": _changes(entry),
        }
        for entry in page.object_list
    ]
    return render(
        request,
        "grants/proposals/history.html",
        {"proposal": proposal, "rows": rows, "page_obj": page},
    )


urlpatterns = [
    path("proposals/", proposal_list, name="proposals"),
    path("proposals/new/", proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", proposal_detail, name="proposal"),
    path("proposals/<int:pk>/edit/<str:step>/", proposal_edit, name="proposal_edit"),
    path(
        "proposals/<int:pk>/autosave/<str:step>/",
        proposal_autosave,
        name="proposal_autosave",
    ),
    path(
        "proposals/<int:pk>/do/<str:action>/", proposal_action, name="proposal_action"
    ),
    path("proposals/<int:pk>/history/", proposal_history, name="proposal_history"),
]
