"""What is sent, to whom: each event, caused through the services as the app does,
reaches exactly the people it concerns, in their language, and tells nobody about
what they may not read (the recused, blind rounds)."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from affiliates import services as affiliate_services
from affiliates.choices import AffiliateReportStatus, MembershipRole, MembershipStatus
from grants.choices import GrantReportKind, GrantReportStatus, ProposalStatus
from grants.models import GrantReport, ProposalDeclaration, ReviewerAssignment
from grants.services import comments as comment_services
from grants.services import committees as committee_services
from grants.services import decisions as decision_services
from grants.services import proposals as proposal_services
from grants.services import reports as report_services
from notifications import events
from notifications.choices import Delivery, Kind
from notifications.models import Notification
from notifications.services import preferences_set
from tests.factories import (
    AffiliateReportFactory,
    MembershipFactory,
    ProposalFactory,
    UserFactory,
)
from tests.grants.conftest import ReviewWorld

from .conftest import with_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run a step like a request: its rows, then its e-mails once it committed."""

    def run(step, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return run


def told(kind) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind).values_list(
            "recipient__username", flat=True
        )
    )


def mailed() -> dict[str, object]:
    """{username: e-mail} of the notification messages sent (Wagtail mails its
    board on its own, without our headers)."""
    return {
        email.to[0].split("@")[0]: email
        for email in mail.outbox
        if "Content-Language" in email.extra_headers
    }


def forget():
    Notification.objects.all().delete()
    mail.outbox.clear()


def admin(affiliate, username, language=""):
    user = UserFactory(username=username)
    MembershipFactory(user=user, affiliate=affiliate, role=MembershipRole.ADMIN)
    return with_address(user, language)


def member(affiliate, username, language=""):
    user = UserFactory(username=username)
    MembershipFactory(user=user, affiliate=affiliate)
    return with_address(user, language)


@pytest.fixture
def world(staff, affiliate_a):
    world = ReviewWorld(staff, affiliate_a)
    for reviewer in world.reviewers:
        with_address(reviewer)
    return world


# Proposals -------------------------------------------------------------------------


def test_receipt_goes_to_every_admin_in_their_language(
    capture, affiliate_a, admin_a, member_a, outsider, admin_b
):
    affiliate_a.working_languages = ["fr", "en"]
    affiliate_a.save()
    with_address(admin_a, "ar")
    chinese = admin(affiliate_a, "admin_zh", "zh-hans")
    english = admin(affiliate_a, "admin_en", "en")
    admin(affiliate_a, "admin_none")  # chose no language: the affiliate's first
    gone = admin(affiliate_a, "admin_gone")
    gone.is_active = False
    gone.save()
    for person in (member_a, outsider, admin_b):
        with_address(person)
    proposal = ProposalFactory(affiliate=affiliate_a, created_by=member_a)

    capture(proposal_services.proposal_submit, actor=admin_a, proposal=proposal)

    expected = {"admin_a", "admin_zh", "admin_en", "admin_none"}
    assert told(Kind.PROPOSAL_SUBMITTED) == expected  # the submitter too: a receipt
    sent = mailed()
    assert set(sent) == expected
    languages = {name: e.extra_headers["Content-Language"] for name, e in sent.items()}
    assert languages == {
        "admin_a": "ar",
        "admin_zh": "zh-hans",
        "admin_en": "en",
        "admin_none": "fr",
    }
    proposal.refresh_from_db()
    assert proposal.reference in sent["admin_zh"].body
    assert f"/zh-hans/grants/proposals/{proposal.pk}/" in sent["admin_zh"].body
    assert f"/fr/grants/proposals/{proposal.pk}/" in sent["admin_none"].body
    assert f"8000/grants/proposals/{proposal.pk}/" in sent["admin_en"].body
    assert chinese.pk and english.pk


