"""The load data generator: what it writes, with history, the same for a seed, and
never under production settings."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings

from accounts.models import Profile
from affiliates.choices import MembershipRole, MembershipStatus
from affiliates.models import Affiliate, AffiliateReport, Membership
from grants.choices import ProposalStatus, ReviewStatus
from grants.load_data import REVIEWED, LoadDataRefused, generate, path_to
from grants.models import (
    BudgetLine,
    GrantReport,
    Proposal,
    Review,
    ReviewerAssignment,
    Round,
    Rubric,
    TargetMetric,
)
from grants.models.reviews import Score
from portal.codes import CURRENCY_CODES

TODAY = datetime.date(2026, 6, 15)
AUDITED = [
    Affiliate,
    Membership,
    Profile,
    AffiliateReport,
    Round,
    Rubric,
    Proposal,
    BudgetLine,
    TargetMetric,
    ReviewerAssignment,
    Review,
    Score,
    GrantReport,
]


def small_world(seed=3):
    return generate(affiliates=5, proposals=30, seed=seed, today=TODAY)


def test_generator_writes_the_promised_objects(db):
    small_world()
    affiliates = Affiliate.objects.filter(slug__startswith="load-")
    assert affiliates.count() == 5
    for affiliate in affiliates:
        active = affiliate.memberships.filter(status=MembershipStatus.ACTIVE)
        assert active.filter(role=MembershipRole.ADMIN).count() == 1
        assert active.filter(role=MembershipRole.MEMBER).exists()
        assert affiliate.annual_reports.exists()
    assert not Membership.objects.filter(user__profile__isnull=True).exists()

    proposals = Proposal.objects.all()
    assert proposals.count() == 30
    assert len(set(proposals.values_list("status", flat=True))) >= 4
    assert len({p.created_at.year for p in proposals}) >= 3
    assert all(p.created_at.date() < TODAY for p in proposals)
    assert set(proposals.values_list("currency", flat=True)) <= CURRENCY_CODES
    for proposal in proposals.prefetch_related("budget_lines", "target_metrics"):
        assert proposal.target_metrics.all()
        # The budget lines add up to the amount asked for.
        assert proposal.budget_total() == proposal.amount_requested
        if proposal.status in REVIEWED:
            assert proposal.reviews.count() == 2
            assert proposal.assignments.count() == 2
        else:
            assert not proposal.reviews.exists()
    submitted = Review.objects.filter(status=ReviewStatus.SUBMITTED)
    assert submitted.exists()
    for review in submitted:
        assert review.scores.count() == 3
    funded = proposals.filter(
        status__in=[ProposalStatus.FUNDED, ProposalStatus.REPORTING]
    ) | proposals.filter(status=ProposalStatus.CLOSED)
    assert funded.exists()
    for proposal in funded:
        assert proposal.reports.count() == 2
        assert proposal.amount_approved is not None and proposal.decided_at


def test_every_generated_row_has_its_history(db):
    counts = small_world()
    written = 0
    for model in AUDITED:
        objects = model.objects.all()
        history = model.history.all()
        assert objects.exists(), model
        # One creation row per object, with who and why.
        assert history.filter(history_type="+").count() == objects.count(), model
        assert not history.filter(history_change_reason="").exists(), model
        written += history.count()
    assert written <= counts.history
    years = {row.history_date.year for row in Proposal.history.all()}
    assert len(years) >= 3
    assert not Proposal.history.filter(history_user__isnull=True).exists()


def test_proposal_history_follows_its_status_path(db):
    small_world()
    for proposal in Proposal.objects.all():
        rows = list(proposal.history.order_by("history_date", "history_id"))
        assert [row.status for row in rows] == path_to(proposal.status)
        assert rows[-1].amount_requested == proposal.amount_requested


def snapshot():
    return (
        list(
            Proposal.objects.order_by("pk").values_list(
                "affiliate__slug",
                "title",
                "status",
                "language",
                "currency",
                "amount_requested",
                "amount_approved",
                "created_at",
            )
        ),
        list(BudgetLine.objects.order_by("pk").values_list("unit_cost", "quantity")),
        list(Review.objects.order_by("pk").values_list("reviewer__username", "status")),
        list(Score.objects.order_by("pk").values_list("value", flat=True)),
        list(Affiliate.objects.order_by("pk").values_list("name", "country")),
        Proposal.history.count(),
    )


class Rollback(Exception):
    pass


def snapshot_of_run(seed):
    taken = None
    try:
        with transaction.atomic():
            small_world(seed)
            taken = snapshot()
            raise Rollback
    except Rollback:
        pass
    assert not Proposal.objects.exists()
    return taken


def test_the_same_seed_gives_the_same_data(db):
    first = snapshot_of_run(seed=11)
    assert snapshot_of_run(seed=11) == first
    assert snapshot_of_run(seed=12) != first


def test_a_second_run_adds_proposals_to_the_same_world(db):
    generate(affiliates=3, proposals=10, seed=1, today=TODAY)
    generate(affiliates=0, proposals=10, seed=2, today=TODAY)
    assert Affiliate.objects.count() == 3
    assert Round.objects.filter(program__slug="load-rapid").count() > 0
    assert Proposal.objects.count() == 20
    assert BudgetLine.objects.aggregate(total=Sum("quantity"))["total"] > 0


@override_settings(PORTAL_DEMO_DATA_ALLOWED=False)
def test_refused_under_production_settings_unless_forced(db):
    with pytest.raises(CommandError, match="not allowed"):
        call_command("generate_load_data", affiliates=1, proposals=1, verbosity=0)
    with pytest.raises(LoadDataRefused):
        generate(affiliates=1, proposals=0)
    assert not Affiliate.objects.exists() and not Proposal.objects.exists()

    call_command(
        "generate_load_data", affiliates=1, proposals=2, force=True, verbosity=0
    )
    assert Proposal.objects.count() == 2
