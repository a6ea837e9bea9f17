"""Reports of comments and their moderation by staff (services and the admin)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from grants.choices import ProposalStatus
from grants.models import CommentReport, CommentReportStatus
from grants.services import comments as services
from portal import limits
from portal.exceptions import TransitionNotAllowed
from tests.factories import (
    UserFactory,
    proposal_open_for_comments,
    with_two_factor,
)


@pytest.fixture
def proposal(affiliate_a):
    return proposal_open_for_comments(affiliate_a)


@pytest.fixture
def rude(proposal, outsider):
    return services.comment_create(
        actor=outsider, proposal=proposal, body="Something rude"
    )


@pytest.fixture
def reader(db):
    return UserFactory(username="reader")


def test_one_open_report_per_person_and_comment(rude, reader):
    services.comment_report(actor=reader, comment=rude, reason="Insulting")
    with pytest.raises(ValidationError) as error:
        services.comment_report(actor=reader, comment=rude, reason="Again")
    assert "reason" in error.value.message_dict
    assert CommentReport.objects.count() == 1


def test_reason_is_required_and_limited(rude, reader):
    with pytest.raises(ValidationError):
        services.comment_report(actor=reader, comment=rude, reason="  ")
    with pytest.raises(ValidationError):
        services.comment_report(
            actor=reader, comment=rude, reason="x" * (limits.MESSAGE + 1)
        )


def test_no_reporting_own_or_unseen_comments(rude, outsider, proposal, reader):
    with pytest.raises(PermissionDenied):
        services.comment_report(actor=outsider, comment=rude, reason="Mine")
    proposal.status = ProposalStatus.DRAFT  # no longer visible to the public
    proposal.save()
    with pytest.raises(PermissionDenied):
        services.comment_report(actor=reader, comment=rude, reason="Bad")


def test_reports_a_day_are_limited(proposal, outsider, reader):
    comments = [
        services.comment_create(actor=outsider, proposal=proposal, body=f"c{i}")
        for i in range(limits.COMMENT_REPORTS_PER_DAY + 1)
    ]
    for c in comments[:-1]:
        services.comment_report(actor=reader, comment=c, reason="Spam")
    with pytest.raises(ValidationError) as error:
        services.comment_report(actor=reader, comment=comments[-1], reason="Spam")
    assert "tomorrow" in str(error.value)


def test_staff_hide_closes_every_open_report(rude, reader, staff):
    first = services.comment_report(actor=reader, comment=rude, reason="Insulting")
    other = services.comment_report(
        actor=UserFactory(username="other"), comment=rude, reason="Rude"
    )
    with pytest.raises(ValidationError):
        services.comment_report_hide(actor=staff, report=first, reason="")
    services.comment_report_hide(actor=staff, report=first, reason="Personal attack")
    rude.refresh_from_db()
    assert rude.is_hidden
    assert rude.history.first().history_change_reason == "Personal attack"
    for report in (first, other):
        report.refresh_from_db()
        assert report.status == CommentReportStatus.COMMENT_HIDDEN
        assert report.handled_by == staff and report.handled_at
        assert report.outcome == "Personal attack"
    with pytest.raises(TransitionNotAllowed):
        services.comment_report_dismiss(actor=staff, report=first, reason="Oops")


def test_staff_dismiss_keeps_the_comment(rude, reader, staff):
    report = services.comment_report(actor=reader, comment=rude, reason="I disagree")
    services.comment_report_dismiss(
        actor=staff, report=report, reason="Disagreement is fine"
    )
    report.refresh_from_db()
    rude.refresh_from_db()
    assert report.status == CommentReportStatus.DISMISSED
    assert not rude.is_hidden
    assert report.history.first().history_change_reason == "Disagreement is fine"
    # Dismissed: the person may report it again.
    services.comment_report(actor=reader, comment=rude, reason="Now worse")


def test_only_staff_moderate(rude, reader, member_a):
    report = services.comment_report(actor=reader, comment=rude, reason="Insulting")
    for who in (reader, member_a):
        with pytest.raises(PermissionDenied):
            services.comment_report_hide(actor=who, report=report, reason="x")
        with pytest.raises(PermissionDenied):
            services.comment_report_dismiss(actor=who, report=report, reason="x")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_admin_lists_open_reports_and_hides_with_a_reason(
    client, rude, reader, superuser
):
    with_two_factor(superuser)  # staff reach the admin with two-factor only
    report = services.comment_report(actor=reader, comment=rude, reason="Insulting")
    dismissed = services.comment_report(
        actor=UserFactory(username="x"), comment=rude, reason="Meh"
    )
    services.comment_report_dismiss(actor=superuser, report=dismissed, reason="Fine")
    client.force_login(superuser)
    changelist = reverse("admin:grants_commentreport_changelist")
    response = client.get(changelist)
    assert response.status_code == 200, response
    body = response.content.decode()
    assert "Insulting" in body and "Meh" not in body
    # The action asks for a reason first.
    data = {"action": "hide_comment", "_selected_action": [report.pk]}
    response = client.post(changelist, data)
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    data.update({"apply": "1", "reason": "Personal attack"})
    response = client.post(changelist, data)
    assert response.status_code == 302
    report.refresh_from_db()
    rude.refresh_from_db()
    assert report.status == CommentReportStatus.COMMENT_HIDDEN and rude.is_hidden


def test_admin_dismiss(client, rude, reader, superuser):
    with_two_factor(superuser)
    report = services.comment_report(actor=reader, comment=rude, reason="Insulting")
    client.force_login(superuser)
    changelist = reverse("admin:grants_commentreport_changelist")
    data = {
        "action": "dismiss",
        "_selected_action": [report.pk],
        "apply": "1",
        "reason": "Not abusive",
    }
    assert client.post(changelist, data).status_code == 302
    report.refresh_from_db()
    assert report.status == CommentReportStatus.DISMISSED
    assert report.outcome == "Not abusive"