def test_applicant_hears_of_send_back_decision_and_funding(
    capture, staff, affiliate_a, admin_a, member_a, outsider
):
    with_address(admin_a, "ar")
    with_address(member_a)
    writer = member(affiliate_a, "writer")
    bystander = member(affiliate_a, "bystander")  # a member who wrote nothing
    with_address(outsider)
    proposal = ProposalFactory(affiliate=affiliate_a, created_by=member_a)
    proposal_services.proposal_update(
        actor=writer, proposal=proposal, summary="Six workshops, two online."
    )
    proposal_services.proposal_submit(actor=admin_a, proposal=proposal)
    proposal_services.proposal_start_eligibility_check(actor=staff, proposal=proposal)
    forget()

    capture(
        proposal_services.proposal_send_back,
        actor=staff,
        proposal=proposal,
        reason="Add the venue costs.",
    )
    applicants = {"admin_a", "member_a", "writer"}
    assert told(Kind.PROPOSAL_SENT_BACK) == applicants
    assert set(mailed()) == applicants
    assert "Add the venue costs." in mailed()["writer"].body
    assert mailed()["admin_a"].extra_headers["Content-Language"] == "ar"

    proposal_services.proposal_submit(actor=admin_a, proposal=proposal)
    for step in ("eligibility_check", "community_review", "committee_review"):
        getattr(proposal_services, f"proposal_start_{step}")(
            actor=staff, proposal=proposal
        )
    forget()
    capture(
        proposal_services.proposal_approve_with_conditions,
        actor=staff,
        proposal=proposal,
        conditions="Send the signed venue contract.",
    )
    assert told(Kind.PROPOSAL_DECIDED) == applicants
    assert set(mailed()) == applicants
    assert "Send the signed venue contract." in mailed()["member_a"].body

    # An author who left the affiliate hears no more of it.
    writer.memberships.update(status=MembershipStatus.REMOVED)
    forget()
    capture(proposal_services.proposal_fund, actor=staff, proposal=proposal)
    assert told(Kind.PROPOSAL_FUNDED) == {"admin_a", "member_a"}
    assert set(mailed()) == {"admin_a", "member_a"}
    assert bystander.pk not in Notification.objects.values_list("recipient", flat=True)


def test_a_decline_carries_its_reason(capture, staff, affiliate_a, admin_a, member_a):
    with_address(admin_a)
    proposal = ProposalFactory(
        affiliate=affiliate_a,
        created_by=member_a,
        status=ProposalStatus.COMMITTEE_REVIEW,
    )
    capture(
        proposal_services.proposal_decline,
        actor=staff,
        proposal=proposal,
        reason="Outside the program's scope.",
    )
    row = Notification.objects.get(recipient=admin_a)
    assert row.params == {
        "outcome": "declined",
        "reason": "Outside the program's scope.",
    }
    assert told(Kind.PROPOSAL_DECIDED) == {"admin_a", "member_a"}
    assert "Outside the program" in mailed()["admin_a"].body


# Comments ----------------------------------------------------------------------------


def test_comments_reach_the_applicant_and_replies_the_commenter(
    capture, affiliate_a, admin_a, member_a, outsider, member_b
):
    for person in (admin_a, member_a, outsider, member_b):
        with_address(person)
        preferences_set(
            user=person,
            choices={Kind.COMMENT_POSTED: Delivery.EMAIL},
        )
    proposal = ProposalFactory(
        affiliate=affiliate_a, status=ProposalStatus.COMMUNITY_REVIEW
    )

    comment = capture(
        comment_services.comment_create,
        actor=outsider,
        proposal=proposal,
        body="How will you keep the new editors?",
    )
    assert told(Kind.COMMENT_POSTED) == {"admin_a", "member_a"}
    assert set(mailed()) == {"admin_a", "member_a"}
    assert comment.body not in mailed()["admin_a"].body  # the page shows it

    forget()
    capture(
        comment_services.comment_create,
        actor=admin_a,
        proposal=proposal,
        body="With monthly meet-ups.",
        parent=comment,
    )
    assert told(Kind.COMMENT_REPLY) == {"outsider"}
    assert told(Kind.COMMENT_POSTED) == {"member_a"}  # never the replier
    assert set(mailed()) == {"outsider", "member_a"}


