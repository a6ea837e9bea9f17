"""The proposals API counts its list part by part (permissions.count_visible_proposals)
instead of through the whole reader rule at once: the total must be the number of
proposals the reader actually gets, for every kind of reader and filter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.choices import ProposalStatus
from grants.models import Proposal, ProposalDeclaration
from grants.permissions import count_visible_proposals, visible_proposals
from tests.factories import ProposalFactory, UserFactory

STATUSES = [
    ProposalStatus.DRAFT,
    ProposalStatus.SUBMITTED,
    ProposalStatus.ELIGIBILITY_CHECK,
    ProposalStatus.COMMUNITY_REVIEW,
    ProposalStatus.COMMITTEE_REVIEW,
    ProposalStatus.DECLINED,
    ProposalStatus.WITHDRAWN,
    ProposalStatus.FUNDED,
    ProposalStatus.CLOSED,
]
FILTERS = [
    {},
    {"status": "draft"},
    {"status": "committee_review"},
    {"search": "Heritage"},
    {"start_after": "2000-01-01"},
]


@pytest.fixture
def readers(world, staff, affiliate_a, affiliate_b, member_a, member_b, outsider):
    """Proposals of two affiliates in every status, in the committee's round and
    elsewhere, and readers of every kind: a reviewer cleared on some proposals, one
    who declared a conflict, members of each affiliate, staff, the public."""
    for affiliate in (affiliate_a, affiliate_b):
        for n, status in enumerate(STATUSES):
            in_round = {"round": world.round, "program": world.round.program}
            ProposalFactory(
                affiliate=affiliate,
                status=status,
                title=f"{'Heritage' if n % 2 else 'Archive'} {status} {n}",
                **(in_round if n % 3 else {}),
            )
    cleared, conflicted = world.reviewers[0], world.reviewers[1]
    in_round = Proposal.objects.filter(round=world.round)
    for proposal in in_round:
        ProposalDeclaration.objects.create(
            user=cleared, proposal=proposal, has_conflict=False
        )
    ProposalDeclaration.objects.create(
        user=conflicted,
        proposal=in_round.filter(affiliate=affiliate_b).first(),
        has_conflict=True,
        conflict_type="family",
        explanation="Cousin",
    )
    return {
        "public": None,
        "staff": staff,
        "member of A": member_a,
        "member of B": member_b,
        "cleared reviewer": cleared,
        "conflicted reviewer": conflicted,
        "outsider": outsider,
        "new account": UserFactory(username="newcomer"),
    }


@pytest.mark.parametrize("params", FILTERS)
def test_the_total_is_what_the_reader_gets(api, readers, params):
    for who, user in readers.items():
        body = api(user).get("/api/v1/proposals/", {**params, "page_size": 200}).json()
        assert body["count"] == len(body["results"]), (who, params)


def test_the_parts_add_up_to_the_rule_for_every_reader(readers):
    for who, user in readers.items():
        for status in [None, *STATUSES]:
            queryset = Proposal.objects.all()
            if status:
                queryset = queryset.filter(status=status)
            expected = visible_proposals(user, queryset).count()
            assert count_visible_proposals(user, queryset) == expected, (who, status)


def test_the_first_part_is_read_from_the_status_index_alone(readers):
    """The open statuses are counted without the rest of the rule (no EXISTS, no
    membership lookup in that query)."""
    with CaptureQueriesContext(connection) as queries:
        count_visible_proposals(readers["member of A"], Proposal.objects.all())
    first = queries.captured_queries[0]["sql"]
    assert "COUNT(" in first.upper()
    assert "EXISTS" not in first.upper()
    assert "affiliate_id" not in first


def test_history_pages_are_not_counted_by_the_list_rule(api, readers, world):
    """Other pages of the same view (a proposal's history) keep their own count."""
    response = api(readers["staff"]).get(
        f"/api/v1/proposals/{world.proposal.pk}/history/"
    )
    assert response.status_code == 200
    body = response.json()
    if isinstance(body, dict) and "count" in body:
        assert body["count"] == len(body["results"])
