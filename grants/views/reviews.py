"""Pages: the reviewer's queue, the conflict step, the proposal as the reviewer may
see it with the scoring form, and the yearly declaration of interests.

- `grants:reviews` lists my assigned proposals per round (403 for people with no
  assignment and no committee seat: `permissions.has_review_work`).
- `grants:review_declare` asks, for one assigned proposal, "conflict or not?" first;
  a conflict recuses at once (grants/services/coi.py).
- `grants:review` is the proposal (blind rounds hide the applicant) and the scoring
  form; it sends people who have not declared to the conflict step, and people
  recused (declared, automatic, recorded by staff) to a page that says why.
- `grants:interests` is the yearly declaration of interests.

Proposals are loaded through the reader rules and the person's own assignments:
anything else is a 404. Writes go through the COI and review services; the review
form posts its version and a stale one answers 412 with what was typed.
"""

from collections import OrderedDict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.exceptions import StaleRecord
from portal.versions import check_version, record_version

from .. import permissions, readers
from ..choices import ReviewStatus
from ..forms.coi import (
    YES,
    InterestDeclarationForm,
    InterestFormSet,
    ProposalDeclarationForm,
    interest_rows_initial,
)
from ..forms.proposals import add_service_errors
from ..forms.reviews import SUBMIT, ScoringForm
from ..models import (
    InterestDeclaration,
    Proposal,
    ProposalDeclaration,
    Review,
    ReviewerAssignment,
)
from ..models.proposals import to_usd
from ..services import coi as coi_services
from ..services import reviews as review_services

NOT_STARTED, DRAFT, SUBMITTED, LOCKED, RECUSED, DECLARE = (
    "not_started",
    "draft",
    "submitted",
    "locked",
    "recused",
    "declare",
)
STATES = {
    NOT_STARTED: (gettext_lazy("Not started"), "neutral"),
    DECLARE: (gettext_lazy("Conflict question first"), "info"),
    DRAFT: (gettext_lazy("Draft"), "info"),
    SUBMITTED: (gettext_lazy("Submitted"), "success"),
    LOCKED: (gettext_lazy("Locked"), "warning"),
    RECUSED: (gettext_lazy("Recused"), "neutral"),
}


def _require_review_work(user) -> None:
    if not permissions.has_review_work(user):
        raise PermissionDenied(
            _("These pages are for reviewers and committee members.")
        )


def _my_proposals(user):
    """The proposals assigned to me that I may see, flagged for the reader rules and
    for whether I am recused."""
    assigned = permissions.visible_assignments(
        user, ReviewerAssignment.objects.filter(reviewer=user.pk)
    ).values("proposal")
    return readers.proposals_for_reader(
        user, Proposal.objects.filter(pk__in=assigned)
    ).annotate(
        recused=ExpressionWrapper(
            permissions.recused_q(user), output_field=BooleanField()
        )
    )


def _state(proposal, declared: bool, review) -> str:
    if proposal.recused:
        return RECUSED
    if review is not None:
        review.proposal = proposal
        if review.status == ReviewStatus.SUBMITTED:
            return SUBMITTED
        return LOCKED if review.is_locked() else DRAFT
    if Review(proposal=proposal).is_locked():
        return LOCKED
    return NOT_STARTED if declared else DECLARE


# Queue --------------------------------------------------------------------------------


def reviews_to_do(user, limit: int = 10) -> list:
    """My assigned proposals still waiting for my review (not recused, not submitted,
    not locked), soonest deadline first: for the home page. Three queries."""
    if not permissions.has_review_work(user):
        return []
    proposals = list(
        _my_proposals(user)
        .filter(recused=False)
        .exclude(
            Exists(
                Review.objects.filter(
                    proposal=OuterRef("pk"),
                    reviewer=user.pk,
                    status=ReviewStatus.SUBMITTED,
                )
            )
        )
        .filter(round__scoring_deadline__gte=timezone.localdate())
        .select_related("round")
        .order_by("round__scoring_deadline", "pk")[:limit]
    )
    return proposals


# Past rounds are listed this many at a time, newest first, under the open ones.
PAST_ROUNDS_PER_PAGE = 3