def test_a_busy_discussion_is_one_unread_entry_until_it_is_opened(
    capture, affiliate_a, admin_a, member_a, outsider, member_b
):
    for person in (admin_a, member_a):
        with_address(person)
        preferences_set(user=person, choices={Kind.COMMENT_POSTED: Delivery.EMAIL})
    proposal = ProposalFactory(
        affiliate=affiliate_a, status=ProposalStatus.COMMUNITY_REVIEW
    )
    for author, body in ((outsider, "First question."), (member_b, "Second one.")):
        capture(
            comment_services.comment_create, actor=author, proposal=proposal, body=body
        )
    # One entry and one e-mail each, not one per comment.
    assert Notification.objects.filter(kind=Kind.COMMENT_POSTED).count() == 2
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [admin_a.email, member_a.email]
    )

    # The admin opens the discussion: their entry is read, and the next comment
    # is told to them again (the member, who has not looked, is not told twice).
    client = Client()
    client.force_login(admin_a)
    assert client.get(f"/grants/proposals/{proposal.pk}/comments/").status_code == 200
    assert Notification.objects.get(recipient=admin_a).read_at is not None
    assert Notification.objects.get(recipient=member_a).read_at is None
    capture(
        comment_services.comment_create,
        actor=outsider,
        proposal=proposal,
        body="A third thought.",
    )
    assert Notification.objects.filter(recipient=admin_a).count() == 2
    assert Notification.objects.filter(recipient=member_a).count() == 1

    # The thread is on the proposal's page too: seeing it there counts the same.
    client.force_login(member_a)
    assert client.get(f"/grants/proposals/{proposal.pk}/").status_code == 200
    assert not Notification.objects.filter(recipient=member_a).unread().exists()


def test_comment_digest_is_the_default(capture, affiliate_a, admin_a, outsider):
    with_address(admin_a)
    proposal = ProposalFactory(
        affiliate=affiliate_a, status=ProposalStatus.COMMUNITY_REVIEW
    )
    capture(
        comment_services.comment_create, actor=outsider, proposal=proposal, body="Hi"
    )
    assert told(Kind.COMMENT_POSTED) == {"admin_a"}
    assert mail.outbox == []  # waits for the daily digest


# Memberships ---------------------------------------------------------------------


def test_join_request_goes_to_admins_and_the_answer_to_the_person(
    capture, affiliate_a, admin_a, member_a, outsider
):
    from accounts.services import profile_for

    with_address(admin_a, "zh-hans")
    with_address(member_a)
    with_address(outsider)
    profile = profile_for(outsider)
    profile.public_name = "Ama K."
    profile.save()

    membership = capture(
        affiliate_services.membership_request, actor=outsider, affiliate=affiliate_a
    )
    assert told(Kind.JOIN_REQUESTED) == {"admin_a"}
    assert set(mailed()) == {"admin_a"}
    assert "Ama K." in mailed()["admin_a"].body
    assert mailed()["admin_a"].extra_headers["Content-Language"] == "zh-hans"

    forget()
    capture(affiliate_services.membership_approve, actor=admin_a, membership=membership)
    assert told(Kind.JOIN_DECIDED) == {"outsider"}
    assert Notification.objects.get().params == {"outcome": "approved"}
    assert set(mailed()) == {"outsider"}

    forget()
    asker = with_address(UserFactory(username="asker"))
    request = affiliate_services.membership_request(actor=asker, affiliate=affiliate_a)
    forget()
    capture(affiliate_services.membership_reject, actor=admin_a, membership=request)
    assert told(Kind.JOIN_DECIDED) == {"asker"}
    assert Notification.objects.get().params == {"outcome": "rejected"}
    assert set(mailed()) == {"asker"}


