"""Pages for the committee (see grants/urls.py).

`grants:committee` lists the rounds whose ranking the reader may open;
`grants:committee_round` is a round's ranking (grants/committee.py `round_ranking`,
the API's data), sorted and filtered by query string (htmx swaps the results);
`grants:committee_proposal` is one proposal for the committee: score distribution,
the reviews the reader may see, the recusal record, community comments, and the
decision (form for staff, with the tally and quorum computed by the service's own
functions; the record afterwards).
Who sees what: grants/permissions.py and grants/readers.py, never this module.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.errors import answer_for
from portal.exceptions import StaleRecord
from portal.users import display_name
from portal.versions import check_version, record_version

from .. import permissions, readers, scoring
from ..choices import ProposalStatus, RecusalSource, WithheldReason
from ..committee import (
    RANKED_STATUSES,
    decision_for_reader,
    recused_members,
    round_ranking,
)
from ..forms.decisions import DecisionForm
from ..models import Proposal, Review, Round, Score
from ..services import decisions as decision_services

# Sort keys of the ranking (query string `sort`); "-" first means descending.
SORTS = ("rank", "total", "spread")
SHOW_FILTERS = ("divergent", "unranked", "withheld")


# Rounds ------------------------------------------------------------------------------


@login_required
@require_GET
def round_list(request):
    """The rounds of my committees (every round with a committee, for staff)."""
    rounds = (
        permissions.committee_rounds(
            request.user, Round.objects.select_related("program", "committee")
        )
        .annotate(
            in_committee=Count(
                "proposals",
                filter=Q(proposals__status=ProposalStatus.COMMITTEE_REVIEW),
            )
        )
        .order_by("-opens_on", "name")
    )
    return render(request, "grants/committee/rounds.html", {"rounds": rounds})


# Ranking -----------------------------------------------------------------------------


def _spread(criteria_stats) -> int | None:
    """The widest gap between two reviewers' scores on any criterion."""
    gaps = [
        c["max"] - c["min"]
        for c in criteria_stats
        if c["max"] is not None and c["min"] is not None
    ]
    return max(gaps) if gaps else None


def _unranked_reason(row, min_reviews) -> str:
    if row["rank"] is not None:
        return ""
    if row["reviews"] < min_reviews:
        return _("Too few reviews: %(n)s of the %(min)s needed.") % {
            "n": row["reviews"],
            "min": min_reviews,
        }
    return _("No scores yet.")


def _sort_rows(rows, sort: str):
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    field = {"rank": "rank", "total": "weighted_total", "spread": "spread"}[key]
    present = [r for r in rows if r[field] is not None]
    missing = [r for r in rows if r[field] is None]
    present.sort(key=lambda r: (r[field], r["proposal"]), reverse=descending)
    return present + missing


def _query(params: dict) -> str:
    query = QueryDict(mutable=True)
    for name, value in params.items():
        if value:
            query[name] = value
    return query.urlencode()


def ranking_context(request, round_) -> dict:
    """The ranking as the reader may see it, shaped for the page (the same data as
    the API; recused and other withheld proposals carry no numbers)."""
    data = round_ranking(request.user, round_)
    sort = request.GET.get("sort", "rank")
    if sort.lstrip("-") not in SORTS:
        sort = "rank"
    show = request.GET.get("show", "")
    show = show if show in SHOW_FILTERS else ""
    state = request.GET.get("state", "")
    state = state if state in RANKED_STATUSES else ""

    # The whole round in one query (a list of 2,000 ids costs more than the rows).
    statuses = dict(
        Proposal.objects.filter(round=round_, status__in=RANKED_STATUSES).values_list(
            "pk", "status"
        )
    )
    labels = dict(ProposalStatus.choices)
    names = [c["name"] for c in data["criteria"]]
    # One reverse() for every row: the URL differs only by the id.
    url = reverse("grants:committee_proposal", args=[0]).replace("/0/", "/{}/")
    rows = []
    for row in data["ranking"]:
        status = statuses.get(row["proposal"], "")
        rows.append(
            {
                **row,
                "spread": _spread(row["criteria"]),
                "means": [
                    {"name": name, "mean": c["mean"]}
                    for name, c in zip(names, row["criteria"], strict=True)
                ],
                "url": url.format(row["proposal"]),
                "status": status,
                "status_label": labels.get(status, ""),
                "unranked_reason": _unranked_reason(row, data["min_reviews"]),
            }
        )
    if show == "divergent":
        rows = [r for r in rows if r["divergent"]]
    elif show == "unranked":
        rows = [r for r in rows if r["rank"] is None]
    elif show == "withheld":
        rows = []
    if state:
        rows = [r for r in rows if r["status"] == state]
    rows = _sort_rows(rows, sort)

    reasons = dict(WithheldReason.choices)
    withheld = [
        {**w, "why_label": reasons[w["why"]], "recused": w["why"] == "recused"}
        for w in data["withheld"]
    ]
    if show in ("divergent", "unranked") or state:
        withheld = []

    def sort_link(key):
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        # First click: rank ascending, totals and spreads descending; then flip.
        if current:
            target = key if descending else f"-{key}"
        else:
            target = key if key == "rank" else f"-{key}"
        return {
            "key": key,
            "query": _query({"sort": target, "show": show, "state": state}),
            "aria_sort": (
                ("descending" if descending else "ascending") if current else ""
            ),
        }

    return {
        "round": round_,
        "ranking": data,
        "criteria": data["criteria"],
        "rows": rows,
        "withheld": withheld,
        "sort": sort,
        "show": show,
        "state": state,
        "sort_links": {key: sort_link(key) for key in SORTS},
        "states": [(s, labels[s]) for s in RANKED_STATUSES],
        "show_choices": [
            ("divergent", _("Divergent scores only")),
            ("unranked", _("Unranked only")),
            ("withheld", _("Withheld only")),
        ],
        "filtered": bool(show or state),
    }


