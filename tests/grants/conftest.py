"""A round with a committee, a frozen rubric and a proposal in committee review."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.choices import ProposalStatus
from grants.models import Committee, CommitteeMember, ProposalDeclaration
from grants.services import committees as committee_services
from grants.services import reviews as review_services
from tests.factories import (
    ProposalFactory,
    RoundFactory,
    RubricCriterionFactory,
    RubricFactory,
    UserFactory,
)


class ReviewWorld:
    def __init__(self, staff, affiliate):
        self.staff = staff
        self.committee = Committee.objects.create(name="Regional committee", quorum=3)
        self.rubric = RubricFactory(scale_min=1, scale_max=5, allow_not_applicable=True)
        self.criteria = [
            RubricCriterionFactory(
                rubric=self.rubric, name=name, weight=weight, position=i
            )
            for i, (name, weight) in enumerate(
                [
                    ("Impact", Decimal(2)),
                    ("Execution", Decimal(1)),
                    ("Learning", Decimal(1)),
                ]
            )
        ]
        today = timezone.localdate()
        self.round = RoundFactory(
            program=self.rubric.program,
            committee=self.committee,
            rubric=self.rubric,
            min_reviews=2,
            opens_on=today - datetime.timedelta(60),
            closes_on=today - datetime.timedelta(30),
            comment_period_ends_on=today - datetime.timedelta(5),
            scoring_deadline=today + datetime.timedelta(10),
        )
        self.proposal = self.new_proposal(affiliate)
        self.reviewers = [
            self.seat(UserFactory(username=f"reviewer{i}")) for i in range(4)
        ]

    def new_proposal(self, affiliate, **kwargs):
        return ProposalFactory(
            affiliate=affiliate,
            round=self.round,
            program=self.round.program,
            status=ProposalStatus.COMMITTEE_REVIEW,
            **kwargs,
        )

    def seat(self, user, voting=True):
        CommitteeMember.objects.create(
            committee=self.committee, user=user, is_voting=voting
        )
        return user

    def prepare(self, reviewer, proposal=None, conflict=False):
        """Assign and declare (no conflict unless told)."""
        proposal = proposal or self.proposal
        ProposalDeclaration.objects.create(
            user=reviewer,
            proposal=proposal,
            has_conflict=conflict,
            conflict_type="family" if conflict else "",
            explanation="Cousin" if conflict else "",
        )
        if not conflict:
            committee_services.assignment_create(
                actor=self.staff, proposal=proposal, reviewer=reviewer
            )

    def review(
        self,
        reviewer,
        values,
        proposal=None,
        submit=True,
        recommendation="fund",
        note="",
        prepare=True,
    ):
        """values: one per criterion; None means "not applicable"."""
        proposal = proposal or self.proposal
        if prepare:
            self.prepare(reviewer, proposal)
        scores = [
            {"criterion": c, "value": v, "not_applicable": v is None}
            for c, v in zip(self.criteria, values, strict=True)
        ]
        review = review_services.review_create(
            actor=reviewer,
            proposal=proposal,
            scores=scores,
            recommendation=recommendation,
            note_to_committee=note,
            comment_to_applicant="Thanks for the clear budget.",
        )
        if submit:
            review_services.review_submit(actor=reviewer, review=review)
        return review


@pytest.fixture
def world(staff, affiliate_a):
    return ReviewWorld(staff, affiliate_a)