# Committees --------------------------------------------------------------------------


def test_a_reviewer_hears_of_their_assignment_with_the_deadline(capture, world):
    reviewer = world.reviewers[0]
    with_address(reviewer, "ar")
    capture(
        committee_services.assignment_create,
        actor=world.staff,
        proposal=world.proposal,
        reviewer=reviewer,
    )
    assert told(Kind.REVIEWER_ASSIGNED) == {reviewer.username}
    row = Notification.objects.get()
    assert row.params == {"due": world.round.scoring_deadline.isoformat()}
    assert row.path == f"/grants/reviews/{world.proposal.pk}/"
    assert set(mailed()) == {reviewer.username}
    assert mailed()[reviewer.username].extra_headers["Content-Language"] == "ar"


def test_a_reviewer_recused_before_the_mail_leaves_gets_nothing(
    world, affiliate_a, django_capture_on_commit_callbacks
):
    from notifications.choices import EmailStatus
    from notifications.readers import readable

    reviewer = world.reviewers[0]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        committee_services.assignment_create(
            actor=world.staff, proposal=world.proposal, reviewer=reviewer
        )
        # Joining the applicant recuses them from its proposal at once.
        MembershipFactory(
            user=reviewer, affiliate=affiliate_a, status=MembershipStatus.PENDING
        )
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    row = Notification.objects.get()
    assert row.email_status == EmailStatus.WITHHELD
    assert readable(reviewer, [row]) == []


def test_bulk_assignment_tells_each_reviewer_in_a_fixed_number_of_queries(
    capture, world, affiliate_b
):
    world.new_proposal(affiliate_b)
    capture(
        committee_services.assignments_bulk,
        actor=world.staff,
        round=world.round,
        reviewers_per_proposal=2,
    )
    pairs = set(ReviewerAssignment.objects.values_list("reviewer__username", "pk"))
    rows = set(
        Notification.objects.filter(kind=Kind.REVIEWER_ASSIGNED).values_list(
            "recipient__username", "target_id"
        )
    )
    assert rows == pairs and len(rows) == 4
    assert len(mail.outbox) == 4

    def queries(assignments):
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as context:
            events.reviewers_assigned(assignments, world.staff)
        return len(context.captured_queries)

    few = list(ReviewerAssignment.objects.select_related("proposal", "reviewer")[:1])
    for _ in range(3):
        world.new_proposal(affiliate_b)
    committee_services.assignments_bulk(
        actor=world.staff, round=world.round, reviewers_per_proposal=4
    )
    first = ReviewerAssignment.objects.select_related("proposal", "reviewer")
    mine = list(first.filter(reviewer=few[0].reviewer))
    assert len(mine) == 5
    assert queries(mine) == queries(few)


def test_committee_hears_once_per_round_that_review_opened(capture, world, affiliate_a):
    first = in_community_review(world, affiliate_a)
    second = in_community_review(world, affiliate_a)
    outsider = with_address(UserFactory(username="not_seated"))
    capture(
        proposal_services.proposal_start_committee_review,
        actor=world.staff,
        proposal=first,
    )
    seated = {user.username for user in world.reviewers}
    assert told(Kind.COMMITTEE_REVIEW_OPENED) == seated
    assert set(mailed()) == seated
    assert outsider.username not in mailed()
    row = Notification.objects.filter(kind=Kind.COMMITTEE_REVIEW_OPENED).first()
    assert row.target == world.round
    body = mailed()[world.reviewers[0].username].body
    assert first.title not in body and "Wikimedia Ghana Test" not in body

    mail.outbox.clear()
    capture(
        proposal_services.proposal_start_committee_review,
        actor=world.staff,
        proposal=second,
    )
    assert Notification.objects.filter(kind=Kind.COMMITTEE_REVIEW_OPENED).count() == 4
    assert mail.outbox == []


