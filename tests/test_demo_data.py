"""The demo data loads, covers what the README promises, and loads only once."""

import datetime

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from affiliates.choices import DefermentRequestStatus, MembershipStatus
from affiliates.models import DefermentRequest, Membership
from cms.models import LearningStoryPage
from grants import permissions
from grants.choices import GrantReportStatus, ProposalStatus, ReviewStatus
from grants.committee import round_ranking
from grants.models import (
    CommentReport,
    CommentReportStatus,
    GrantReport,
    Proposal,
    ProposalComment,
    ProposalDeclaration,
    Review,
    ReviewerAssignment,
)
from notifications.choices import Kind
from notifications.models import Notification


def test_demo_data_covers_every_state_and_language(db):
    call_command("load_demo_data", verbosity=0)
    assert mail.outbox == []  # the demo's events are in the inboxes, not mailed
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert statuses == set(ProposalStatus.values)
    languages = set(Proposal.objects.values_list("language", flat=True))
    assert {"en", "es", "ar", "zh-hans"} <= languages
    live = LearningStoryPage.objects.live()
    assert {"es", "ar", "zh-hans", "en"} <= set(
        live.values_list("locale__language_code", flat=True)
    )
    assert live.filter(locale__language_code="fr").exists()  # a translation
    waiting = LearningStoryPage.objects.get(locale__language_code="ru")
    assert not waiting.live and waiting.current_workflow_state.status == "in_progress"
    check_reviewer_and_committee_states()
    check_staff_states()
    check_inboxes()
    before = Proposal.objects.count()
    call_command("load_demo_data", verbosity=0)
    assert Proposal.objects.count() == before


def check_inboxes():
    """The demo people's inboxes hold the demo's events, in several kinds."""
    lucia = Notification.objects.filter(recipient__username="lucia")
    assert {Kind.JOIN_REQUESTED, Kind.PROPOSAL_SUBMITTED} <= set(
        lucia.values_list("kind", flat=True)
    )
    assert Notification.objects.filter(
        recipient__username="reviewer", kind=Kind.REVIEWER_ASSIGNED
    ).exists()


def check_reviewer_and_committee_states():
    """Each reviewer page and the committee ranking have something to show."""
    people = {u.username: u for u in get_user_model().objects.all()}
    reviewer = people["reviewer"]
    mine = ReviewerAssignment.objects.filter(reviewer=reviewer).select_related(
        "proposal"
    )
    declared = set(
        ProposalDeclaration.objects.filter(user=reviewer).values_list(
            "proposal", flat=True
        )
    )
    # The conflict step: assigned, in committee review, not declared yet.
    assert any(
        a.proposal.status == ProposalStatus.COMMITTEE_REVIEW
        and a.proposal_id not in declared
        and not permissions.is_recused(reviewer, a.proposal)
        for a in mine
    )
    # Recused by her declaration of interests (Altiplano), not by a declaration.
    dictionary = Proposal.objects.get(
        title="Diccionario ilustrado aimara en Wikcionario"
    )
    assert mine.filter(proposal=dictionary).exists()
    assert permissions.is_recused(reviewer, dictionary)
    assert dictionary.pk not in declared
    # Scoring: a submitted review and a draft; a review locked after the deadline.
    assert Review.objects.filter(reviewer=reviewer, status=ReviewStatus.SUBMITTED)
    assert Review.objects.filter(reviewer=people["sofia"], status=ReviewStatus.DRAFT)
    locked = Review.objects.get(
        reviewer=people["amir"], proposal__title="Фотоэкспедиция к Чарынскому каньону"
    )
    assert locked.is_locked()
    # The ranking of the current Rapid Fund round: two proposals ranked.
    ranking = round_ranking(people["officer"], dictionary.round)["ranking"]
    assert [row["rank"] for row in ranking if row["rank"]] == [1, 2]


def check_staff_states():
    """The staff inbox, eligibility, moderation and compliance pages have work."""
    today = timezone.localdate()
    assert Proposal.objects.filter(
        status__in=[ProposalStatus.SUBMITTED, ProposalStatus.ELIGIBILITY_CHECK]
    ).exists()
    assert GrantReport.objects.filter(status=GrantReportStatus.SUBMITTED).exists()
    assert CommentReport.objects.filter(status=CommentReportStatus.OPEN).exists()
    assert ProposalComment.objects.filter(is_hidden=True).exists()
    assert Membership.objects.filter(
        status=MembershipStatus.PENDING,
        requested_at__lt=timezone.now() - datetime.timedelta(days=7),
    ).exists()
    assert DefermentRequest.objects.filter(
        status=DefermentRequestStatus.REQUESTED
    ).exists()
    overdue = ReviewerAssignment.objects.filter(
        proposal__status=ProposalStatus.COMMITTEE_REVIEW,
        proposal__round__scoring_deadline__lt=today,
    ).exclude(
        proposal__reviews__status=ReviewStatus.SUBMITTED,
    )
    assert overdue.exists()
