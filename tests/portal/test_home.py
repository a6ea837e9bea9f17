"""The signed-in home: what needs this person now, in constant queries."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from affiliates.choices import MembershipStatus
from grants.choices import ProposalStatus
from grants.models import GrantReport, ProposalComment
from tests.factories import (
    AffiliateReportFactory,
    MembershipFactory,
    ProposalFactory,
    UserFactory,
)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_visitors_are_sent_to_sign_in_and_keep_the_public_home(client, db):
    response = client.get("/home/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    response = client.get("/ar/home/")
    assert "/ar/accounts/login/" in response["Location"]


def test_sign_in_lands_on_home(client, db):
    from allauth.account.models import EmailAddress

    user = UserFactory(username="mara")
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    response = client.post(
        "/accounts/login/", {"login": "mara", "password": "pass-for-tests"}
    )
    assert response["Location"] == "/home/"


def test_empty_states_for_someone_new(outsider):
    html = signed_in(outsider).get("/home/").content.decode()
    for text in (
        "No drafts in progress.",
        "No reports are due.",
        "No new comments.",
        "No stories are waiting for changes.",
        "You are not a member of an affiliate yet.",
        "No requests to join right now.",
    ):
        assert text in html
    assert "Join requests waiting for you" not in html


def _world(affiliate, admin):
    draft = ProposalFactory(affiliate=affiliate, title="Draft for the museum")
    funded = ProposalFactory(
        affiliate=affiliate, status=ProposalStatus.REPORTING, title="Oral histories"
    )
    today = timezone.localdate()
    GrantReport.objects.create(
        proposal=funded, kind="final", due_date=today + datetime.timedelta(20)
    )
    AffiliateReportFactory(
        affiliate=affiliate, fiscal_year=2025, due_date=today - datetime.timedelta(3)
    )
    commenter = UserFactory(username="commenter")
    community = ProposalFactory(
        affiliate=affiliate, status=ProposalStatus.COMMUNITY_REVIEW, title="Open call"
    )
    ProposalComment.objects.create(
        proposal=community, author=commenter, body="How will you follow up?"
    )
    MembershipFactory(
        user=UserFactory(username="newcomer"),
        affiliate=affiliate,
        status=MembershipStatus.PENDING,
    )
    return draft


def test_home_lists_what_needs_the_admin(affiliate_a, admin_a):
    draft = _world(affiliate_a, admin_a)
    html = signed_in(admin_a).get("/home/").content.decode()
    assert reverse("grants:proposal_edit", args=[draft.pk, "basics"]) in html
    assert "Final report" in html or "final" in html.lower()
    assert "fiscal year 2025" in html
    assert "past due" in html  # what happens if late
    assert "Late" in html  # the annual report is overdue
    assert "How will you follow up?" in html
    assert reverse("grants:comments", args=[draft.pk + 2]) in html
    assert "newcomer" in html
    assert reverse("affiliates:requests", args=[affiliate_a.slug]) in html
    assert reverse("affiliates:dashboard", args=[affiliate_a.slug]) in html


def test_home_shows_nothing_of_other_affiliates(affiliate_a, admin_a, member_b):
    _world(affiliate_a, admin_a)
    html = signed_in(member_b).get("/home/").content.decode()
    assert "Draft for the museum" not in html
    assert "How will you follow up?" not in html
    assert "newcomer" not in html


def test_plain_member_does_not_get_join_requests(affiliate_a, admin_a, member_a):
    _world(affiliate_a, admin_a)
    html = signed_in(member_a).get("/home/").content.decode()
    assert "Draft for the museum" in html
    assert "newcomer" not in html


def test_story_sent_back_is_listed_with_the_boards_comment(affiliate_a, member_a):
    from django.contrib.auth.models import Group

    from cms.services import story_create, story_submit
    from cms.site import EDITORIAL_BOARD, setup_site

    setup_site()
    board = UserFactory(username="editor")
    board.groups.add(Group.objects.get(name=EDITORIAL_BOARD))
    story = story_create(
        actor=member_a,
        affiliate=affiliate_a,
        locale="en",
        title="Keeping new editors",
        summary="Follow-up after workshops.",
        region="ssa",
        date=datetime.date(2026, 5, 1),
        original_language="en",
    )
    story_submit(actor=member_a, story=story)
    task_state = story.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, board, "reject", comment="Add data.")
    html = signed_in(member_a).get("/home/").content.decode()
    assert reverse("cms:story_edit", args=[story.pk]) in html
    assert "Add data." in html


def test_arabic_home(affiliate_a, admin_a):
    _world(affiliate_a, admin_a)
    response = signed_in(admin_a).get("/ar/home/")
    assert response.status_code == 200
    assert b'dir="rtl"' in response.content


@pytest.mark.django_db
def test_home_queries_do_not_grow_with_rows(
    affiliate_a, admin_a, django_assert_max_num_queries
):
    _world(affiliate_a, admin_a)
    client = signed_in(admin_a)
    with django_assert_max_num_queries(30) as few:
        client.get("/home/")
    for i in range(4):
        ProposalFactory(affiliate=affiliate_a, title=f"Another draft {i}")
        MembershipFactory(affiliate=affiliate_a, status=MembershipStatus.PENDING)
        community = ProposalFactory(
            affiliate=affiliate_a, status=ProposalStatus.COMMUNITY_REVIEW
        )
        ProposalComment.objects.create(
            proposal=community, author=UserFactory(), body=f"Question {i}"
        )
        AffiliateReportFactory(affiliate=affiliate_a, fiscal_year=2020 + i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/home/")
    assert response.content.count(b"Another draft") == 4
