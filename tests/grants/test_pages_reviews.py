"""Reviewer pages: queue, conflict step, scoring, declaration of interests
(grants/views/reviews.py), for each role."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.choices import ProposalStatus, ReviewStatus
from grants.models import (
    DeclaredInterest,
    InterestDeclaration,
    ProposalDeclaration,
    Review,
    ReviewerAssignment,
)
from grants.services import coi as coi_services
from grants.services import committees as committee_services
from portal.versions import record_version
from tests.factories import (
    InterestDeclarationFactory,
    MembershipFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
    with_two_factor,
)

QUEUE = reverse("grants:reviews")
INTERESTS = reverse("grants:interests")


def review_url(proposal):
    return reverse("grants:review", args=[proposal.pk])


def declare_url(proposal):
    return reverse("grants:review_declare", args=[proposal.pk])


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cast(world, staff, member_a, outsider):
    """reviewer: assigned, not declared yet; declared: recused by a declared
    conflict; member: recused automatically (joined the applicant after being
    assigned); interested: recused by their declaration of interests; seat: on the
    committee, no assignment."""
    reviewer, declared, member, seat = world.reviewers
    interested = world.seat(UserFactory(username="interested"))
    for user in (reviewer, declared, member, seat, interested, staff):
        with_two_factor(user)
    for user in (reviewer, declared, member, interested):
        committee_services.assignment_create(
            actor=staff, proposal=world.proposal, reviewer=user
        )
    coi_services.proposal_declaration_create(
        actor=declared,
        proposal=world.proposal,
        has_conflict=True,
        conflict_type="family",
        explanation="My sister leads the project.",
    )
    MembershipFactory(user=member, affiliate=world.proposal.affiliate)
    declaration = InterestDeclarationFactory(
        user=interested, year=timezone.localdate().year, no_interests=False
    )
    DeclaredInterest.objects.create(
        declaration=declaration,
        kind="paid_work",
        affiliate=world.proposal.affiliate,
        role="Trainer",
    )
    return {
        "reviewer": reviewer,
        "declared": declared,
        "member": member,
        "interested": interested,
        "seat": seat,
        "staff": staff,
        "member_a": member_a,
        "outsider": outsider,
    }


def score_data(world, version="", action="save", values=("4", "3", "na"), **extra):
    data = {
        "version": version,
        "action": action,
        "recommendation": "fund",
        "comment_to_applicant": "A clear plan.",
        "note_to_committee": "Strong local team; watch the travel costs.",
    }
    for criterion, value in zip(world.criteria, values, strict=True):
        data[f"score_{criterion.pk}"] = value
        data[f"comment_{criterion.pk}"] = f"About {criterion.name}"
    data.update(extra)
    return data


# Who gets what ------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(world):
    client = Client()
    for url in (
        QUEUE,
        INTERESTS,
        review_url(world.proposal),
        declare_url(world.proposal),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["member_a", "outsider", "staff"])
def test_people_without_review_work_get_403_on_queue_and_404_on_proposals(
    cast, world, who
):
    client = signed_in(cast[who])
    assert client.get(QUEUE).status_code == 403
    assert client.get(INTERESTS).status_code == 403
    assert client.get(review_url(world.proposal)).status_code == 404
    assert client.get(declare_url(world.proposal)).status_code == 404
    assert client.post(review_url(world.proposal), score_data(world)).status_code == 404


def test_menu_shows_reviews_only_to_people_with_review_work(cast):
    assert (
        f'href="{QUEUE}"'.encode()
        in signed_in(cast["seat"]).get(reverse("grants:proposals")).content
    )
    assert (
        f'href="{QUEUE}"'.encode()
        not in signed_in(cast["outsider"]).get(reverse("grants:proposals")).content
    )


def test_committee_member_without_assignment_has_an_empty_queue_and_no_proposal(
    cast, world
):
    client = signed_in(cast["seat"])
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert b"No proposals are assigned to you yet." in response.content
    assert client.get(review_url(world.proposal)).status_code == 404
    assert client.get(declare_url(world.proposal)).status_code == 404


def test_queue_lists_assignments_with_deadline_state_and_progress(cast, world):
    world.review(world.reviewers[3], [5, 4, 3])  # someone else's: not in my queue
    response = signed_in(cast["reviewer"]).get(QUEUE)
    body = response.content.decode()
    assert response.status_code == 200
    assert world.proposal.title in body
    assert "Conflict question first" in body
    assert "0 of 1 submitted" in body
    assert world.round.name in body


def queue_queries(client) -> int:
    """How many queries the review queue takes."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    return len(queries)


