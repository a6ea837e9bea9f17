"""The committee's endpoints cost the same number of queries whatever the number of
reviews, comments, assignments, recusals, votes and export jobs they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exports.choices import ExportKind, ExportStatus
from exports.models import Export
from grants.models import ProposalComment, Recusal
from grants.services import committees, decisions
from tests.factories import UserFactory
from tests.grants.conftest import ReviewWorld


@pytest.fixture
def world(staff, affiliate_a):
    return ReviewWorld(staff, affiliate_a)


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 200, **(params or {})})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def add_scored_proposals(world, n):
    for _ in range(n):
        proposal = world.new_proposal(world.proposal.affiliate)
        for reviewer in world.reviewers[:3]:
            world.review(reviewer, [4, 3, 5], proposal=proposal)


def add_comments(world, author, n):
    for _ in range(n):
        question = ProposalComment.objects.create(
            proposal=world.proposal, author=author, body="When is the first event?"
        )
        ProposalComment.objects.create(
            proposal=world.proposal, author=author, body="In May.", parent=question
        )


def add_recusals(world, n):
    for _ in range(n):
        person = world.seat(UserFactory())
        Recusal.objects.create(
            proposal=world.proposal,
            user=person,
            recorded_by=world.staff,
            conflict_type="other",
            explanation="Works with the applicant",
        )


def add_exports(user, n):
    for _ in range(n):
        Export.objects.create(
            kind=ExportKind.PACKET,
            object_id=1,
            label="Packet",
            language="en",
            status=ExportStatus.QUEUED,
            requested_by=user,
        )


def constant(measure, grow, label, small=2, large=8):
    grow(small)
    before = measure()
    grow(large)
    after = measure()
    assert after == before, f"{before} queries, then {after} after adding rows"
    print(f"QUERIES {label}: {after}")


@pytest.mark.parametrize("reader", ["staff", "committee"])
def test_review_list_is_constant(api, world, reader):
    member = world.reviewers[3]
    user = world.staff if reader == "staff" else member
    client = api(user)

    def grow(n):
        add_scored_proposals(world, n)
        for proposal in world.round.proposals.all():
            if not proposal.declarations.filter(user=member).exists():
                world.prepare(member, proposal)

    constant(lambda: queries(client, "/api/v1/reviews/"), grow, f"reviews as {reader}")


def test_ranking_is_constant(api, world):
    client = api(world.staff)
    url = f"/api/v1/rounds/{world.round.pk}/ranking/"
    constant(
        lambda: queries(client, url),
        lambda n: add_scored_proposals(world, n),
        "rounds/{id}/ranking as staff",
    )


@pytest.mark.parametrize("blind", [False, True])
def test_comment_list_is_constant_with_replies(api, world, outsider, blind):
    world.round.hide_applicant_identity = blind
    world.round.save()
    member = world.reviewers[0]
    client = api(member)
    constant(
        lambda: queries(client, "/api/v1/comments/"),
        lambda n: add_comments(world, outsider, n),
        f"comments as committee member ({'blind' if blind else 'open'} round)",
    )


def test_assignment_list_is_constant(api, world):
    client = api(world.staff)

    def grow(n):
        for _ in range(n):
            proposal = world.new_proposal(world.proposal.affiliate)
            for reviewer in world.reviewers[:2]:
                committees.assignment_create(
                    actor=world.staff, proposal=proposal, reviewer=reviewer
                )

    constant(lambda: queries(client, "/api/v1/assignments/"), grow, "assignments")


def test_bulk_assignment_is_constant(api, world):
    """Planning a bulk assignment reads the load, the pairs already assigned and the
    recusals once; only the new assignments' writes grow with the round."""
    from grants.models import Proposal
    from grants.permissions import recused_pairs

    seats = [s.user_id for s in world.committee.members.all()]

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            recused_pairs(Proposal.objects.filter(round=world.round), seats)
        return len(ctx.captured_queries)

    constant(
        measure,
        lambda n: [world.new_proposal(world.proposal.affiliate) for _ in range(n)],
        "bulk assignment: recusals of every seat for every proposal",
    )


def test_recusal_list_and_record_are_constant(api, world):
    client = api(world.staff)
    constant(
        lambda: (
            queries(client, "/api/v1/recusals/")
            + queries(client, f"/api/v1/proposals/{world.proposal.pk}/recusals/")
        ),
        lambda n: add_recusals(world, n),
        "recusals + proposals/{id}/recusals as staff",
    )


def test_decision_is_constant_in_the_number_of_voters(api, affiliate_a, staff):
    def measure_with(voters):
        world = ReviewWorld(staff, affiliate_a)
        world.committee.quorum = 1
        world.committee.save()
        people = [world.seat(UserFactory()) for _ in range(voters)]
        for person in people:
            world.prepare(person)
        decisions.decision_record(
            actor=staff,
            proposal=world.proposal,
            outcome="approved",
            rationale="Clear plan",
            votes=[{"member": person, "choice": "for"} for person in people],
        )
        url = f"/api/v1/proposals/{world.proposal.pk}/decision/"
        return queries(api(staff), url)

    few, many = measure_with(2), measure_with(9)
    assert few == many
    print(f"QUERIES proposals/{{id}}/decision as staff: {many}")


def test_job_list_is_constant(api, staff, outsider):
    client = api(outsider)
    constant(
        lambda: queries(client, "/api/v1/jobs/"),
        lambda n: add_exports(outsider, n),
        "jobs",
    )
