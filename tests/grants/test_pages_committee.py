"""Committee pages: my rounds, a round's ranking, one proposal for the committee and
the decision form (grants/views/committee.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.choices import ProposalStatus
from grants.models import Decision
from portal.versions import record_version
from tests.factories import ProposalFactory, UserFactory, with_two_factor

NOTE = "Private note: the treasurer is my neighbour"


@pytest.fixture
def people(world, staff, admin_a, outsider):
    """Each role of the permission matrix, on the world's round."""
    member, second, third, recused = world.reviewers
    world.review(member, [5, 4, 3], note=NOTE)
    world.review(second, [2, 3, 4])
    world.prepare(third)
    world.prepare(recused, conflict=True)
    non_voting = world.seat(UserFactory(username="observer"), voting=False)
    world.prepare(non_voting)
    reviewer = UserFactory(username="noseat")  # reviews elsewhere, no seat here
    for user in (member, second, third, recused, non_voting, staff):
        with_two_factor(user)
    return {
        "member": member,
        "second": second,
        "third": third,
        "recused": recused,
        "non_voting": non_voting,
        "reviewer": reviewer,
        "staff": staff,
        "admin": admin_a,
        "outsider": outsider,
    }


def ranking_url(world, **query):
    url = reverse("grants:committee_round", args=[world.round.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def proposal_url(proposal):
    return reverse("grants:committee_proposal", args=[proposal.pk])


# Who gets what --------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, ranking, page",
    [
        ("member", 200, 200),
        ("non_voting", 200, 200),
        ("staff", 200, 200),
        ("recused", 200, 403),
        ("reviewer", 403, 403),
        ("outsider", 403, 403),
        ("admin", 403, 403),
    ],
)
def test_each_role_gets_the_right_answer(client, world, people, who, ranking, page):
    client.force_login(people[who])
    assert client.get(ranking_url(world)).status_code == ranking
    assert client.get(proposal_url(world.proposal)).status_code == page


def test_visitor_is_sent_to_sign_in(client, world, people):
    for url in (
        reverse("grants:committee"),
        ranking_url(world),
        proposal_url(world.proposal),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_draft_is_not_found(client, world, people):
    draft = ProposalFactory(
        affiliate=world.proposal.affiliate,
        round=world.round,
        program=world.round.program,
        status=ProposalStatus.DRAFT,
    )
    client.force_login(people["member"])
    assert client.get(proposal_url(draft)).status_code == 404


def test_menu_shows_committee_only_to_seats_and_staff(client, world, people):
    committee = reverse("grants:committee")
    for who in ("member", "non_voting", "staff"):
        client.force_login(people[who])
        body = client.get(reverse("grants:proposals")).content.decode()
        assert f'href="{committee}"' in body, who
    for who in ("reviewer", "outsider", "admin"):
        client.force_login(people[who])
        body = client.get(reverse("grants:proposals")).content.decode()
        assert f'href="{committee}"' not in body, who


def test_my_rounds_lists_the_round_of_my_committee(client, world, people):
    client.force_login(people["member"])
    body = client.get(reverse("grants:committee")).content.decode()
    assert ranking_url(world) in body
    client.force_login(people["outsider"])
    body = client.get(reverse("grants:committee")).content.decode()
    assert ranking_url(world) not in body
    assert "No rounds yet." in body


# Ranking --------------------------------------------------------------------------


def test_ranking_shows_totals_means_spread_and_counts(client, world, people):
    client.force_login(people["member"])
    body = client.get(ranking_url(world)).content.decode()
    assert world.proposal.title in body
    # Means: (5+2)/2, (4+3)/2, (3+4)/2; weighted (2*3.5+3.5+3.5)/4.
    assert "3.50" in body
    assert 'data-label="Spread">3<' in body
    assert 'data-label="Reviews counted">2<' in body
    assert "Divergent scores" in body  # 5 vs 2 on a 1–5 scale
    assert proposal_url(world.proposal) in body


def test_recused_member_sees_recused_and_no_numbers(client, world, people):
    client.force_login(people["recused"])
    body = client.get(ranking_url(world)).content.decode()
    assert "Withheld from you" in body
    assert "Recused" in body
    assert world.proposal.title in body
    assert "3.50" not in body
    assert proposal_url(world.proposal) not in body
    assert NOTE not in body


def test_recused_member_proposal_page_says_recused_and_nothing_else(
    client, world, people
):
    client.force_login(people["recused"])
    response = client.get(proposal_url(world.proposal))
    body = response.content.decode()
    assert response.status_code == 403
    assert "recused" in body
    assert NOTE not in body
    assert "Thanks for the clear budget." not in body
    assert "3.50" not in body


def test_member_without_declaration_sees_it_withheld(client, world, people):
    other = world.new_proposal(world.proposal.affiliate)
    client.force_login(people["member"])
    body = client.get(ranking_url(world)).content.decode()
    assert other.title in body
    assert "Declaration needed" in body
    assert client.get(proposal_url(other)).status_code == 403


def test_ranking_sorts_and_filters_by_query_string(client, world, people):
    low = world.new_proposal(world.proposal.affiliate, title="Low scores")
    world.review(people["member"], [1, 1, 1], proposal=low)
    world.review(people["second"], [1, 2, 1], proposal=low)
    unscored = world.new_proposal(world.proposal.affiliate, title="Nobody scored")
    client.force_login(people["staff"])

    def order(**query):
        body = client.get(ranking_url(world, **query)).content.decode()
        titles = [world.proposal.title, "Low scores", "Nobody scored"]
        found = [t for t in titles if t in body]
        return sorted(found, key=body.index)

    assert order() == [world.proposal.title, "Low scores", "Nobody scored"]
    assert order(sort="total") == ["Low scores", world.proposal.title, "Nobody scored"]
    assert order(sort="-spread")[0] == world.proposal.title
    assert order(show="divergent") == [world.proposal.title]
    assert order(show="unranked") == ["Nobody scored"]
    body = client.get(ranking_url(world, show="unranked")).content.decode()
    assert "Too few reviews: 0 of the 2 needed." in body
    assert order(state="approved") == []
    assert (
        unscored.title
        in client.get(ranking_url(world, sort="nonsense")).content.decode()
    )


def test_ranking_answers_the_table_alone_to_htmx(client, world, people):
    client.force_login(people["member"])
    response = client.get(ranking_url(world, sort="-total"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="ranking-results"')
    assert "<html" not in body
    assert 'aria-sort="descending"' in body


def test_ranking_query_count_does_not_grow_with_proposals(client, world, people):
    client.force_login(people["staff"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ranking_url(world)).status_code == 200
        return len(queries)

    world.new_proposal(world.proposal.affiliate)
    two = count()  # two proposals
    for _i in range(8):
        proposal = world.new_proposal(world.proposal.affiliate)
        world.review(people["member"], [3, 3, 3], proposal=proposal)
    ten = count()  # ten, eight of them reviewed
    assert ten == two


# One proposal ---------------------------------------------------------------------


def test_member_reads_chart_reviews_and_notes(client, world, people):
    client.force_login(people["member"])
    body = client.get(proposal_url(world.proposal)).content.decode()
    assert "How reviewers scored each criterion" in body
    assert "Impact" in body and "Execution" in body
    assert NOTE in body
    assert "Thanks for the clear budget." in body
    assert "Community comments" in body
    assert "reviewer0" in body  # names shown: the round does not hide reviewers
    # Recusal record: recused, never why in words.
    assert "recused" in body
    assert "Cousin" not in body
    # Members read the decision section; only staff get the form.
    assert "Record the decision" not in body
    assert reverse("exports:dossier_pdf", args=[world.proposal.pk]) in body


def test_hidden_reviewers_are_numbered(client, world, people):
    world.round.hide_reviewer_identities = True
    world.round.save()
    client.force_login(people["member"])
    body = client.get(proposal_url(world.proposal)).content.decode()
    assert "Reviewer 2" in body
    assert "reviewer1" not in body


def test_staff_sees_the_decision_form_with_voters(client, world, people):
    client.force_login(people["staff"])
    body = client.get(proposal_url(world.proposal)).content.decode()
    assert "Record the decision" in body
    for who in ("member", "second", "third"):
        assert f'name="vote_{people[who].pk}"' in body
    # Recused and non-voting members have no vote.
    assert f'name="vote_{people["recused"].pk}"' not in body
    assert f'name="vote_{people["non_voting"].pk}"' not in body
    assert "No quorum yet: 0 votes cast, 3 needed." in body


def decision_data(world, people, votes, **extra):
    data = {
        "version": record_version(world.proposal),
        "outcome": "approved",
        "rationale": "Strong plan, clear budget.",
        "conditions": "",
        "amount_approved": "",
        "action": "record",
    }
    for who, choice in votes.items():
        data[f"vote_{people[who].pk}"] = choice
    data.update(extra)
    return data


def test_decision_happy_path_goes_through_the_service(client, world, people):
    client.force_login(people["staff"])
    votes = {"member": "for", "second": "for", "third": "against"}
    response = client.post(
        proposal_url(world.proposal), decision_data(world, people, votes)
    )
    assert response.status_code == 302
    decision = Decision.objects.get(proposal=world.proposal)
    assert decision.outcome == "approved"
    assert decision.votes.count() == 3
    world.proposal.refresh_from_db()
    assert world.proposal.status == ProposalStatus.APPROVED
    body = client.get(proposal_url(world.proposal)).content.decode()
    assert "The decision is recorded." in body
    assert "2 for, 1 against, 0 abstaining." in body
    assert "Record the decision" not in body
    # The committee reads the record with the votes.
    client.force_login(people["member"])
    body = client.get(proposal_url(world.proposal)).content.decode()
    assert "Strong plan, clear budget." in body
    assert "2 for, 1 against, 0 abstaining." in body


def test_decision_without_quorum_is_refused_with_the_error_shown(client, world, people):
    client.force_login(people["staff"])
    votes = {"member": "for", "second": "for"}
    response = client.post(
        proposal_url(world.proposal), decision_data(world, people, votes)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "2 votes cast; the quorum is 3." in body
    assert 'id="votes-error"' in body
    assert "Strong plan, clear budget." in body  # kept what was typed
    assert not Decision.objects.filter(proposal=world.proposal).exists()


def test_vote_that_does_not_carry_the_outcome_is_refused(client, world, people):
    client.force_login(people["staff"])
    votes = {"member": "against", "second": "against", "third": "for"}
    response = client.post(
        proposal_url(world.proposal), decision_data(world, people, votes)
    )
    assert response.status_code == 400
    assert "does not carry this outcome" in response.content.decode()


def test_live_tally_partial_uses_the_service_rules(client, world, people):
    client.force_login(people["staff"])
    votes = {"member": "for", "second": "abstain", "third": "for"}
    data = decision_data(world, people, votes, action="preview")
    response = client.post(proposal_url(world.proposal), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="decision-tally"')
    assert 'data-quorum="held"' in body
    assert "2 for, 0 against, 1 abstaining." in body
    assert not Decision.objects.exists()


def test_stale_version_answers_412(client, world, people):
    client.force_login(people["staff"])
    votes = {"member": "for", "second": "for", "third": "for"}
    data = decision_data(world, people, votes, version="stale")
    response = client.post(proposal_url(world.proposal), data)
    assert response.status_code == 412
    assert not Decision.objects.exists()


@pytest.mark.parametrize("who", ["member", "non_voting"])
def test_members_may_not_post_a_decision(client, world, people, who):
    client.force_login(people[who])
    votes = {"member": "for", "second": "for", "third": "for"}
    response = client.post(
        proposal_url(world.proposal), decision_data(world, people, votes)
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()
