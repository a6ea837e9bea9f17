"""Decisions need a quorum and a carrying vote; bulk assignment avoids conflicts."""

import pytest

from affiliates.choices import MembershipStatus
from grants.models import Decision, ProposalDeclaration, ReviewerAssignment
from tests.factories import MembershipFactory, UserFactory


def declare(world, *people):
    for person in people:
        ProposalDeclaration.objects.get_or_create(
            user=person, proposal=world.proposal, defaults={"has_conflict": False}
        )


def decide(api, staff, world, votes, outcome="approved", **extra):
    return api(staff).post(
        f"/api/v1/proposals/{world.proposal.pk}/decision/",
        {
            "outcome": outcome,
            "rationale": "Well planned, modest budget",
            "votes": [{"member": u.pk, "choice": c} for u, c in votes],
            **extra,
        },
        format="json",
    )


def test_decision_without_quorum_is_refused(api, staff, world):
    a, b = world.reviewers[:2]
    declare(world, a, b)
    response = decide(api, staff, world, [(a, "for"), (b, "for")])
    assert response.status_code == 400
    assert "quorum" in response.json()["votes"][0]
    world.proposal.refresh_from_db()
    assert world.proposal.status == "committee_review"
    assert not Decision.objects.exists()


@pytest.mark.parametrize("case", ["non_voting", "not_on_committee", "twice", "recused"])
def test_only_eligible_votes_count(api, staff, world, affiliate_a, case):
    a, b, c = world.reviewers[:3]
    extra = {
        "non_voting": lambda: world.seat(UserFactory(), voting=False),
        "not_on_committee": UserFactory,
        "twice": lambda: a,
        "recused": lambda: (
            MembershipFactory(
                user=world.seat(UserFactory()),
                affiliate=affiliate_a,
                status=MembershipStatus.ACTIVE,
            ).user
        ),
    }[case]()
    declare(world, a, b, c, extra)
    response = decide(
        api, staff, world, [(a, "for"), (b, "for"), (c, "for"), (extra, "for")]
    )
    assert response.status_code == 400
    assert not Decision.objects.exists()


def test_vote_must_carry_the_outcome(api, staff, world):
    a, b, c = world.reviewers[:3]
    declare(world, a, b, c)
    response = decide(
        api,
        staff,
        world,
        [(a, "against"), (b, "against"), (c, "for")],
        outcome="approved",
    )
    assert response.status_code == 400
    assert "outcome" in response.json()


def test_decision_moves_the_proposal_and_shows_the_tally(api, staff, world, member_a):
    a, b, c, d = world.reviewers
    for reviewer in world.reviewers:
        world.prepare(reviewer)
    response = decide(
        api,
        staff,
        world,
        [(a, "for"), (b, "for"), (c, "against"), (d, "abstain")],
        outcome="approved_with_conditions",
        conditions="Send the venue contract",
        amount_approved="25000.00",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["tally"] == {"for": 2, "against": 1, "abstain": 1}
    assert response.json()["amount_approved"] == "25000.00"
    assert response.json()["amount_approved_usd"] == "2000.00"  # frozen at 12.5 GHS
    world.proposal.refresh_from_db()
    assert world.proposal.status == "approved_with_conditions"
    assert str(world.proposal.amount_approved) == "25000.00"
    assert world.proposal.exchange_rate_frozen_at is not None
    assert world.proposal.history.latest().history_change_reason == (
        "Well planned, modest budget"
    )
    applicant = (
        api(member_a).get(f"/api/v1/proposals/{world.proposal.pk}/decision/").json()
    )
    assert applicant["outcome"] == "approved_with_conditions"
    assert "votes" not in applicant and "tally" not in applicant
    peer = api(a).get(f"/api/v1/proposals/{world.proposal.pk}/decision/").json()
    assert peer["tally"]["for"] == 2


def test_bulk_assignment_balances_and_never_assigns_conflicted(
    api, staff, world, affiliate_a, affiliate_b
):
    proposals = [world.proposal] + [world.new_proposal(affiliate_b) for _ in range(4)]
    conflicted = world.reviewers[0]
    MembershipFactory(user=conflicted, affiliate=affiliate_a)  # applicant of #1
    response = api(staff).post(
        "/api/v1/assignments/bulk/",
        {"round": world.round.pk, "reviewers_per_proposal": 2},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pairs = set(ReviewerAssignment.objects.values_list("proposal_id", "reviewer_id"))
    assert (world.proposal.pk, conflicted.pk) not in pairs
    per_proposal = {p.pk: 0 for p in proposals}
    load = {r.pk: 0 for r in world.reviewers}
    for proposal_id, reviewer_id in pairs:
        per_proposal[proposal_id] += 1
        load[reviewer_id] += 1
    assert set(per_proposal.values()) == {2}
    assert max(load.values()) - min(load.values()) <= 1
    again = api(staff).post(
        "/api/v1/assignments/bulk/",
        {"round": world.round.pk, "reviewers_per_proposal": 2},
        format="json",
    )
    assert again.json() == []


def test_single_assignment_of_a_conflicted_reviewer_is_refused(
    api, staff, world, affiliate_a
):
    reviewer = world.reviewers[0]
    MembershipFactory(
        user=reviewer, affiliate=affiliate_a, status=MembershipStatus.PENDING
    )
    response = api(staff).post(
        "/api/v1/assignments/",
        {"proposal": world.proposal.pk, "reviewer": reviewer.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "reviewer" in response.json()


def test_comments_during_the_comment_period(api, world, outsider, member_a, staff):
    from django.utils import timezone

    proposal = world.proposal
    proposal.status = "community_review"
    proposal.save()
    world.round.comment_period_ends_on = timezone.localdate()
    world.round.save()
    response = api(outsider).post(
        "/api/v1/comments/",
        {"proposal": proposal.pk, "body": "Will sessions be recorded?"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    comment_id = response.json()["id"]
    reply = {"proposal": proposal.pk, "parent": comment_id, "body": "Yes, all of them."}
    assert (
        api(outsider).post("/api/v1/comments/", reply, format="json").status_code == 403
    )
    assert (
        api(member_a).post("/api/v1/comments/", reply, format="json").status_code == 201
    )
    hidden = api(staff).post(
        f"/api/v1/comments/{comment_id}/hide/",
        {"change_reason": "Personal attack"},
        format="json",
    )
    assert hidden.status_code == 200
    seen = api(outsider).get(f"/api/v1/comments/{comment_id}/").json()
    assert seen["is_hidden"] and seen["body"] == ""
    assert api(staff).get(f"/api/v1/comments/{comment_id}/").json()["body"]
    history = api(staff).get(f"/api/v1/comments/{comment_id}/history/").json()
    assert history["results"][0]["reason"] == "Personal attack"
    proposal.status = "committee_review"
    proposal.save()
    late = api(outsider).post(
        "/api/v1/comments/",
        {"proposal": proposal.pk, "body": "One more thing"},
        format="json",
    )
    assert late.status_code == 400


def test_voters_must_have_declared(api, staff, world):
    a, b, c = world.reviewers[:3]
    declare(world, a, b)
    response = decide(api, staff, world, [(a, "for"), (b, "for"), (c, "for")])
    assert response.status_code == 400
    assert "declared" in response.json()["votes"][0]
    assert not Decision.objects.exists()