def in_community_review(world, affiliate):
    return ProposalFactory(
        affiliate=affiliate,
        round=world.round,
        program=world.round.program,
        status=ProposalStatus.COMMUNITY_REVIEW,
    )


def _decide(world, capture, voters):
    for person in voters:
        ProposalDeclaration.objects.get_or_create(
            user=person, proposal=world.proposal, defaults={"has_conflict": False}
        )
    return capture(
        decision_services.decision_record,
        actor=world.staff,
        proposal=world.proposal,
        outcome="approved",
        votes=[{"member": person, "choice": "for"} for person in voters],
        rationale="Well planned.",
    )


def test_decision_reaches_the_committee_but_not_the_recused(
    capture, world, affiliate_a, admin_a
):
    with_address(admin_a)
    recused = world.seat(with_address(UserFactory(username="recused")))
    MembershipFactory(user=recused, affiliate=affiliate_a)
    forget()
    _decide(world, capture, world.reviewers[:3])
    seated = {user.username for user in world.reviewers}
    assert told(Kind.DECISION_RECORDED) == seated
    assert not Notification.objects.filter(recipient=recused).exists()
    assert told(Kind.PROPOSAL_DECIDED) == {"admin_a"}
    assert set(mailed()) == seated | {"admin_a"}
    assert "recused" not in mailed()


def test_blind_round_messages_to_the_committee_never_name_the_applicant(
    capture, world, affiliate_a, admin_a
):
    affiliate_a.working_languages = ["fr"]
    affiliate_a.save()
    world.round.hide_applicant_identity = True
    world.round.save()
    opening = in_community_review(world, affiliate_a)
    capture(
        proposal_services.proposal_start_committee_review,
        actor=world.staff,
        proposal=opening,
    )
    capture(
        committee_services.assignment_create,
        actor=world.staff,
        proposal=world.proposal,
        reviewer=world.reviewers[3],
    )
    _decide(world, capture, world.reviewers[:3])
    committee = {user.username for user in world.reviewers}
    to_committee = [e for name, e in mailed().items() if name in committee]
    kinds = set(
        Notification.objects.filter(recipient__in=world.reviewers).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {
        Kind.COMMITTEE_REVIEW_OPENED,
        Kind.REVIEWER_ASSIGNED,
        Kind.DECISION_RECORDED,
    }
    for email in [e for e in mail.outbox if e.to[0].split("@")[0] in committee]:
        html = email.alternatives[0][0]
        assert "Wikimedia Ghana Test" not in email.body
        assert "Wikimedia Ghana Test" not in html
        # Nor the applicant's language: the committee's mail is in English here.
        assert email.extra_headers["Content-Language"] == "en"
    assert to_committee


# Reports ---------------------------------------------------------------------------


def test_report_reviews_reach_the_affiliate_admins(
    capture, staff, affiliate_a, admin_a, member_a
):
    affiliate_a.working_languages = ["es"]
    affiliate_a.save()
    with_address(admin_a)
    with_address(member_a)
    proposal = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.FUNDED)
    report = GrantReport.objects.create(
        proposal=proposal,
        kind=GrantReportKind.FINAL,
        due_date=timezone.localdate() + datetime.timedelta(30),
        status=GrantReportStatus.SUBMITTED,
    )
    capture(
        report_services.grant_report_send_back,
        actor=staff,
        report=report,
        reason="Add the receipts for the venue.",
    )
    assert told(Kind.REPORT_REVIEWED) == {"admin_a"}
    row = Notification.objects.get()
    assert row.params == {
        "affiliate": affiliate_a.name,
        "outcome": "sent_back",
        "reason": "Add the receipts for the venue.",
    }
    assert set(mailed()) == {"admin_a"}
    email = mailed()["admin_a"]
    assert email.extra_headers["Content-Language"] == "es"
    assert "Add the receipts" in email.body and affiliate_a.name in email.body

    forget()
    annual = AffiliateReportFactory(
        affiliate=affiliate_a, status=AffiliateReportStatus.SUBMITTED
    )
    capture(affiliate_services.affiliate_report_accept, actor=staff, report=annual)
    assert told(Kind.REPORT_REVIEWED) == {"admin_a"}
    assert Notification.objects.get().params["outcome"] == "accepted"
    assert f"/es/affiliates/annual-reports/{annual.pk}/" in mailed()["admin_a"].body


