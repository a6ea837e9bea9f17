"""A round scores on the rubric it was set up with, whatever the program does later."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants.choices import ProposalStatus
from grants.models import Round
from grants.services import programs, proposals
from tests.factories import (
    FundProgramFactory,
    ProposalFactory,
    RoundFactory,
    RubricCriterionFactory,
    RubricFactory,
)

pytestmark = pytest.mark.django_db


def round_fields(program):
    today = timezone.localdate()
    return {
        "program": program,
        "name": "Second round",
        "opens_on": today,
        "closes_on": today + datetime.timedelta(30),
        "comment_period_ends_on": today + datetime.timedelta(60),
        "scoring_deadline": today + datetime.timedelta(75),
    }


def test_a_new_round_freezes_the_programs_current_rubric(staff):
    program = FundProgramFactory()
    first = RubricFactory(program=program, version=1)
    round_ = programs.round_create(actor=staff, **round_fields(program))
    assert round_.rubric == first

    RubricFactory(program=program, version=2)
    round_.refresh_from_db()
    assert round_.rubric == first


def test_the_round_api_shows_the_frozen_rubric(api, staff):
    program = FundProgramFactory()
    rubric = RubricFactory(program=program, version=1)
    RubricCriterionFactory(rubric=rubric, name="Impact")
    round_ = programs.round_create(actor=staff, **round_fields(program))
    RubricFactory(program=program, version=2)

    data = api(staff).get(f"/api/v1/rounds/{round_.pk}/").json()
    assert data["rubric"] == rubric.pk
    assert data["rubric_detail"]["version"] == 1
    assert [c["name"] for c in data["rubric_detail"]["criteria"]] == ["Impact"]


def test_a_rubric_of_another_program_is_refused(staff):
    program = FundProgramFactory()
    other = RubricFactory()
    with pytest.raises(ValidationError) as error:
        programs.round_create(actor=staff, rubric=other, **round_fields(program))
    assert "rubric" in error.value.message_dict


def test_the_rubric_cannot_change_once_reviews_exist(world, staff):
    world.review(world.reviewers[0], [4, 4, 4])
    newer = RubricFactory(program=world.round.program, version=2)
    with pytest.raises(ValidationError) as error:
        programs.round_update(actor=staff, round=world.round, rubric=newer)
    assert "rubric" in error.value.message_dict
    world.round.refresh_from_db()
    assert world.round.rubric == world.rubric


def test_a_round_without_rubric_freezes_one_when_scoring_starts(staff, affiliate_a):
    round_ = RoundFactory()
    assert round_.rubric is None
    rubric = RubricFactory(program=round_.program)
    proposal = ProposalFactory(
        affiliate=affiliate_a, round=round_, status=ProposalStatus.COMMUNITY_REVIEW
    )
    proposals.proposal_start_committee_review(actor=staff, proposal=proposal)
    assert Round.objects.get(pk=round_.pk).rubric == rubric
    RubricFactory(program=round_.program, version=2)
    assert Round.objects.get(pk=round_.pk).rubric == rubric