def test_queue_query_count_does_not_grow_with_rows(cast, world, staff):
    reviewer = cast["reviewer"]
    client = signed_in(reviewer)

    other = world.new_proposal(world.proposal.affiliate)
    committee_services.assignment_create(actor=staff, proposal=other, reviewer=reviewer)
    two = queue_queries(client)
    for _ in range(8):
        extra = world.new_proposal(world.proposal.affiliate)
        committee_services.assignment_create(
            actor=staff, proposal=extra, reviewer=reviewer
        )
    assert queue_queries(client) == two


def _past_round(world, staff, reviewer, days_ago: int, name: str):
    """A round whose scoring deadline passed `days_ago` days ago, with one declined
    proposal assigned to the reviewer (who declared no conflict)."""
    today = timezone.localdate()
    round_ = RoundFactory(
        program=world.round.program,
        committee=world.committee,
        rubric=world.rubric,
        name=name,
        opens_on=today - datetime.timedelta(days_ago + 90),
        closes_on=today - datetime.timedelta(days_ago + 60),
        comment_period_ends_on=today - datetime.timedelta(days_ago + 30),
        scoring_deadline=today - datetime.timedelta(days_ago),
    )
    proposal = ProposalFactory(
        affiliate=world.proposal.affiliate,
        round=round_,
        program=round_.program,
        status=ProposalStatus.DECLINED,
        title=f"Proposal of {name}",
    )
    ProposalDeclaration.objects.create(
        user=reviewer, proposal=proposal, has_conflict=False
    )
    ReviewerAssignment.objects.create(
        proposal=proposal, reviewer=reviewer, assigned_by=staff
    )
    return round_


def test_queue_shows_open_rounds_then_past_rounds_a_page_at_a_time(cast, world, staff):
    reviewer = cast["reviewer"]
    for n in range(5):  # "Past 0" ended yesterday, "Past 4" five days ago
        _past_round(world, staff, reviewer, n + 1, f"Past {n}")
    client = signed_in(reviewer)

    first = client.get(QUEUE).content.decode()
    assert world.round.name in first  # the open round, always
    assert "Past rounds" in first
    assert [f"Past {n}" in first for n in range(5)] == [True] * 3 + [False] * 2
    assert first.index(world.round.name) < first.index("Past 0")
    assert first.index("Past 0") < first.index("Past 2")  # newest first
    assert "Page 1 of 2" in first and "past=2" in first

    second = client.get(QUEUE, {"past": 2}).content.decode()
    assert world.round.name in second
    assert [f"Past {n}" in second for n in range(5)] == [False] * 3 + [True] * 2


def test_queue_reads_a_fixed_number_of_rows_whatever_the_past(cast, world, staff):
    reviewer = cast["reviewer"]
    client = signed_in(reviewer)

    _past_round(world, staff, reviewer, 1, "Past 0")
    one = queue_queries(client)
    for n in range(1, 9):
        _past_round(world, staff, reviewer, n + 1, f"Past {n}")
    assert queue_queries(client) == one


def test_queue_with_only_past_rounds_says_none_is_open(cast, world, staff):
    reviewer = world.seat(UserFactory(username="veteran"))
    with_two_factor(reviewer)
    _past_round(world, staff, reviewer, 3, "Past 0")
    body = signed_in(reviewer).get(QUEUE).content.decode()
    assert "No round is open for scoring now." in body
    assert "Past 0" in body
    assert "No proposals are assigned to you yet." not in body