@login_required
@require_GET
def round_ranking_page(request, pk: int):
    round_ = get_object_or_404(
        Round.objects.select_related("program", "committee", "rubric"), pk=pk
    )
    if not permissions.can_view_ranking(request.user, round_):
        raise PermissionDenied(
            _("Only staff and the round's committee see its ranking.")
        )
    context = ranking_context(request, round_)
    if request.htmx and not request.htmx.boosted:
        return render(request, "grants/committee/_ranking_results.html", context)
    return render(request, "grants/committee/ranking.html", context)


# One proposal ----------------------------------------------------------------------


def _proposal(request, pk: int) -> Proposal:
    queryset = readers.proposals_for_reader(
        request.user,
        Proposal.objects.select_related(
            "round__committee", "round__rubric", "round__program", "affiliate"
        ),
    )
    proposal = get_object_or_404(queryset, pk=pk)
    if not permissions.has_committee_access(request.user, proposal):
        if permissions.is_recused(request.user, proposal):
            raise PermissionDenied(
                _(
                    "You are recused from this proposal: its reviews, scores, notes "
                    "and votes are not shown to you."
                )
            )
        raise PermissionDenied(
            _(
                "Only staff and committee members who declared no conflict for this "
                "proposal see its committee page."
            )
        )
    return proposal


def _score_chart(proposal, rubric, criteria):
    from portal.charts import counts_by, distribution

    scale = [str(v) for v in range(rubric.scale_min, rubric.scale_max + 1)]
    values = defaultdict(list)
    for criterion_id, value in scoring.counted_scores([proposal.pk]).values_list(
        "criterion_id", "value"
    ):
        values[criterion_id].append(value)
    return distribution(
        title=_("How reviewers scored each criterion"),
        scale=scale,
        series=[(c["name"], counts_by(values[c["id"]], scale)) for c in criteria],
        summary=_(
            "Number of counted reviews giving each score, from %(min)s to %(max)s."
        )
        % {"min": rubric.scale_min, "max": rubric.scale_max},
    )


def _reviews(user, proposal, criteria_names) -> list[dict]:
    committee_ids = readers.committee_proposal_ids(
        user, Proposal.objects.filter(pk=proposal.pk)
    )
    queryset = (
        permissions.visible_reviews(user, Review.objects.filter(proposal=proposal))
        .select_related("reviewer__profile", "proposal__round")
        .prefetch_related(
            Prefetch("scores", queryset=Score.objects.order_by("criterion__position"))
        )
        .order_by("id")
    )
    result = []
    for index, review in enumerate(queryset, start=1):
        omitted = readers.review_omitted_fields(user, review, committee_ids)
        scores = None
        if "scores" not in omitted:
            scores = [
                {
                    "criterion": criteria_names.get(s.criterion_id, ""),
                    "value": s.value,
                    "not_applicable": s.not_applicable,
                    "comment": s.comment,
                }
                for s in review.scores.all()
            ]
        result.append(
            {
                "review": review,
                "name": (
                    _("Reviewer %(n)s") % {"n": index}
                    if "reviewer" in omitted
                    else display_name(review.reviewer)
                ),
                "scores": scores,
                "note": ""
                if "note_to_committee" in omitted
                else review.note_to_committee,
                "show_status": "status" not in omitted,
            }
        )
    return result


def _recusal_record(user, proposal) -> list[dict]:
    sources = dict(RecusalSource.choices)
    rows = []
    for index, row in enumerate(recused_members(user, proposal), start=1):
        rows.append(
            {
                "name": (
                    display_name(row["user"])
                    if "user" in row
                    else _("Member %(n)s") % {"n": index}
                ),
                "source": sources[row["source"]],
                "conflict_type": row["conflict_type"],
            }
        )
    return rows


