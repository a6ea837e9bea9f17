"""Recusal lasts, blind rounds stay blind and committee data stays with the
committee: stepping out of a conflict, filtering, replying or guessing ids reveals
nothing."""

import datetime

import pytest
from django.utils import timezone

from affiliates import services as affiliate_services
from affiliates.choices import MembershipStatus
from grants.models import (
    DeclaredInterest,
    InterestDeclaration,
    ProposalComment,
    ProposalDeclaration,
)
from grants.services import coi
from tests.factories import MembershipFactory, UserFactory

SECRET = "SECRET-NOTE-FOR-THE-COMMITTEE"


@pytest.fixture
def scored(world):
    world.review(world.reviewers[0], [5, 4, 4], note=SECRET)
    world.review(world.reviewers[1], [3, 4, 2], note=SECRET)
    return world


def sees_committee_data(api, user, world):
    response = api(user).get("/api/v1/reviews/", {"proposal": world.proposal.pk})
    return SECRET in response.content.decode()


def test_a_declared_conflict_cannot_be_withdrawn(api, scored):
    person = scored.seat(UserFactory())
    declaration = coi.proposal_declaration_create(
        actor=person,
        proposal=scored.proposal,
        has_conflict=True,
        conflict_type="family",
        explanation="My brother runs it",
    )
    response = api(person).patch(
        f"/api/v1/coi-declarations/{declaration.pk}/",
        {"has_conflict": False, "conflict_type": "", "explanation": ""},
        format="json",
    )
    assert response.status_code == 400
    assert not sees_committee_data(api, person, scored)


def test_leaving_the_applicant_does_not_end_the_recusal(api, scored, affiliate_a):
    person = scored.seat(UserFactory())
    membership = MembershipFactory(
        user=person, affiliate=affiliate_a, status=MembershipStatus.ACTIVE
    )
    ProposalDeclaration.objects.create(
        user=person, proposal=scored.proposal, has_conflict=False
    )
    affiliate_services.membership_remove(actor=person, membership=membership)
    assert not sees_committee_data(api, person, scored)


def test_dropping_a_declared_interest_does_not_end_the_recusal(
    api, scored, affiliate_a
):
    person = scored.seat(UserFactory())
    declaration = coi.interest_declaration_create(
        actor=person,
        year=timezone.localdate().year,
        interests=[{"kind": "paid_work", "affiliate": affiliate_a}],
    )
    ProposalDeclaration.objects.create(
        user=person, proposal=scored.proposal, has_conflict=False
    )
    coi.interest_declaration_update(
        actor=person, declaration=declaration, no_interests=True, interests=[]
    )
    assert not sees_committee_data(api, person, scored)


def test_an_old_interest_neither_recuses_nor_shows_in_the_record(
    api, scored, affiliate_a, staff
):
    person = scored.seat(UserFactory())
    old = InterestDeclaration.objects.create(user=person, year=2019)
    DeclaredInterest.objects.create(
        declaration=old, kind="paid_work", affiliate=affiliate_a
    )
    # Written before the proposal existed: not a current conflict.
    DeclaredInterest.history.update(
        history_date=scored.proposal.created_at - datetime.timedelta(days=400)
    )
    ProposalDeclaration.objects.create(
        user=person, proposal=scored.proposal, has_conflict=False
    )
    assert sees_committee_data(api, person, scored)
    record = api(staff).get(f"/api/v1/proposals/{scored.proposal.pk}/recusals/").json()
    assert person.pk not in {row["user"]["id"] for row in record}


def test_blind_round_filters_do_not_reveal_the_applicant(api, scored, affiliate_a):
    scored.round.hide_applicant_identity = True
    scored.round.save()
    reader = scored.reviewers[0]
    client = api(reader)
    by_affiliate = client.get("/api/v1/proposals/", {"affiliate": affiliate_a.pk})
    by_search = client.get("/api/v1/proposals/", {"search": affiliate_a.name})
    assert scored.proposal.pk not in {r["id"] for r in by_affiliate.json()["results"]}
    assert scored.proposal.pk not in {r["id"] for r in by_search.json()["results"]}


def test_blind_round_replies_do_not_name_the_applicant(api, world, member_a, outsider):
    world.round.hide_applicant_identity = True
    world.round.comment_period_ends_on = timezone.localdate()
    world.round.save()
    world.proposal.status = "community_review"
    world.proposal.save()
    question = ProposalComment.objects.create(
        proposal=world.proposal, author=outsider, body="When?"
    )
    reply = ProposalComment.objects.create(
        proposal=world.proposal, author=member_a, body="In May.", parent=question
    )
    seen = api(world.reviewers[0]).get(f"/api/v1/comments/{reply.pk}/").json()
    assert "author" not in seen
    assert api(outsider).get(f"/api/v1/comments/{reply.pk}/").json()["author"]


def test_anonymous_ranking_is_refused_not_a_crash(api, world):
    assert api().get(f"/api/v1/rounds/{world.round.pk}/ranking/").status_code in {
        401,
        403,
    }


def test_hidden_proposal_ids_look_absent_when_reviewing(
    api, outsider, affiliate_a, world
):
    from tests.factories import ProposalFactory

    draft = ProposalFactory(affiliate=affiliate_a)
    hidden = api(outsider).post(
        "/api/v1/reviews/", {"proposal": draft.pk}, format="json"
    )
    missing = api(outsider).post("/api/v1/reviews/", {"proposal": 10**9}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["proposal"][0].replace(str(draft.pk), "N") == (
        missing.json()["proposal"][0].replace(str(10**9), "N")
    )


def test_only_staff_may_post_a_decision_whatever_the_body(api, outsider, world):
    response = api(outsider).post(
        f"/api/v1/proposals/{world.proposal.pk}/decision/",
        {"votes": [{"member": 10**9, "choice": "for"}]},
        format="json",
    )
    assert response.status_code in {403, 404}


def test_a_member_who_left_the_committee_cannot_score(api, world):
    from grants.models import CommitteeMember

    reviewer = world.reviewers[0]
    world.prepare(reviewer)
    CommitteeMember.objects.filter(user=reviewer).update(is_active=False)
    response = api(reviewer).post(
        "/api/v1/reviews/",
        {"proposal": world.proposal.pk, "recommendation": "fund"},
        format="json",
    )
    assert response.status_code == 403


def test_declined_proposal_stays_open_to_the_committee(api, scored, staff):
    voters = scored.reviewers[:3]
    scored.prepare(voters[2])
    from grants.services import decisions as svc

    svc.decision_record(
        actor=staff,
        proposal=scored.proposal,
        outcome="declined",
        rationale="Out of scope",
        votes=[{"member": v, "choice": "against"} for v in voters],
    )
    client = api(voters[0])
    base = f"/api/v1/proposals/{scored.proposal.pk}"
    assert client.get(f"{base}/").status_code == 200
    assert client.get(f"{base}/decision/").json()["tally"]["against"] == 3
    assert len(client.get(f"{base}/reviews/").json()) == 2