# Conflict step ------------------------------------------------------------------------


def test_review_page_asks_for_the_declaration_first(cast, world):
    client = signed_in(cast["reviewer"])
    response = client.get(review_url(world.proposal))
    assert response.status_code == 302
    assert response["Location"] == declare_url(world.proposal)
    page = client.get(declare_url(world.proposal))
    assert b"any conflict of interest?" in page.content
    # Not yet declared: the budget and the rubric are not shown.
    assert b"Workshops" not in page.content


def test_declaring_no_conflict_opens_the_scoring_form(cast, world):
    client = signed_in(cast["reviewer"])
    response = client.post(declare_url(world.proposal), {"has_conflict": "no"})
    assert response.status_code == 302
    assert (
        ProposalDeclaration.objects.get(
            user=cast["reviewer"], proposal=world.proposal
        ).has_conflict
        is False
    )
    page = client.get(review_url(world.proposal))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Impact" in body and "Weighted total" in body
    assert "Workshops" in body  # the budget, with committee access
    assert reverse("proposal-export-pdf", args=[world.proposal.pk]) in body


def test_conflict_without_explanation_keeps_the_input(cast, world):
    client = signed_in(cast["reviewer"])
    response = client.post(
        declare_url(world.proposal),
        {"has_conflict": "yes", "conflict_type": "family", "explanation": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Explain the conflict in a sentence or two." in body
    assert 'value="family" selected' in body
    assert not ProposalDeclaration.objects.filter(user=cast["reviewer"]).exists()


def test_declaring_a_conflict_recuses_at_once(cast, world):
    client = signed_in(cast["reviewer"])
    response = client.post(
        declare_url(world.proposal),
        {
            "has_conflict": "yes",
            "conflict_type": "employee",
            "explanation": "I work there.",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "You are recused from this proposal" in body
    assert "You declared a conflict of interest for this proposal." in body
    assert client.post(review_url(world.proposal), score_data(world)).status_code == 403
    assert not Review.objects.filter(reviewer=cast["reviewer"]).exists()


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        ("declared", "You declared a conflict of interest"),
        ("member", "a member of the applicant affiliate"),
        ("interested", "Your declaration of interests names the applicant"),
    ],
)
def test_recused_reviewer_sees_why_and_no_committee_data(cast, world, who, reason):
    # Another reviewer's submitted review with a note: never on a recused page.
    world.review(world.reviewers[3], [5, 4, 3], note="Secret committee note")
    client = signed_in(cast[who])
    for url in (review_url(world.proposal), declare_url(world.proposal), QUEUE):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Secret committee note" not in body
        assert "Thanks for the clear budget." not in body
        assert "Weighted total" not in body
        assert "Impact" not in body
    body = client.get(review_url(world.proposal)).content.decode()
    assert reason in body
    assert "Recused" in client.get(QUEUE).content.decode()
    assert (
        client.post(declare_url(world.proposal), {"has_conflict": "no"}).status_code
        == 403
    )
    assert client.post(review_url(world.proposal), score_data(world)).status_code == 403


# Scoring ------------------------------------------------------------------------------


@pytest.fixture
def declared_reviewer(cast, world):
    coi_services.proposal_declaration_create(
        actor=cast["reviewer"], proposal=world.proposal, has_conflict=False
    )
    return cast["reviewer"]


def test_save_draft_then_submit_through_the_services(declared_reviewer, world):
    client = signed_in(declared_reviewer)
    response = client.post(review_url(world.proposal), score_data(world))
    assert response.status_code == 302
    review = Review.objects.get(reviewer=declared_reviewer)
    assert review.status == ReviewStatus.DRAFT
    scores = {s.criterion.name: s for s in review.scores.all()}
    assert scores["Impact"].value == 4 and scores["Learning"].not_applicable
    assert review.history.first().history_change_reason == "Saved on the review page"
    page = client.get(review_url(world.proposal)).content.decode()
    assert "3.67" in page  # (2×4 + 1×3) / 3, "not applicable" left out
    response = client.post(
        review_url(world.proposal),
        score_data(world, version=record_version(review), action="submit"),
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert "1 of 1 submitted" in client.get(QUEUE).content.decode()


def test_submit_with_missing_scores_keeps_the_input(declared_reviewer, world):
    client = signed_in(declared_reviewer)
    data = score_data(world, action="submit", values=("4", "", "2"), recommendation="")
    response = client.post(review_url(world.proposal), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Score this criterion to submit." in body
    assert "Give your recommendation." in body
    assert "Strong local team; watch the travel costs." in body
    assert not Review.objects.filter(reviewer=declared_reviewer).exists()


def test_out_of_scale_score_is_refused(declared_reviewer, world):
    client = signed_in(declared_reviewer)
    response = client.post(
        review_url(world.proposal), score_data(world, values=("9", "3", "3"))
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def test_stale_version_answers_412_with_the_input(declared_reviewer, world):
    client = signed_in(declared_reviewer)
    client.post(review_url(world.proposal), score_data(world))
    review = Review.objects.get(reviewer=declared_reviewer)
    old = record_version(review)
    client.post(
        review_url(world.proposal),
        score_data(world, version=old, values=("5", "5", "5")),
    )
    response = client.post(
        review_url(world.proposal),
        score_data(world, version=old, note_to_committee="Typed in the other tab"),
    )
    assert response.status_code == 412
    assert b"Typed in the other tab" in response.content
    review.refresh_from_db()
    assert review.note_to_committee != "Typed in the other tab"


def test_locked_after_the_deadline_with_the_reason(declared_reviewer, world):
    client = signed_in(declared_reviewer)
    client.post(review_url(world.proposal), score_data(world))
    round_ = world.round
    past = timezone.localdate() - datetime.timedelta(1)
    type(round_).objects.filter(pk=round_.pk).update(
        scoring_deadline=past,
        comment_period_ends_on=past,
        closes_on=past,
        opens_on=past - datetime.timedelta(10),
    )
    page = client.get(review_url(world.proposal))
    assert page.status_code == 200
    assert b"has passed, so the review is locked" in page.content
    assert b"Save as draft" not in page.content
    assert b"disabled" in page.content
    review = Review.objects.get(reviewer=declared_reviewer)
    response = client.post(
        review_url(world.proposal), score_data(world, version=record_version(review))
    )
    assert response.status_code == 403
    assert "Locked" in client.get(QUEUE).content.decode()


def test_criteria_guidance_in_the_readers_language(declared_reviewer, world):
    criterion = world.criteria[0]
    criterion.guidance = "How many people benefit."
    criterion.translations = {"ar": {"name": "الأثر", "guidance": "كم شخصا يستفيد"}}
    criterion.save()
    client = signed_in(declared_reviewer)
    body = client.get("/ar" + review_url(world.proposal)).content.decode()
    assert "الأثر" in body and "كم شخصا يستفيد" in body


def test_blind_round_hides_the_applicant_on_every_reviewer_page(
    declared_reviewer, world
):
    world.round.hide_applicant_identity = True
    world.round.save()
    name = world.proposal.affiliate.name
    client = signed_in(declared_reviewer)
    for url in (QUEUE, review_url(world.proposal), declare_url(world.proposal)):
        body = client.get(url).content.decode()
        assert name not in body
    assert (
        "Applicant not shown in this round"
        in client.get(review_url(world.proposal)).content.decode()
    )
    # The PDF the page links to is the reader-aware one: no name in it either.
    pdf = client.get(reverse("proposal-export-pdf", args=[world.proposal.pk]))
    assert pdf.status_code == 200


# Declaration of interests -----------------------------------------------------------


def test_interests_start_from_last_years_answers(cast):
    seat = cast["seat"]
    year = timezone.localdate().year
    last = InterestDeclarationFactory(user=seat, year=year - 1, no_interests=False)
    DeclaredInterest.objects.create(
        declaration=last,
        kind="organisation_role",
        organisation="Library board",
        role="Chair",
    )
    client = signed_in(seat)
    body = client.get(INTERESTS).content.decode()
    assert "Library board" in body and "starting point" in body
    data = {
        "version": "",
        "statement": "",
        "interests-TOTAL_FORMS": "1",
        "interests-INITIAL_FORMS": "1",
        "interests-MIN_NUM_FORMS": "0",
        "interests-MAX_NUM_FORMS": "100",
        "interests-0-kind": "organisation_role",
        "interests-0-organisation": "Library board",
        "interests-0-role": "Chair",
    }
    response = client.post(INTERESTS, data)
    assert response.status_code == 302
    current = InterestDeclaration.objects.get(user=seat, year=year)
    assert [i.organisation for i in current.interests.all()] == ["Library board"]
    # Last year's stays as it was.
    assert last.interests.count() == 1


def test_interests_add_row_and_bad_row_keep_the_input(cast):
    client = signed_in(cast["seat"])
    base = {
        "version": "",
        "statement": "Also an editor.",
        "interests-TOTAL_FORMS": "1",
        "interests-INITIAL_FORMS": "0",
        "interests-MIN_NUM_FORMS": "0",
        "interests-MAX_NUM_FORMS": "100",
        "interests-0-kind": "close_relationship",
        "interests-0-organisation": "",
        "interests-0-description": "My partner",
    }
    added = client.post(INTERESTS, {**base, "add_row": "1"})
    assert added.status_code == 200
    assert b"Interest 2" in added.content and b"My partner" in added.content
    response = client.post(INTERESTS, base)
    assert response.status_code == 400
    assert b"Name the affiliate, organisation or person." in response.content
    assert b"My partner" in response.content
    assert not InterestDeclaration.objects.filter(user=cast["seat"]).exists()


def test_no_interests_with_rows_is_refused_by_the_service(cast):
    client = signed_in(cast["seat"])
    data = {
        "version": "",
        "no_interests": "on",
        "statement": "",
        "interests-TOTAL_FORMS": "1",
        "interests-INITIAL_FORMS": "0",
        "interests-MIN_NUM_FORMS": "0",
        "interests-MAX_NUM_FORMS": "100",
        "interests-0-kind": "other",
        "interests-0-organisation": "Choir",
    }
    response = client.post(INTERESTS, data)
    assert response.status_code == 400
    assert b"yet listed some" in response.content


def test_interests_update_with_a_stale_version_answers_412(cast):
    seat = cast["seat"]
    current = InterestDeclarationFactory(user=seat, year=timezone.localdate().year)
    client = signed_in(seat)
    data = {
        "version": "stale",
        "no_interests": "on",
        "statement": "Changed",
        "interests-TOTAL_FORMS": "0",
        "interests-INITIAL_FORMS": "0",
        "interests-MIN_NUM_FORMS": "0",
        "interests-MAX_NUM_FORMS": "100",
    }
    assert client.post(INTERESTS, data).status_code == 412
    data["version"] = record_version(current)
    assert client.post(INTERESTS, data).status_code == 302
    current.refresh_from_db()
    assert current.statement == "Changed"


# Home page ---------------------------------------------------------------------------


def test_home_lists_reviews_to_do_until_submitted(cast, world):
    # Another reviewer's submitted review does not take it off my list.
    world.review(world.reviewers[3], [5, 4, 3])
    client = signed_in(cast["reviewer"])
    home = client.get(reverse("home")).content.decode()
    assert "Reviews to do" in home and world.proposal.title in home
    # Recused reviewers and people without assignments get no such panel.
    for who in ("declared", "member", "seat", "member_a"):
        assert (
            "Reviews to do"
            not in signed_in(cast[who]).get(reverse("home")).content.decode()
        )
    reviewer = cast["reviewer"]
    coi_services.proposal_declaration_create(
        actor=reviewer, proposal=world.proposal, has_conflict=False
    )
    world.review(reviewer, [4, 4, 4], prepare=False)
    assert "Reviews to do" not in client.get(reverse("home")).content.decode()