def _queue_groups(user, proposals, declared, reviews) -> list[dict]:
    """The proposals of the queue grouped by round, with each round's progress."""
    rounds = OrderedDict()
    for proposal in proposals:
        state = _state(proposal, proposal.pk in declared, reviews.get(proposal.pk))
        group = rounds.setdefault(
            proposal.round_id,
            {"round": proposal.round, "rows": [], "submitted": 0, "counted": 0},
        )
        label, tone = STATES[state]
        group["rows"].append(
            {
                "proposal": proposal,
                "view": readers.proposal_view(user, proposal),
                "state": state,
                "label": label,
                "tone": tone,
            }
        )
        if state != RECUSED:
            group["counted"] += 1
            group["submitted"] += state == SUBMITTED
    return list(rounds.values())


@login_required
def review_queue(request):
    """My assigned proposals per round, with the scoring deadline and my progress:
    every round still open for scoring, then the past rounds a page at a time
    (`?past=`), newest first, so that years of reviewing do not make the page
    heavier. A fixed number of queries, whatever the number of assignments."""
    user = request.user
    _require_review_work(user)
    today = timezone.localdate()
    mine = _my_proposals(user)
    past_rounds = (
        mine.filter(round__scoring_deadline__lt=today)
        .order_by("-round__scoring_deadline", "-round_id")
        .values_list("round_id", flat=True)
        .distinct()
    )
    past_page = Paginator(past_rounds, PAST_ROUNDS_PER_PAGE).get_page(
        request.GET.get("past")
    )
    past_ids = list(past_page)
    proposals = list(
        mine.filter(Q(round__scoring_deadline__gte=today) | Q(round_id__in=past_ids))
        .select_related("round__program", "program", "affiliate")
        .order_by("round__scoring_deadline", "round_id", "pk")
    )
    ids = [p.pk for p in proposals]
    reviews = {
        r.proposal_id: r
        for r in permissions.visible_reviews(
            user, Review.objects.filter(reviewer=user.pk, proposal_id__in=ids)
        )
    }
    declared = set(
        permissions.visible_declarations(
            user,
            ProposalDeclaration.objects.filter(user=user.pk, proposal_id__in=ids),
        ).values_list("proposal_id", flat=True)
    )
    groups = _queue_groups(user, proposals, declared, reviews)
    past_order = {round_id: i for i, round_id in enumerate(past_ids)}
    return render(
        request,
        "grants/reviews/queue.html",
        {
            "rounds": [g for g in groups if g["round"].pk not in past_order],
            "past_rounds": sorted(
                (g for g in groups if g["round"].pk in past_order),
                key=lambda g: past_order[g["round"].pk],
            ),
            "past_page": past_page,
            "today": today,
            "has_declaration": InterestDeclaration.objects.filter(
                user=user.pk, year=today.year
            ).exists(),
        },
    )


# One proposal ---------------------------------------------------------------------


def _assigned(request, pk: int) -> Proposal:
    """My assigned proposal if I may see it, else 404."""
    return get_object_or_404(
        _my_proposals(request.user).select_related(
            "round__program", "round__rubric", "program", "affiliate"
        ),
        pk=pk,
    )


def _my_declaration(user, proposal):
    return (
        permissions.visible_declarations(
            user, ProposalDeclaration.objects.filter(proposal=proposal, user=user.pk)
        )
        .filter(user=user.pk)
        .first()
    )


