"""Sending: the recipient's language, a verified address, once, retried on failure."""

import smtplib

import pytest
from django.core import mail

from notifications import delivery
from notifications.choices import Delivery, EmailStatus, Kind
from notifications.models import Notification
from notifications.services import notify
from tests.factories import ProposalFactory

from .conftest import with_address

pytestmark = pytest.mark.django_db


def _submitted(recipients, proposal, **kwargs):
    return notify(
        kind=Kind.PROPOSAL_SUBMITTED,
        recipients=recipients,
        target=proposal,
        path=f"/grants/proposals/{proposal.pk}/",
        **kwargs,
    )


def test_email_goes_out_after_commit_in_the_recipients_language(
    admin_a, affiliate_a, django_capture_on_commit_callbacks
):
    with_address(admin_a, "ar")
    proposal = ProposalFactory(affiliate=affiliate_a, title="Ateliers")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _submitted([admin_a], proposal)
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [admin_a.email]
    assert email.extra_headers["Content-Language"] == "ar"
    assert "Ateliers" in email.body and "Ateliers" not in email.subject
    assert f"http://127.0.0.1:8000/ar/grants/proposals/{proposal.pk}/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and 'dir="rtl"' in html
    row = Notification.objects.get()
    assert row.email_status == EmailStatus.SENT and row.email_sent_at


def test_no_verified_address_means_no_email_but_an_inbox_entry(
    admin_a, affiliate_a, django_capture_on_commit_callbacks
):
    proposal = ProposalFactory(affiliate=affiliate_a)
    with django_capture_on_commit_callbacks(execute=True):
        _submitted([admin_a], proposal)
    assert mail.outbox == []
    assert Notification.objects.get().email_status == EmailStatus.NOT_SENT


def test_a_failing_mail_server_is_retried_later_and_never_raises(
    admin_a, affiliate_a, django_capture_on_commit_callbacks, monkeypatch
):
    with_address(admin_a)
    proposal = ProposalFactory(affiliate=affiliate_a)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", refuse
    )
    with django_capture_on_commit_callbacks(execute=True):
        _submitted([admin_a], proposal)
    row = Notification.objects.get()
    assert row.email_status == EmailStatus.FAILED and row.email_attempts == 1
    assert row.email_next_attempt_at is not None
    monkeypatch.undo()
    assert delivery.retry_due() == {}
    delivery.retry_due(now=row.email_next_attempt_at)
    row.refresh_from_db()
    assert row.email_status == EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_a_claimed_row_is_not_sent_by_a_second_run(admin_a, affiliate_a):
    with_address(admin_a)
    proposal = ProposalFactory(affiliate=affiliate_a)
    row = Notification.objects.create(
        recipient=admin_a,
        kind=Kind.PROPOSAL_SUBMITTED,
        target=proposal,
        delivery=Delivery.EMAIL,
    )
    first = delivery.claim(Notification.objects.filter(pk=row.pk))
    second = delivery.claim(Notification.objects.filter(pk=row.pk))
    assert Notification.objects.filter(email_claim=first).count() == 1
    assert Notification.objects.filter(email_claim=second).count() == 0


def test_nothing_is_mailed_about_a_record_the_recipient_can_no_longer_read(
    member_a, affiliate_a, django_capture_on_commit_callbacks
):
    from affiliates.choices import MembershipStatus
    from affiliates.models import Membership
    from grants.choices import ProposalStatus

    with_address(member_a)
    draft = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.DRAFT)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            kind=Kind.PROPOSAL_SENT_BACK,
            recipients=[member_a],
            target=draft,
            params={"reason": "Budget"},
        )
    # Removed from the affiliate before the e-mail leaves.
    Membership.objects.filter(user=member_a).update(status=MembershipStatus.REMOVED)
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert Notification.objects.get().email_status == EmailStatus.WITHHELD


def test_nobody_is_told_about_a_record_they_cannot_read(affiliate_a, affiliate_b):
    from grants.choices import ProposalStatus
    from tests.factories import MembershipFactory

    outsider = MembershipFactory(affiliate=affiliate_b).user
    draft = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.DRAFT)
    assert (
        notify(kind=Kind.PROPOSAL_SENT_BACK, recipients=[outsider], target=draft) == []
    )
    assert not Notification.objects.exists()


def test_the_subject_names_nothing_private_and_the_text_escapes_html(
    admin_a, affiliate_a, django_capture_on_commit_callbacks
):
    with_address(admin_a)
    proposal = ProposalFactory(affiliate=affiliate_a, title="<script>x()</script>")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind=Kind.PROPOSAL_SENT_BACK,
            recipients=[admin_a],
            target=proposal,
            params={"reason": "<img src=x onerror=alert(1)>"},
        )
    email = mail.outbox[0]
    assert "script" not in email.subject and affiliate_a.name not in email.subject
    html, _type = email.alternatives[0]
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