# Learning stories ------------------------------------------------------------------


def test_story_authors_hear_the_boards_answer(capture, affiliate_a, admin_a, member_a):
    from django.contrib.auth.models import Group

    from cms import services as story_services
    from cms.site import EDITORIAL_BOARD, setup_site

    setup_site()
    board = with_address(UserFactory(username="editor"))
    board.groups.add(Group.objects.get(name=EDITORIAL_BOARD))
    with_address(admin_a)
    with_address(member_a, "ar")
    story = story_services.story_create(
        actor=member_a,
        affiliate=affiliate_a,
        locale="en",
        title="Keeping new editors",
        summary="Follow-up after workshops.",
        region="ssa",
        date=datetime.date(2026, 5, 1),
        original_language="en",
    )
    story_services.story_submit(actor=member_a, story=story)
    story.refresh_from_db()
    task_state = story.current_workflow_state.current_task_state
    capture(
        task_state.task.specific.on_action,
        task_state,
        board,
        "reject",
        comment="Add what did not work, please.",
    )
    assert told(Kind.STORY_REVIEWED) == {"member_a"}
    assert Notification.objects.get().params == {
        "outcome": "needs_changes",
        "comment": "Add what did not work, please.",
    }
    assert set(mailed()) == {"member_a"}
    assert "Add what did not work" in mailed()["member_a"].body
    assert mailed()["member_a"].extra_headers["Content-Language"] == "ar"

    forget()
    story_services.story_submit(actor=member_a, story=story)
    story.refresh_from_db()
    task_state = story.current_workflow_state.current_task_state
    capture(task_state.task.specific.on_action, task_state, board, "approve")
    assert told(Kind.STORY_REVIEWED) == {"member_a"}
    assert Notification.objects.get().params["outcome"] == "approved"
    assert set(mailed()) == {"member_a"}


# Packets -----------------------------------------------------------------------------


def test_packet_requester_hears_when_it_is_ready_or_failed(capture, world, monkeypatch):
    from exports import packets
    from exports.services import request_packet

    reviewer = world.reviewers[0]
    export = capture(
        request_packet, actor=reviewer, round_=world.round, language="zh-hans"
    )
    export.refresh_from_db()
    assert export.status == "ready"
    assert told(Kind.PACKET_FINISHED) == {reviewer.username}
    row = Notification.objects.get()
    assert row.params == {"outcome": "ready", "round": world.round.name}
    assert set(mailed()) == {reviewer.username}
    # The person chose no language: the one they asked the packet in.
    assert mailed()[reviewer.username].extra_headers["Content-Language"] == "zh-hans"

    forget()

    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(packets, "round_ranking", broken)
    export = capture(request_packet, actor=reviewer, round_=world.round, language="en")
    export.refresh_from_db()
    assert export.status == "failed"
    assert told(Kind.PACKET_FINISHED) == {reviewer.username}
    assert Notification.objects.get().params["outcome"] == "failed"
    assert set(mailed()) == {reviewer.username}


def test_inactive_people_are_never_told(capture, affiliate_a, admin_a):
    with_address(admin_a)
    second = admin(affiliate_a, "second_admin")
    second.is_active = False
    second.save()
    outsider = with_address(UserFactory(username="asker"))
    capture(
        affiliate_services.membership_request, actor=outsider, affiliate=affiliate_a
    )
    assert told(Kind.JOIN_REQUESTED) == {"admin_a"}
    assert set(mailed()) == {"admin_a"}
