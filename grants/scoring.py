"""Score aggregates and the round ranking: the database picks the scores that count
(the recusal rules in SQL), one pass in Python computes the statistics from them.

Only submitted reviews by reviewers who are not recused from the proposal count;
"not applicable" answers are left out (never counted as zero). Per proposal and
criterion: count, mean, median, min, max and population standard deviation. The
weighted total is on the rubric's scale: the weighted mean of the criterion means,
over the criteria that have at least one score.

Queries: one for the counted values (every statistic is computed from them), one for
the recommendation counts, whatever the number of proposals and reviews.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from math import fsum, sqrt
from statistics import median

from django.db.models import Count, OuterRef

from . import permissions
from .choices import ReviewStatus
from .models import Review, Score

TWO = Decimal("0.01")


def _q(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(TWO, ROUND_HALF_UP)


def _pstdev(values) -> float:
    """Population standard deviation of the scores, from the values the medians
    need anyway (SQLite's StdDev runs in Python with fractions: slow on big rounds)."""
    if not values:
        return 0.0
    mean = fsum(values) / len(values)
    return sqrt(fsum((v - mean) ** 2 for v in values) / len(values))


def counted_scores(proposal_ids):
    """Scores that count: submitted reviews, reviewer not recused, not n/a."""
    recused = permissions.recusal_exists(
        OuterRef("review__reviewer"),
        OuterRef("review__proposal"),
        OuterRef("review__proposal__affiliate"),
        OuterRef("review__proposal__created_at"),
    )
    return Score.objects.filter(
        review__proposal_id__in=proposal_ids,
        review__status=ReviewStatus.SUBMITTED,
        not_applicable=False,
    ).exclude(recused)


def counted_reviews(proposal_ids):
    recused = permissions.recusal_exists(
        OuterRef("reviewer"),
        OuterRef("proposal"),
        OuterRef("proposal__affiliate"),
        OuterRef("proposal__created_at"),
    )
    return Review.objects.filter(
        proposal_id__in=proposal_ids, status=ReviewStatus.SUBMITTED
    ).exclude(recused)


def aggregate(proposals, rubric, within=None) -> dict[int, dict]:
    """{proposal id: summary} for proposals scored on one rubric. `within`: a
    queryset of exactly these proposals, when the caller has one (a subquery is
    cheaper than a long list of ids on big rounds)."""
    ids = [p.pk for p in proposals]
    selected = ids if within is None else within.values("pk")
    criteria = list(rubric.criteria.all())
    # One pass over the counted values gives every statistic: the database would
    # evaluate the recusal rules a second time for a GROUP BY.
    values = defaultdict(list)
    for proposal_id, criterion_id, value in counted_scores(selected).values_list(
        "review__proposal_id", "criterion_id", "value"
    ):
        values[(proposal_id, criterion_id)].append(value)
    recommendations = defaultdict(lambda: defaultdict(int))
    review_counts = defaultdict(int)
    for proposal_id, recommendation, n in (
        counted_reviews(selected)
        .values_list("proposal_id", "recommendation")
        .annotate(n=Count("id"))
        .order_by()
    ):
        recommendations[proposal_id][recommendation] += n
        review_counts[proposal_id] += n

    half_scale = Decimal(rubric.scale_max - rubric.scale_min) / 2
    result = {}
    for proposal_id in ids:
        per_criterion, weighted, weights, divergent = [], Decimal(0), Decimal(0), False
        for criterion in criteria:
            scored = values.get((proposal_id, criterion.pk))
            if not scored:
                per_criterion.append(
                    {
                        "criterion": criterion.pk,
                        "count": 0,
                        "mean": None,
                        "median": None,
                        "min": None,
                        "max": None,
                        "stddev": None,
                    }
                )
                continue
            # The integer sum is exact, so this is the float the database's AVG
            # gives: the shown means do not change.
            mean = Decimal(str(sum(scored) / len(scored)))
            low, high = min(scored), max(scored)
            spread = high - low
            divergent = divergent or spread >= half_scale
            weighted += criterion.weight * mean
            weights += criterion.weight
            per_criterion.append(
                {
                    "criterion": criterion.pk,
                    "count": len(scored),
                    "mean": _q(mean),
                    "median": _q(median(scored)),
                    "min": low,
                    "max": high,
                    "stddev": _q(_pstdev(scored)),
                }
            )
        result[proposal_id] = {
            "reviews": review_counts[proposal_id],
            "criteria": per_criterion,
            "weighted_total": _q(weighted / weights) if weights else None,
            "divergent": divergent,
            "recommendations": dict(recommendations[proposal_id]),
        }
    return result


def rank(summaries: dict[int, dict], min_reviews: int) -> dict[int, int | None]:
    """Competition ranking by weighted total (1, 2, 2, 4); None if too few reviews."""
    ranked = sorted(
        (
            (s["weighted_total"], pid)
            for pid, s in summaries.items()
            if s["reviews"] >= min_reviews and s["weighted_total"] is not None
        ),
        key=lambda item: -item[0],
    )
    ranks, previous, position = {}, None, 0
    for index, (total, pid) in enumerate(ranked, start=1):
        if total != previous:
            position, previous = index, total
        ranks[pid] = position
    return {pid: ranks.get(pid) for pid in summaries}
