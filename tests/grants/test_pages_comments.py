"""Community comment pages (grants/views/comments.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.choices import ProposalStatus
from grants.models import ProposalComment
from grants.services import comments as services
from tests.factories import (
    ProposalFactory,
    RoundFactory,
    UserFactory,
    proposal_open_for_comments,
)


@pytest.fixture
def proposal(affiliate_a):
    return proposal_open_for_comments(affiliate_a, title="Workshops in Tamale")


def url(proposal):
    return reverse("grants:comments", args=[proposal.pk])


def comment(proposal, author, body="Will the sessions be recorded?", parent=None):
    return services.comment_create(
        actor=author, proposal=proposal, body=body, parent=parent
    )


def test_visitor_reads_but_cannot_post(client, proposal, outsider):
    # Proposals in community review are visible to people signed in.
    comment(proposal, outsider)
    assert client.get(url(proposal)).status_code == 404
    client.force_login(outsider)
    body = client.get(url(proposal)).content.decode()
    assert "Will the sessions be recorded?" in body
    assert 'name="action" value="comment"' in body


def test_signed_in_person_posts_a_comment(client, proposal, outsider):
    client.force_login(outsider)
    response = client.post(url(proposal), {"action": "comment", "body": "Great plan."})
    assert response.status_code == 302
    posted = ProposalComment.objects.get()
    assert posted.author == outsider and posted.body == "Great plan."
    assert "Great plan." in client.get(url(proposal)).content.decode()


def test_htmx_post_answers_the_thread_partial(client, proposal, outsider):
    client.force_login(outsider)
    response = client.post(
        url(proposal),
        {"action": "comment", "body": "Partial please."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<section") or 'id="comment-thread"' in body
    assert "<html" not in body
    assert "Partial please." in body


def test_empty_comment_keeps_the_form_with_an_error(client, proposal, outsider):
    client.force_login(outsider)
    response = client.post(url(proposal), {"action": "comment", "body": ""})
    assert response.status_code == 400
    assert "field__error" in response.content.decode()
    too_long = "x" * 5001
    response = client.post(url(proposal), {"action": "comment", "body": too_long})
    assert response.status_code == 400
    assert too_long in response.content.decode()
    assert not ProposalComment.objects.exists()


def test_only_the_applicant_replies(client, proposal, outsider, member_a):
    first = comment(proposal, outsider)
    client.force_login(outsider)
    body = client.get(url(proposal)).content.decode()
    assert 'value="reply"' not in body
    data = {"action": "reply", "parent": first.pk, f"reply-{first.pk}-body": "Me too"}
    assert client.post(url(proposal), data).status_code == 403

    client.force_login(member_a)
    body = client.get(url(proposal)).content.decode()
    assert 'value="reply"' in body
    data[f"reply-{first.pk}-body"] = "Yes, every session."
    assert client.post(url(proposal), data).status_code == 302
    reply = ProposalComment.objects.get(parent=first)
    assert reply.author == member_a
    body = client.get(url(proposal)).content.decode()
    assert "Yes, every session." in body and "Reply from the applicant" in body


def test_reply_to_a_comment_of_another_proposal_is_404(
    client, proposal, outsider, member_a, affiliate_a
):
    other = ProposalFactory(
        affiliate=affiliate_a,
        round=proposal.round,
        program=proposal.program,
        status=ProposalStatus.COMMUNITY_REVIEW,
    )
    elsewhere = comment(other, outsider)
    client.force_login(member_a)
    data = {
        "action": "reply",
        "parent": elsewhere.pk,
        f"reply-{elsewhere.pk}-body": "x",
    }
    assert client.post(url(proposal), data).status_code == 404


def test_outside_the_period_read_only(client, proposal, outsider, member_a):
    comment(proposal, outsider)
    proposal.status = ProposalStatus.COMMITTEE_REVIEW
    proposal.save()
    client.force_login(outsider)
    body = client.get(url(proposal)).content.decode()
    assert "Will the sessions be recorded?" in body
    assert "not open for comments" in body
    assert 'value="comment"' not in body
    response = client.post(url(proposal), {"action": "comment", "body": "Late"})
    assert response.status_code == 403
    assert ProposalComment.objects.count() == 1


def test_after_community_stages_the_public_sees_no_comments(
    client, proposal, outsider, member_a
):
    comment(proposal, outsider, body="An early question")
    proposal.status = ProposalStatus.APPROVED
    proposal.save()
    client.force_login(UserFactory(username="someone"))
    assert "An early question" not in client.get(url(proposal)).content.decode()
    client.force_login(member_a)
    assert "An early question" in client.get(url(proposal)).content.decode()


def test_hidden_comments_are_not_shown_to_the_public(client, proposal, outsider, staff):
    bad = comment(proposal, outsider, body="Something rude")
    services.comment_hide(actor=staff, comment=bad, reason="Personal attack")
    client.force_login(UserFactory(username="reader"))
    assert "Something rude" not in client.get(url(proposal)).content.decode()


def test_members_of_an_affiliate_that_hides_them_are_masked(
    client, proposal, outsider, member_a, affiliate_a
):
    affiliate_a.hide_members = True
    affiliate_a.save()
    first = comment(proposal, outsider)
    comment(proposal, member_a, body="We will record them.", parent=first)
    client.force_login(UserFactory(username="reader"))
    body = client.get(url(proposal)).content.decode()
    assert "A member of Wikimedia Ghana Test" in body
    assert "member_a" not in body
    client.force_login(member_a)
    assert "member_a" in client.get(url(proposal)).content.decode()


def test_report_this_comment(client, proposal, outsider):
    first = comment(proposal, outsider)
    reader = UserFactory(username="reader")
    client.force_login(outsider)
    # Nobody reports their own comment.
    assert "Report this comment" not in client.get(url(proposal)).content.decode()
    client.force_login(reader)
    assert "Report this comment" in client.get(url(proposal)).content.decode()
    data = {"action": "report", "comment": first.pk, f"report-{first.pk}-reason": ""}
    response = client.post(url(proposal), data)
    assert response.status_code == 400
    data[f"report-{first.pk}-reason"] = "It names a volunteer's address."
    assert client.post(url(proposal), data).status_code == 302
    report = first.reports.get()
    assert report.reporter == reader and report.status == "open"
    body = client.get(url(proposal)).content.decode()
    assert "You reported this comment" in body
    # A second report by the same person is refused, next to the field.
    client.force_login(reader)
    response = client.post(url(proposal), data)
    assert response.status_code == 403 or response.status_code == 400
    assert first.reports.count() == 1


def test_thread_queries_do_not_grow_with_comments(
    client, proposal, member_a, django_assert_max_num_queries
):
    people = [UserFactory(username=f"p{i}") for i in range(10)]

    def add(n):
        for person in people[:n]:
            parent = comment(proposal, person, body=f"Question from {person}")
            comment(proposal, member_a, body="An answer", parent=parent)

    reader = UserFactory(username="reader")
    client.force_login(reader)
    add(2)
    with django_assert_max_num_queries(40) as two:
        assert client.get(url(proposal)).status_code == 200
    ProposalComment.objects.all().delete()
    add(10)
    with django_assert_max_num_queries(len(two.captured_queries)):
        assert client.get(url(proposal)).status_code == 200


def test_signed_in_people_find_proposals_open_for_comments(
    client, proposal, outsider, affiliate_a
):
    ProposalFactory(affiliate=affiliate_a, title="A draft nobody else reads")
    today = timezone.localdate()
    ended = RoundFactory(
        opens_on=today - datetime.timedelta(40),
        closes_on=today - datetime.timedelta(10),
        comment_period_ends_on=today - datetime.timedelta(1),
    )
    ProposalFactory(
        affiliate=affiliate_a,
        round=ended,
        program=ended.program,
        status=ProposalStatus.COMMUNITY_REVIEW,
        title="Comments closed yesterday",
    )
    client.force_login(outsider)
    html = client.get(reverse("grants:proposals")).content.decode()
    listed = html.split("data-open-for-comments")[1]
    assert "Workshops in Tamale" in listed and url(proposal) in listed
    assert "A draft nobody else reads" not in html
    assert "Comments closed yesterday" not in html
