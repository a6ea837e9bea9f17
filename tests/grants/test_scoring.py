"""Aggregates and ranking: properties (hypothesis), ties, divergence, query counts."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants import scoring
from tests.factories import UserFactory

TWO = Decimal("0.01")
PROPERTY = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
score = st.integers(min_value=1, max_value=5)
reviews_strategy = st.lists(st.tuples(score, score, score), min_size=1, max_size=4)


def fresh_reviewers(world, n):
    return [world.seat(UserFactory()) for _ in range(n)]


def summary_for(world, proposal):
    return scoring.aggregate([proposal], world.rubric)[proposal.pk]


def expected_means(reviews):
    return [Decimal(sum(col)) / len(col) for col in zip(*reviews, strict=True)]


@PROPERTY
@given(reviews=reviews_strategy, na_reviews=st.integers(min_value=1, max_value=3))
def test_not_applicable_never_changes_a_mean(world, affiliate_b, reviews, na_reviews):
    proposal = world.new_proposal(affiliate_b)
    people = fresh_reviewers(world, len(reviews) + na_reviews)
    for person, values in zip(people, reviews, strict=False):
        world.review(person, list(values), proposal=proposal)
    before = summary_for(world, proposal)
    for person in people[len(reviews) :]:
        # n/a on the first criterion, a score elsewhere
        world.review(person, [None, reviews[0][1], reviews[0][2]], proposal=proposal)
    after = summary_for(world, proposal)
    assert after["criteria"][0]["mean"] == before["criteria"][0]["mean"]
    assert (
        after["criteria"][0]["count"] == before["criteria"][0]["count"] == len(reviews)
    )


@PROPERTY
@given(reviews=reviews_strategy)
def test_weighted_total_is_the_weighted_mean_of_means(world, affiliate_b, reviews):
    proposal = world.new_proposal(affiliate_b)
    for person, values in zip(
        fresh_reviewers(world, len(reviews)), reviews, strict=True
    ):
        world.review(person, list(values), proposal=proposal)
    summary = summary_for(world, proposal)
    weights = [c.weight for c in world.criteria]
    means = expected_means(reviews)
    expected = sum(w * m for w, m in zip(weights, means, strict=True)) / sum(weights)
    assert summary["weighted_total"] == expected.quantize(TWO, ROUND_HALF_UP)
    assert [c["mean"] for c in summary["criteria"]] == [
        m.quantize(TWO, ROUND_HALF_UP) for m in means
    ]
    assert summary["reviews"] == len(reviews)


@PROPERTY
@given(reviews=reviews_strategy, noise=reviews_strategy)
def test_recused_and_draft_reviews_never_count(world, affiliate_b, reviews, noise):
    from grants.services import committees as svc

    proposal = world.new_proposal(affiliate_b)
    for person, values in zip(
        fresh_reviewers(world, len(reviews)), reviews, strict=True
    ):
        world.review(person, list(values), proposal=proposal)
    clean = summary_for(world, proposal)
    noisy = fresh_reviewers(world, len(noise))
    for index, (person, values) in enumerate(zip(noisy, noise, strict=True)):
        if index % 2:
            world.review(person, list(values), proposal=proposal, submit=False)
        else:
            world.review(person, list(values), proposal=proposal)
            svc.recusal_create(
                actor=world.staff,
                proposal=proposal,
                user=person,
                conflict_type="other",
                explanation="Late conflict",
            )
    assert summary_for(world, proposal) == clean


@PROPERTY
@given(
    reviews=st.lists(st.tuples(score, score, score), min_size=2, max_size=4),
    data=st.data(),
)
def test_order_of_reviews_changes_nothing(world, affiliate_b, reviews, data):
    order = data.draw(st.permutations(range(len(reviews))))
    first, second = world.new_proposal(affiliate_b), world.new_proposal(affiliate_b)
    for person, values in zip(
        fresh_reviewers(world, len(reviews)), reviews, strict=True
    ):
        world.review(person, list(values), proposal=first)
    for person, index in zip(fresh_reviewers(world, len(reviews)), order, strict=True):
        world.review(person, list(reviews[index]), proposal=second)
    assert summary_for(world, first) == summary_for(world, second)


def test_ties_share_a_rank_and_thin_proposals_are_unranked(world, affiliate_b):
    p1, p2, p3, p4 = (
        world.proposal,
        *(world.new_proposal(affiliate_b) for _ in range(3)),
    )
    people = fresh_reviewers(world, 2)
    for proposal, values in [(p1, [5, 5, 5]), (p2, [3, 3, 3]), (p3, [3, 3, 3])]:
        for person in people:
            world.review(person, values, proposal=proposal)
    world.review(people[0], [5, 5, 5], proposal=p4)  # one review: below min_reviews
    summaries = scoring.aggregate([p1, p2, p3, p4], world.rubric)
    ranks = scoring.rank(summaries, world.round.min_reviews)
    assert ranks == {p1.pk: 1, p2.pk: 2, p3.pk: 2, p4.pk: None}


def test_divergence_flag_at_half_the_scale(world, affiliate_b):
    proposal = world.new_proposal(affiliate_b)
    a, b = fresh_reviewers(world, 2)
    world.review(a, [1, 3, 3], proposal=proposal)
    world.review(b, [3, 3, 3], proposal=proposal)  # spread 2 = (5-1)/2
    assert summary_for(world, proposal)["divergent"] is True
    calm = world.new_proposal(affiliate_b)
    c, d = fresh_reviewers(world, 2)
    world.review(c, [2, 3, 3], proposal=calm)
    world.review(d, [3, 3, 4], proposal=calm)
    assert summary_for(world, calm)["divergent"] is False


def test_median_min_max_and_stddev(world, affiliate_b):
    proposal = world.new_proposal(affiliate_b)
    for person, first in zip(fresh_reviewers(world, 4), [1, 2, 4, 5], strict=True):
        world.review(person, [first, 3, 3], proposal=proposal)
    stats = summary_for(world, proposal)["criteria"][0]
    assert (stats["min"], stats["max"], stats["median"], stats["mean"]) == (
        1,
        5,
        Decimal("3.00"),
        Decimal("3.00"),
    )
    assert stats["stddev"] == Decimal("1.58")  # population standard deviation


def test_ranking_query_count_does_not_grow_with_the_round(
    api, world, staff, affiliate_b
):
    client = api(staff)
    url = f"/api/v1/rounds/{world.round.pk}/ranking/"

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["ranking"])

    people = fresh_reviewers(world, 3)
    for proposal in [world.proposal, world.new_proposal(affiliate_b)]:
        for person in people:
            world.review(person, [4, 3, 2], proposal=proposal)
    small, rows_small = queries()
    for _ in range(6):
        proposal = world.new_proposal(affiliate_b)
        for person in fresh_reviewers(world, 4):
            world.review(person, [5, None, 1], proposal=proposal)
    large, rows_large = queries()
    assert rows_large == rows_small + 6
    assert large == small