def _recused_page(request, proposal, status=200):
    return render(
        request,
        "grants/reviews/recused.html",
        {
            "proposal": proposal,
            "view": readers.proposal_view(request.user, proposal),
            "reasons": permissions.own_recusal_reasons(request.user, proposal),
            "declaration": _my_declaration(request.user, proposal),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_declare(request, pk: int):
    """The conflict step: no conflict, or a conflict that recuses at once."""
    proposal = _assigned(request, pk)
    if proposal.recused:
        if request.method == "POST":
            raise PermissionDenied(_("You are recused from this proposal."))
        return _recused_page(request, proposal)
    declaration = _my_declaration(request.user, proposal)
    form = ProposalDeclarationForm(
        request.POST or None,
        initial={"has_conflict": "no"} if declaration else None,
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            with transaction.atomic():
                if declaration:
                    coi_services.proposal_declaration_update(
                        actor=request.user,
                        declaration=declaration,
                        reason=_("Declared on the review page"),
                        **fields,
                    )
                else:
                    coi_services.proposal_declaration_create(
                        actor=request.user,
                        proposal=proposal,
                        reason=_("Declared on the review page"),
                        **fields,
                    )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if fields["has_conflict"]:
                messages.info(
                    request,
                    _("Thank you. You are recused from this proposal."),
                )
            else:
                messages.success(request, _("Thank you. You can now review it."))
            return redirect("grants:review", pk=proposal.pk)
    return render(
        request,
        "grants/reviews/declare.html",
        {
            "proposal": proposal,
            "view": readers.proposal_view(request.user, proposal),
            "form": form,
            "declaration": declaration,
            "conflict_value": YES,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _budget(proposal):
    lines = list(proposal.budget_lines.all())
    for line in lines:
        line.line_total = line.total
        line.line_total_usd = to_usd(line.line_total, proposal.exchange_rate)
    total = sum((line.line_total for line in lines), Decimal("0.00"))
    return {
        "lines": lines,
        "budget_total": total,
        "budget_total_usd": to_usd(total, proposal.exchange_rate),
    }


def _score_page(request, proposal, review, form, *, closed, status=200, **extra):
    view = readers.proposal_view(request.user, proposal)
    rubric = form.rubric if form is not None else None
    return render(
        request,
        "grants/reviews/score.html",
        {
            "proposal": proposal,
            "view": view,
            "review": review,
            "form": form,
            "rows": form.bound_rows() if form is not None else [],
            "rubric": rubric,
            "closed": closed,
            "targets": list(proposal.target_metrics.all()),
            "pdf_url": reverse("proposal-export-pdf", args=[proposal.pk]),
            **(_budget(proposal) if view.private else {}),
            **extra,
        },
        status=status,
    )


def _scoring_form(proposal, review, data=None, version=""):
    rubric = review.rubric if review else proposal.round.rubric
    if rubric is None:
        return None
    return ScoringForm(
        data,
        rubric=rubric,
        criteria=rubric.criteria.all(),
        review=review,
        language=get_language(),
        initial={"version": version},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_page(request, pk: int):
    """The proposal as the reviewer may see it, and the scoring form. POST saves a
    draft (`action=save`) or submits (`action=submit`)."""
    user = request.user
    proposal = _assigned(request, pk)
    if proposal.recused:
        if request.method == "POST":
            raise PermissionDenied(_("You are recused from this proposal."))
        return _recused_page(request, proposal)
    if _my_declaration(user, proposal) is None:
        if request.method == "POST":
            raise PermissionDenied(
                _("Declare whether you have a conflict of interest before reviewing.")
            )
        return redirect("grants:review_declare", pk=proposal.pk)
    review = (
        permissions.visible_reviews(
            user, Review.objects.filter(proposal=proposal, reviewer=user.pk)
        )
        .prefetch_related("scores")
        .first()
    )
    if review is not None:
        review.proposal = proposal
    closed = permissions.review_closed_reason(user, proposal, review)
    version = record_version(review) if review else ""
    if request.method == "GET":
        form = _scoring_form(proposal, review, version=version)
        if form is not None and closed:
            form.disable()
        return _score_page(request, proposal, review, form, closed=closed)

    if closed:
        raise PermissionDenied(closed)
    form = _scoring_form(proposal, review, request.POST)
    if form is None:
        raise PermissionDenied(_("This round has no rubric yet."))
    form.submitting = request.POST.get("action") == SUBMIT
    if not form.is_valid():
        return _score_page(request, proposal, review, form, closed=None, status=400)
    try:
        with transaction.atomic():  # a savepoint: a refusal undoes only this
            if review is not None:
                check_version(review, form.cleaned_data["version"] or "")
                review = review_services.review_update(
                    actor=user,
                    review=review,
                    scores=form.scores(),
                    reason=_("Saved on the review page"),
                    **form.review_fields(),
                )
            else:
                review = review_services.review_create(
                    actor=user,
                    proposal=proposal,
                    scores=form.scores(),
                    reason=_("Saved on the review page"),
                    **form.review_fields(),
                )
            if form.submitting:
                review_services.review_submit(
                    actor=user, review=review, reason=_("Submitted on the review page")
                )
    except StaleRecord as error:
        return _score_page(
            request,
            proposal,
            review,
            form,
            closed=None,
            status=412,
            stale=str(error.message),
            version=record_version(review),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _score_page(request, proposal, review, form, closed=None, status=400)
    if form.submitting:
        messages.success(request, _("Your review is submitted. Thank you."))
        return redirect("grants:reviews")
    messages.success(request, _("Your draft is saved."))
    return redirect("grants:review", pk=proposal.pk)


# Yearly declaration of interests --------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def interests_page(request):
    """This year's declaration of interests; last year's answers are the starting
    point until this year's exists. "Add another row" posts the form back with one
    more blank row (no script needed)."""
    user = request.user
    _require_review_work(user)
    year = timezone.localdate().year
    mine = permissions.visible_declarations(
        user, InterestDeclaration.objects.filter(user=user.pk)
    ).prefetch_related("interests")
    current = mine.filter(year=year).first()
    previous = None if current else mine.filter(year__lt=year).first()
    if request.method == "POST":
        form = InterestDeclarationForm(request.POST)
        formset = InterestFormSet(request.POST, prefix="interests")
        if "add_row" in request.POST:
            data = request.POST.copy()
            total = formset.total_form_count()  # bounded; 0 if tampered with
            data["interests-TOTAL_FORMS"] = str(total + 1)
            form = InterestDeclarationForm(data)
            formset = InterestFormSet(data, prefix="interests")
            # The new row takes the focus, for keyboard and screen reader users.
            if total < len(formset.forms):
                formset.forms[total].fields["kind"].widget.attrs["autofocus"] = True
            return _interests(request, form, formset, current, previous, year)
        if form.is_valid() and formset.is_valid():
            fields = {
                "no_interests": form.cleaned_data["no_interests"],
                "statement": form.cleaned_data["statement"].strip(),
            }
            try:
                with transaction.atomic():
                    if current:
                        check_version(current, form.cleaned_data["version"] or "")
                        coi_services.interest_declaration_update(
                            actor=user,
                            declaration=current,
                            interests=formset.rows(),
                            reason=_("Declared on the declaration page"),
                            **fields,
                        )
                    else:
                        coi_services.interest_declaration_create(
                            actor=user,
                            year=year,
                            interests=formset.rows(),
                            reason=_("Declared on the declaration page"),
                            **fields,
                        )
            except StaleRecord as error:
                return _interests(
                    request,
                    form,
                    formset,
                    current,
                    previous,
                    year,
                    status=412,
                    stale=str(error.message),
                )
            except ValidationError as error:
                add_service_errors(form, error, {"interests": None})
            else:
                messages.success(request, _("Your declaration of interests is saved."))
                return redirect("grants:interests")
        return _interests(request, form, formset, current, previous, year, status=400)
    source = current or previous
    form = InterestDeclarationForm(
        initial={
            "version": record_version(current) if current else "",
            "no_interests": source.no_interests if source else False,
            "statement": source.statement if source else "",
        }
    )
    formset = InterestFormSet(
        prefix="interests",
        initial=interest_rows_initial(source, keep_ids=bool(current)) if source else [],
    )
    return _interests(request, form, formset, current, previous, year)


def _interests(request, form, formset, current, previous, year, status=200, **extra):
    return render(
        request,
        "grants/reviews/interests.html",
        {
            "form": form,
            "formset": formset,
            "current": current,
            "previous": previous,
            "year": year,
            **extra,
        },
        status=status,
    )


urlpatterns = [
    path("reviews/", review_queue, name="reviews"),
    path("reviews/interests/", interests_page, name="interests"),
    path("reviews/<int:pk>/", review_page, name="review"),
    path("reviews/<int:pk>/declare/", review_declare, name="review_declare"),
]
