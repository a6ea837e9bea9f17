"""Through Django's real SMTP backend to a mail server started by the test."""

import email
import socket

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from notifications.choices import EmailStatus, Kind
from notifications.models import Notification
from notifications.services import notify
from tests.factories import ProposalFactory

from .conftest import with_address

pytestmark = pytest.mark.django_db


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses one address."""

    refused = "bounce@example.org"

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=controller.port,
        EMAIL_USE_TLS=False,
        EMAIL_TIMEOUT=5,
    ):
        yield handler
    controller.stop()


def _notify(user, proposal):
    return notify(
        kind=Kind.PROPOSAL_SUBMITTED,
        recipients=[user],
        target=proposal,
        path=f"/grants/proposals/{proposal.pk}/",
    )


def test_a_notification_travels_over_smtp_in_the_recipients_language(
    smtp_server, admin_a, affiliate_a, django_capture_on_commit_callbacks
):
    with_address(admin_a, "zh-hans")
    proposal = ProposalFactory(affiliate=affiliate_a)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(admin_a, proposal)
    assert len(smtp_server.messages) == 1
    recipients, content = smtp_server.messages[0]
    assert recipients == [admin_a.email]
    message = email.message_from_bytes(content)
    assert message["Content-Language"] == "zh-hans"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.walk()]
    assert "text/plain" in parts and "text/html" in parts
    assert Notification.objects.get().email_status == EmailStatus.SENT


def test_a_refused_address_is_given_up_without_breaking_the_others(
    smtp_server, admin_a, member_a, affiliate_a, django_capture_on_commit_callbacks
):
    with_address(admin_a)
    member_a.email = Inbox.refused
    member_a.save()
    with_address(member_a)
    proposal = ProposalFactory(affiliate=affiliate_a)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            kind=Kind.PROPOSAL_FUNDED,
            recipients=[member_a, admin_a],
            target=proposal,
            path="/",
        )
    statuses = dict(
        Notification.objects.values_list("recipient__username", "email_status")
    )
    assert statuses == {"member_a": EmailStatus.GAVE_UP, "admin_a": EmailStatus.SENT}
    assert [rcpt for rcpt, _content in smtp_server.messages] == [[admin_a.email]]


def test_an_unreachable_server_leaves_the_email_to_retry(
    admin_a, affiliate_a, django_capture_on_commit_callbacks
):
    with_address(admin_a)
    proposal = ProposalFactory(affiliate=affiliate_a)
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=_free_port(),
            EMAIL_TIMEOUT=2,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _notify(admin_a, proposal)
    row = Notification.objects.get()
    assert row.email_status == EmailStatus.FAILED
    assert "ConnectionRefused" in row.email_error
