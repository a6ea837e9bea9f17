"""A recused reviewer learns nothing about the proposal's review, through any door."""

import json

import pytest
from django.test import Client

from affiliates.choices import MembershipStatus
from grants.models import InterestDeclaration
from tests.factories import MembershipFactory, UserFactory, with_two_factor

SECRET = "SECRET-COMMITTEE-NOTE"


def _recuse_by_pending_membership(world, user, affiliate):
    MembershipFactory(user=user, affiliate=affiliate, status=MembershipStatus.PENDING)


def _recuse_by_declaration(world, user, affiliate):
    world.prepare(user, conflict=True)


def _recuse_by_yearly_interest(world, user, affiliate):
    from django.utils import timezone

    from grants.models import DeclaredInterest

    declaration = InterestDeclaration.objects.create(
        user=user, year=timezone.localdate().year
    )
    DeclaredInterest.objects.create(
        declaration=declaration, kind="paid_work", affiliate=affiliate
    )


def _recuse_by_staff(world, user, affiliate):
    from grants.services import committees

    committees.recusal_create(
        actor=world.staff,
        proposal=world.proposal,
        user=user,
        conflict_type="other",
        explanation="Asked to step aside",
    )


@pytest.fixture(
    params=[
        _recuse_by_pending_membership,
        _recuse_by_declaration,
        _recuse_by_yearly_interest,
        _recuse_by_staff,
    ],
    ids=["member-of-applicant", "declared", "yearly-interest", "staff-recorded"],
)
def scored(request, world, affiliate_a, staff):
    """Two clear reviewers have scored; one committee member is recused."""
    recused = world.seat(UserFactory(username="recused"))
    if request.param is not _recuse_by_declaration:
        # Declaring "no conflict" does not override an automatic or staff recusal.
        from grants.models import ProposalDeclaration

        ProposalDeclaration.objects.create(
            user=recused, proposal=world.proposal, has_conflict=False
        )
    request.param(world, recused, affiliate_a)
    reviews = [
        world.review(world.reviewers[0], [5, 4, 4], note=SECRET),
        world.review(
            world.reviewers[1], [2, 3, None], note=SECRET, recommendation="do_not_fund"
        ),
    ]
    return recused, reviews


def test_recused_reviewer_learns_nothing(api, world, scored, staff):
    recused, reviews = scored
    client = api(recused)
    proposal, round_ = world.proposal, world.round
    leaked = []

    def get(url, params=None, expect=200):
        response = client.get(url, params or {})
        assert response.status_code == expect, (url, response.status_code)
        text = json.dumps(response.json()) if response.content else ""
        for needle in [
            SECRET,
            "Thanks for the clear budget",
            '"scores"',
            '"weighted_total": "',
        ]:
            if needle in text and url.startswith("/api/v1/rounds/") is False:
                leaked.append((url, params, needle))
        return response

    for params in [
        {},
        {"proposal": proposal.pk},
        {"proposal__round": round_.pk},
        {"status": "submitted"},
        {"ordering": "-submitted_at"},
        {"recommendation": "fund"},
    ]:
        response = get("/api/v1/reviews/", params, expect=200)
        assert response.json()["count"] == 0
    for review in reviews:
        get(f"/api/v1/reviews/{review.pk}/", expect=404)
        get(f"/api/v1/reviews/{review.pk}/history/", expect=404)
    assert get(f"/api/v1/proposals/{proposal.pk}/reviews/", expect=200).json() == []
    # The proposal is in committee review, so its public fields are for everyone
    # signed in; its committee record, history and private fields are not.
    get(f"/api/v1/proposals/{proposal.pk}/recusals/", expect=403)
    get(f"/api/v1/proposals/{proposal.pk}/history/", expect=403)
    detail = get(f"/api/v1/proposals/{proposal.pk}/", expect=200)
    assert "budget_lines" not in detail.json()
    assert (
        get("/api/v1/assignments/", {"proposal": proposal.pk}, expect=200).json()[
            "count"
        ]
        == 0
    )

    ranking = client.get(f"/api/v1/rounds/{round_.pk}/ranking/").json()
    assert [r["proposal"] for r in ranking["ranking"]] == []
    assert ranking["withheld"] == [
        {"proposal": proposal.pk, "title": proposal.title, "why": "recused"}
    ]
    assert SECRET not in json.dumps(ranking)

    # Decided: still no tally, votes or committee data for the recused member.
    from grants.services import decisions as svc

    voters = world.reviewers[:3]
    for voter in voters[2:]:
        world.prepare(voter)
    svc.decision_record(
        actor=staff,
        proposal=proposal,
        outcome="approved",
        rationale="Strong community support",
        votes=[{"member": v, "choice": "for"} for v in voters],
    )
    # The decision is the applicant's and the committee's: to a recused member who
    # is neither, it does not exist.
    get(f"/api/v1/proposals/{proposal.pk}/decision/", expect=404)
    assert leaked == []


def test_recused_member_appears_as_recused_in_the_record(api, world, scored, staff):
    recused, _ = scored
    record = api(staff).get(f"/api/v1/proposals/{world.proposal.pk}/recusals/").json()
    assert any(row["user"]["id"] == recused.pk for row in record)
    clear = world.reviewers[0]
    seen = api(clear).get(f"/api/v1/proposals/{world.proposal.pk}/recusals/")
    assert seen.status_code == 200
    assert recused.pk in {row["user"]["id"] for row in seen.json()}


def test_recused_votes_are_refused(world, scored, staff):
    from django.core.exceptions import ValidationError

    from grants.services import decisions as svc

    recused, _ = scored
    voters = [*world.reviewers[:2], recused]
    with pytest.raises(ValidationError) as error:
        svc.decision_record(
            actor=staff,
            proposal=world.proposal,
            outcome="approved",
            rationale="x",
            votes=[{"member": v, "choice": "for"} for v in voters],
        )
    assert "votes" in error.value.message_dict
    world.proposal.refresh_from_db()
    assert world.proposal.status == "committee_review"


def test_blind_round_record_names_no_recused_member(api, world, scored, staff):
    """In a round that hides the applicant, "recused as a member of the applicant"
    next to a name would say who the applicant is: the record names nobody."""
    recused, _ = scored
    world.round.hide_applicant_identity = True
    world.round.save()
    clear = world.reviewers[0]
    seen = api(clear).get(f"/api/v1/proposals/{world.proposal.pk}/recusals/")
    assert seen.status_code == 200
    assert seen.json() and all(
        "user" not in row or row["user"] is None for row in seen.json()
    )
    assert recused.username not in seen.content.decode()
    with_two_factor(clear)  # committee members open pages with two-factor only
    client = Client()
    client.force_login(clear)
    page = client.get(f"/grants/committee/proposals/{world.proposal.pk}/")
    assert page.status_code == 200
    assert f"<bdi>{recused.username}</bdi>" not in page.content.decode()
    assert "<bdi>Member 1</bdi>: recused" in page.content.decode()
