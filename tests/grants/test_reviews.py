"""Reviews: who may score, deadlines and unlocking, bad input, blind review."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grants.models import Review, Score
from grants.services import committees as committee_services
from grants.services import reviews as review_services
from tests.factories import with_two_factor

URL = "/api/v1/reviews/"


def body(world, values, **extra):
    return {
        "proposal": world.proposal.pk,
        "recommendation": "fund",
        "scores": [
            {"criterion": c.pk, "value": v, "not_applicable": v is None}
            for c, v in zip(world.criteria, values, strict=True)
        ],
        **extra,
    }


def test_assigned_declared_reviewer_scores_and_submits(api, world):
    reviewer = world.reviewers[0]
    world.prepare(reviewer)
    client = api(reviewer)
    response = client.post(URL, body(world, [5, 4, None]), format="json")
    assert response.status_code == 201, response.json()
    review_id = response.json()["id"]
    response = client.post(f"{URL}{review_id}/submit/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"
    assert Review.objects.get(pk=review_id).history.count() >= 2


def test_undeclared_or_unassigned_reviewer_cannot_score(api, world):
    unassigned = world.reviewers[1]
    response = api(unassigned).post(URL, body(world, [3, 3, 3]), format="json")
    assert response.status_code == 403
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [([6, 3, 3], "scores"), ([0, 3, 3], "scores")],
)
def test_score_outside_the_scale_saves_nothing(api, world, values, field):
    reviewer = world.reviewers[0]
    world.prepare(reviewer)
    response = api(reviewer).post(URL, body(world, values), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Review.objects.exists() and not Score.objects.exists()


def test_not_applicable_only_where_the_rubric_allows(api, world):
    world.rubric.allow_not_applicable = False
    world.rubric.save()
    reviewer = world.reviewers[0]
    world.prepare(reviewer)
    response = api(reviewer).post(URL, body(world, [3, None, 3]), format="json")
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_submit_needs_every_criterion_and_a_recommendation(api, world):
    reviewer = world.reviewers[0]
    world.prepare(reviewer)
    data = body(world, [4, 4, 4])
    data["scores"] = data["scores"][:2]
    data["recommendation"] = ""
    client = api(reviewer)
    review_id = client.post(URL, data, format="json").json()["id"]
    response = client.post(f"{URL}{review_id}/submit/", {}, format="json")
    assert response.status_code == 400
    assert {"scores", "recommendation"} <= set(response.json())
    assert Review.objects.get(pk=review_id).status == "draft"


def test_only_proposals_in_committee_review_are_scored(api, world):
    reviewer = world.reviewers[0]
    world.prepare(reviewer)
    world.proposal.status = "community_review"
    world.proposal.save()
    response = api(reviewer).post(URL, body(world, [3, 3, 3]), format="json")
    assert response.status_code == 400
    assert "proposal" in response.json()


def test_reviews_lock_after_the_deadline_until_staff_unlock(api, world, staff):
    reviewer = world.reviewers[0]
    review = world.review(reviewer, [4, 4, 4], submit=False)
    world.round.scoring_deadline = timezone.localdate() - datetime.timedelta(days=1)
    world.round.save()
    client = api(reviewer)
    response = client.patch(
        f"{URL}{review.pk}/", {"recommendation": "do_not_fund"}, format="json"
    )
    assert response.status_code == 400
    assert Review.objects.get(pk=review.pk).recommendation == "fund"
    assert (
        client.post(f"{URL}{review.pk}/submit/", {}, format="json").status_code == 400
    )

    assert (
        api(reviewer)
        .post(f"{URL}{review.pk}/unlock/", {"change_reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        api(staff).post(f"{URL}{review.pk}/unlock/", {}, format="json").status_code
        == 400
    )
    response = api(staff).post(
        f"{URL}{review.pk}/unlock/",
        {"change_reason": "Reviewer was ill last week"},
        format="json",
    )
    assert response.status_code == 200
    assert review.history.latest().history_change_reason == "Reviewer was ill last week"
    response = client.patch(
        f"{URL}{review.pk}/", {"recommendation": "do_not_fund"}, format="json"
    )
    assert response.status_code == 200
    assert (
        client.post(f"{URL}{review.pk}/submit/", {}, format="json").status_code == 200
    )


def test_rubric_in_use_cannot_change(world):
    world.review(world.reviewers[0], [4, 4, 4])
    criterion = world.criteria[0]
    criterion.weight = 5
    with pytest.raises(ValidationError):
        criterion.full_clean()
    world.rubric.scale_max = 10
    with pytest.raises(ValidationError):
        world.rubric.full_clean()


def test_blind_round_hides_reviewers_from_each_other_and_applicant_from_them(
    api, world, staff, member_a
):
    world.round.hide_reviewer_identities = True
    world.round.hide_applicant_identity = True
    world.round.save()
    first, second = world.reviewers[:2]
    review = world.review(first, [4, 4, 4])
    world.review(second, [3, 3, 3])
    seen_by_peer = api(second).get(f"{URL}{review.pk}/").json()
    assert "reviewer" not in seen_by_peer
    assert "scores" in seen_by_peer
    assert api(staff).get(f"{URL}{review.pk}/").json()["reviewer"]["id"] == first.pk
    proposal_seen = api(second).get(f"/api/v1/proposals/{world.proposal.pk}/").json()
    assert "affiliate" not in proposal_seen
    ranking = api(second).get(f"/api/v1/rounds/{world.round.pk}/ranking/").json()
    assert all("affiliate" not in row for row in ranking["ranking"])
    # Applicants never see reviewer identities, scores or committee notes.
    world.proposal.decided_at = timezone.now()
    world.proposal.save()
    applicant_view = (
        api(member_a).get(f"/api/v1/proposals/{world.proposal.pk}/reviews/").json()
    )
    assert len(applicant_view) == 2
    for row in applicant_view:
        assert set(row) == {"id", "proposal", "recommendation", "comment_to_applicant"}


def test_recused_reviewer_cannot_score_even_if_assigned_before(world, staff):
    reviewer = world.reviewers[0]
    world.prepare(reviewer)
    committee_services.recusal_create(
        actor=staff,
        proposal=world.proposal,
        user=reviewer,
        conflict_type="financial",
        explanation="Paid to translate their report",
    )
    with pytest.raises(PermissionDenied):
        review_services.review_create(
            actor=reviewer, proposal=world.proposal, recommendation="fund"
        )


def test_review_history_includes_score_changes_for_the_reviewer_only(api, world):
    first, peer = world.reviewers[:2]
    review = world.review(first, [4, 4, 4], submit=False)
    world.review(peer, [3, 3, 3])
    client = api(first)
    scores = [
        {"criterion": c.pk, "value": 2, "not_applicable": False} for c in world.criteria
    ]
    response = client.patch(
        f"{URL}{review.pk}/",
        {"scores": scores, "change_reason": "Re-read the budget"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    rows = client.get(f"{URL}{review.pk}/history/").json()["results"]
    changed = [r for r in rows if r["model"] == "score" and r["type"] == "changed"]
    assert len(changed) == 3
    assert all(r["reason"] == "Re-read the budget" for r in changed)
    assert {"field": "value", "old": 4, "new": 2} in changed[0]["changes"]
    assert api(peer).get(f"{URL}{review.pk}/history/").status_code in {403, 404}


def test_admin_lists_review_records(client, world):
    from django.contrib.auth import get_user_model

    world.review(world.reviewers[0], [4, 4, 4])
    root = get_user_model().objects.create_superuser(
        "root", "r@example.org", "pw-1234567"
    )
    with_two_factor(root)  # required of staff before the admin opens
    client.force_login(root)
    for path in ["review", "score", "committee", "reviewerassignment", "decision"]:
        assert client.get(f"/admin/grants/{path}/").status_code == 200


def test_criteria_are_shown_in_the_readers_language(api, world, outsider):
    criterion = world.criteria[0]
    criterion.translations = {
        "ar": {"name": "الأثر المتوقع", "guidance": "ما الذي سيتغير؟"}
    }
    criterion.save()
    program = world.round.program_id
    rows = (
        api(outsider)
        .get(f"/api/v1/programs/{program}/", HTTP_ACCEPT_LANGUAGE="ar")
        .json()["rubric"]["criteria"]
    )
    assert rows[0]["name"] == "الأثر المتوقع"
    rows = (
        api(outsider)
        .get(f"/api/v1/programs/{program}/", HTTP_ACCEPT_LANGUAGE="fr")
        .json()["rubric"]["criteria"]
    )
    assert rows[0]["name"] == "Impact"


def test_the_api_says_why_a_member_who_is_not_assigned_cannot_score(api, world):
    response = api(world.reviewers[0]).post(
        "/api/v1/reviews/",
        {"proposal": world.proposal.pk, "recommendation": "fund"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You are not assigned to review this proposal."
