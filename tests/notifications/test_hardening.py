"""What an adversarial review of the notifications found, held shut: the applicant's
language never reaches outsiders, access that ends stops the messages, a run that
lost its hold writes nothing, the calendar address changes with the account."""

import datetime

import pytest
from allauth.account.signals import password_changed
from django.core import mail
from django.utils import timezone

from accounts.services import profile_for
from affiliates.choices import MembershipStatus
from affiliates.models import Membership
from grants.services import comments as comment_services
from notifications import delivery
from notifications.calendar import escape_text
from notifications.choices import Delivery, EmailStatus, Kind
from notifications.models import Notification
from notifications.services import calendar_feed_for, notify
from tests.factories import (
    MembershipFactory,
    proposal_open_for_comments,
)

from .conftest import with_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_proposal(affiliate_a):
    return proposal_open_for_comments(affiliate_a)


def test_a_reply_to_an_outsider_is_not_in_the_applicants_language(
    affiliate_a, admin_a, outsider, open_proposal, django_capture_on_commit_callbacks
):
    affiliate_a.working_languages = ["fr"]
    affiliate_a.save()
    with_address(outsider)
    question = comment_services.comment_create(
        actor=outsider, proposal=open_proposal, body="Why?"
    )
    with django_capture_on_commit_callbacks(execute=True):
        comment_services.comment_create(
            actor=admin_a, proposal=open_proposal, body="Because.", parent=question
        )
    reply = Notification.objects.get(kind=Kind.COMMENT_REPLY)
    assert reply.recipient == outsider and reply.fallback_language == ""
    assert mail.outbox[0].extra_headers["Content-Language"] == "en"


def test_a_deactivated_account_gets_no_more_e_mail(
    member_a, open_proposal, django_capture_on_commit_callbacks
):
    with_address(member_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(kind=Kind.PROPOSAL_FUNDED, recipients=[member_a], target=open_proposal)
    member_a.is_active = False
    member_a.save()
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert Notification.objects.get().email_status == EmailStatus.WITHHELD


def test_what_was_said_to_the_applicant_stays_with_its_members(
    member_a, open_proposal, django_capture_on_commit_callbacks
):
    """The proposal is public in community review; the staff's reason to the
    applicant is not, and a removed member stops reading it."""
    with_address(member_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            kind=Kind.PROPOSAL_SENT_BACK,
            recipients=[member_a],
            target=open_proposal,
            params={"reason": "The budget is for a different project."},
        )
    Membership.objects.filter(user=member_a).update(status=MembershipStatus.REMOVED)
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert Notification.objects.get().email_status == EmailStatus.WITHHELD


def test_a_scoring_reminder_is_withheld_once_the_reviewer_is_recused(
    staff, affiliate_a, django_capture_on_commit_callbacks
):
    from tests.grants.conftest import ReviewWorld

    world = ReviewWorld(staff, affiliate_a)
    reviewer = with_address(world.reviewers[0])
    world.prepare(reviewer)
    Notification.objects.all().delete()  # the assignment's own notice
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            kind=Kind.SCORING_DUE,
            recipients=[reviewer],
            target=world.proposal,
            params={"due": "2030-01-01", "days": 1},
        )
    assert Notification.objects.count() == 1  # readable while the assignment stands
    MembershipFactory(
        user=reviewer, affiliate=affiliate_a, status=MembershipStatus.PENDING
    )
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert Notification.objects.get().email_status == EmailStatus.WITHHELD


def test_a_run_that_lost_its_hold_writes_nothing(admin_a, open_proposal):
    """A slow run whose claim timed out and was taken over does not overwrite what
    the run now holding the row records."""
    with_address(admin_a)
    row = Notification.objects.create(
        recipient=admin_a,
        kind=Kind.PROPOSAL_SUBMITTED,
        target=open_proposal,
        delivery=Delivery.EMAIL,
    )
    now = timezone.now()
    slow = delivery.claim(Notification.objects.filter(pk=row.pk), now)
    later = now + delivery.CLAIM_TIMEOUT + datetime.timedelta(seconds=1)
    fast = delivery.claim(Notification.objects.filter(pk=row.pk), later)
    assert Notification.objects.get().email_claim == fast
    delivery._flush(slow, {EmailStatus.SENT: [row.pk]}, [], later)
    row.refresh_from_db()
    assert row.email_status == EmailStatus.SENDING and row.email_claim == fast


def test_outcomes_are_written_as_the_run_goes(admin_a, open_proposal, monkeypatch):
    """Rows sent are marked sent every few e-mails, not only at the end: a worker
    killed half-way does not have them all sent again."""
    with_address(admin_a)
    monkeypatch.setattr(delivery, "FLUSH_EVERY", 2)
    rows = [
        Notification.objects.create(
            recipient=admin_a,
            kind=Kind.PROPOSAL_SUBMITTED,
            target=open_proposal,
            delivery=Delivery.EMAIL,
        )
        for _ in range(3)
    ]
    seen = []
    original = mail.backends.locmem.EmailBackend.send_messages

    def send_and_look(self, messages):
        seen.append(Notification.objects.filter(email_status=EmailStatus.SENT).count())
        return original(self, messages)

    monkeypatch.setattr(
        mail.backends.locmem.EmailBackend, "send_messages", send_and_look
    )
    delivery.send_now([row.pk for row in rows])
    assert seen == [0, 0, 2]
    assert Notification.objects.filter(email_status=EmailStatus.SENT).count() == 3


def test_a_message_that_cannot_be_built_does_not_block_the_others(
    admin_a, open_proposal, monkeypatch
):
    with_address(admin_a)
    good, bad = (
        Notification.objects.create(
            recipient=admin_a, kind=kind, target=open_proposal, delivery=Delivery.EMAIL
        )
        for kind in (Kind.PROPOSAL_SUBMITTED, Kind.PROPOSAL_FUNDED)
    )
    real_render = delivery.render

    def render(notification, language):
        if notification.pk == bad.pk:
            raise RuntimeError("broken template")
        return real_render(notification, language)

    monkeypatch.setattr(delivery, "render", render)
    delivery.send_now([good.pk, bad.pk])
    statuses = dict(Notification.objects.values_list("pk", "email_status"))
    # One e-mail per row: the good one leaves; the bad one is given up, not retried.
    assert statuses == {good.pk: EmailStatus.SENT, bad.pk: EmailStatus.GAVE_UP}


def test_a_join_request_names_the_person_as_they_are_shown_now(
    client, admin_a, affiliate_a, outsider
):
    from affiliates.services import membership_request

    membership_request(actor=outsider, affiliate=affiliate_a, message="Hello")
    profile = profile_for(outsider)
    profile.public_name = "River"
    profile.save()
    client.force_login(admin_a)
    page = client.get("/notifications/").content.decode()
    assert "River" in page and "outsider asks" not in page


def test_a_password_change_gives_the_calendar_a_new_address(member_a):
    old = calendar_feed_for(member_a).key
    password_changed.send(sender=member_a.__class__, request=None, user=member_a)
    assert calendar_feed_for(member_a).key != old


def test_calendar_text_drops_control_characters():
    assert escape_text("a\x00b\x0bc\x1bd\u2028e; f, g") == "abcd\\ne\\; f\\, g"