def _voters(user, proposal, electorate) -> list:
    people = (
        get_user_model()
        .objects.select_related("profile")
        .in_bulk(list(electorate.voters))
    )
    names = readers.shows_people(user, proposal.round)
    return [
        (
            people[uid],
            display_name(people[uid]) if names else _("Member %(n)s") % {"n": i},
        )
        for i, uid in enumerate(sorted(people), start=1)
    ]


def _tally_context(form, committee) -> dict:
    tally = form.tally()
    refusal = decision_services.quorum_refusal(tally, committee.quorum)
    return {
        "tally": tally,
        "cast": sum(tally.values()),
        "quorum": committee.quorum,
        "quorum_holds": refusal is None,
        "carried": decision_services.carried_outcome(tally),
    }


def _page(request, proposal, *, form=None, status=200, **extra):
    user = request.user
    round_ = proposal.round
    rubric = round_.rubric
    criteria = round_ranking_criteria(rubric)
    names = {c["id"]: c["name"] for c in criteria}
    may_decide = permissions.can_record_decision(user, proposal)
    context = {
        "proposal": proposal,
        "round": round_,
        "hide_applicant": permissions.hides_applicant_from(user, proposal),
        "criteria": criteria,
        "reviews": _reviews(user, proposal, names),
        "recusals": _recusal_record(user, proposal),
        "decided": decision_for_reader(user, proposal),
        "may_decide": may_decide,
        **extra,
    }
    if rubric is not None:
        summary = scoring.aggregate([proposal], rubric)[proposal.pk]
        context["summary"] = summary
        context["stats"] = [
            {**stats, "name": names.get(stats["criterion"], "")}
            for stats in summary["criteria"]
        ]
        context["chart"] = _score_chart(proposal, rubric, criteria)
    if may_decide and round_.committee is not None:
        electorate = decision_services.voting_electorate(proposal)
        if form is None:
            form = DecisionForm(
                initial={"version": record_version(proposal)},
                voters=_voters(user, proposal, electorate),
            )
        context.update(
            form=form,
            electorate=electorate,
            not_voting=len(electorate.eligible) - len(electorate.voters),
            **_tally_context(form, round_.committee),
        )
    template = "grants/committee/proposal.html"
    if request.htmx and extra.get("tally_only"):
        template = "grants/committee/_tally.html"
    return render(request, template, context, status=status)


def round_ranking_criteria(rubric) -> list[dict]:
    """The rubric's criteria in the reader's language (as the ranking names them)."""
    from django.utils.translation import get_language

    if rubric is None:
        return []
    language = get_language()
    result = []
    for criterion in rubric.criteria.all():
        name, _guidance = criterion.localized(language)
        result.append({"id": criterion.pk, "name": name})
    return result


@login_required
@require_http_methods(["GET", "POST"])
def proposal_page(request, pk: int):
    """The proposal for the committee; POST records the decision (staff)."""
    proposal = _proposal(request, pk)
    if request.method == "GET":
        return _page(request, proposal)
    if not permissions.can_record_decision(request.user, proposal):
        raise PermissionDenied(_("You may not record a decision on this proposal."))
    electorate = decision_services.voting_electorate(proposal)
    form = DecisionForm(
        request.POST, voters=_voters(request.user, proposal, electorate)
    )
    if request.POST.get("action") == "preview":
        return _page(request, proposal, form=form, tally_only=True)
    if not form.is_valid():
        return _page(request, proposal, form=form, status=400)
    try:
        with transaction.atomic():  # a savepoint: a refusal undoes only this
            check_version(proposal, form.cleaned_data["version"] or "")
            decision_services.decision_record(
                actor=request.user, proposal=proposal, **form.service_arguments()
            )
    except StaleRecord as error:
        return _page(request, proposal, form=form, status=412, stale=str(error.message))
    except ValidationError as error:
        vote_errors = []
        for name, texts in answer_for(error).messages.items():
            field = name if name in form.fields and name != "version" else None
            for text in texts:
                form.add_error(field, text)
                if name == "votes":
                    vote_errors.append(text)
        return _page(request, proposal, form=form, status=400, vote_errors=vote_errors)
    messages.success(request, _("The decision is recorded."))
    return redirect(reverse("grants:committee_proposal", args=[proposal.pk]))


urlpatterns = [
    path("committee/", round_list, name="committee"),
    path("rounds/<int:pk>/ranking/", round_ranking_page, name="committee_round"),
    path("committee/proposals/<int:pk>/", proposal_page, name="committee_proposal"),
]
