"""Staff pages: work inbox, eligibility check, reviewer assignment (one by one and in
bulk with a preview), round set-up and moderation (grants/views/staff*.py)."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from affiliates.choices import AffiliateReportStatus, MembershipStatus
from grants.choices import GrantReportStatus, ProposalStatus
from grants.models import (
    CommentReport,
    GrantReport,
    Proposal,
    ProposalComment,
    ProposalDeclaration,
    ReviewerAssignment,
    Round,
)
from grants.services import comments as comment_services
from grants.services import committees as committee_services
from portal.versions import record_version
from tests.factories import (
    AffiliateFactory,
    AffiliateReportFactory,
    MembershipFactory,
    ProposalFactory,
    RubricFactory,
    UserFactory,
    with_two_factor,
)

TODAY = timezone.localdate


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture
def staff2fa(staff):
    with_two_factor(staff)
    return staff


@pytest.fixture
def seated(world):
    """A committee member (not assigned), a reviewer (assigned) and a recused
    reviewer (declared a conflict), with two-factor."""
    for user in world.reviewers:
        with_two_factor(user)
    committee_services.assignment_create(
        actor=world.staff, proposal=world.proposal, reviewer=world.reviewers[1]
    )
    world.prepare(world.reviewers[2], conflict=True)
    return {
        "committee_member": world.reviewers[0],
        "reviewer": world.reviewers[1],
        "recused_reviewer": world.reviewers[2],
    }


@pytest.fixture
def submitted(world, affiliate_a):
    return ProposalFactory(
        affiliate=affiliate_a,
        round=world.round,
        program=world.round.program,
        status=ProposalStatus.SUBMITTED,
        submitted_at=timezone.now() - days(3),
        title="Village workshops",
    )


def signed_in(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page_urls(world, submitted):
    return {
        "inbox": reverse("grants:staff_inbox"),
        "eligibility": reverse("grants:staff_eligibility", args=[submitted.pk]),
        "assign": reverse("grants:staff_assign", args=[submitted.pk]),
        "rounds": reverse("grants:staff_rounds"),
        "round_new": reverse("grants:staff_round_new"),
        "round_edit": reverse("grants:staff_round_edit", args=[world.round.pk]),
        "bulk": reverse("grants:staff_bulk_assign", args=[world.round.pk]),
        "moderation": reverse("grants:staff_moderation"),
    }


# Who gets what -----------------------------------------------------------------------

# A submitted proposal is seen by staff and its affiliate only: others get 404 on
# its pages; pages without a hidden object answer 403 to everyone but staff.
PROPOSAL_PAGES = {"eligibility", "assign"}
EXPECTED = {
    "committee_member": {"proposal": 404, "other": 403},
    "reviewer": {"proposal": 404, "other": 403},
    "recused_reviewer": {"proposal": 404, "other": 403},
    "admin_a": {"proposal": 403, "other": 403},
    "outsider": {"proposal": 404, "other": 403},
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_only_staff_open_the_staff_pages(request, who, world, seated, submitted):
    user = seated.get(who) or request.getfixturevalue(who)
    client = signed_in(user)
    for name, url in page_urls(world, submitted).items():
        kind = "proposal" if name in PROPOSAL_PAGES else "other"
        assert client.get(url).status_code == EXPECTED[who][kind], name
    # Nor may they post.
    post = reverse("grants:staff_eligibility", args=[submitted.pk])
    assert client.post(post, {"step": "send_back"}).status_code in {403, 404}
    assert Proposal.objects.get(pk=submitted.pk).status == ProposalStatus.SUBMITTED


def test_visitor_is_sent_to_sign_in(world, submitted):
    client = Client()
    for name, url in page_urls(world, submitted).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert "/accounts/login/" in response["Location"]


def test_staff_open_every_page_and_see_the_menu_item(staff2fa, world, submitted):
    client = signed_in(staff2fa)
    for name, url in page_urls(world, submitted).items():
        assert client.get(url).status_code == 200, name
    body = client.get(reverse("grants:staff_inbox")).content.decode()
    assert "Staff inbox" in body


def test_others_have_no_staff_menu_item(client, admin_a, affiliate_a):
    client.force_login(admin_a)
    body = client.get(reverse("grants:proposals")).content.decode()
    assert "Staff inbox" not in body
    assert reverse("grants:staff_inbox") not in body


# The inbox ---------------------------------------------------------------------------


def fill_inbox(world, affiliate, n: int):
    """n items in every section of the inbox."""
    ended = world.round  # comments ended 5 days ago, scoring deadline ahead
    late = Round.objects.create(
        program=world.round.program,
        name=f"Late round {n}",
        opens_on=TODAY() - days(90),
        closes_on=TODAY() - days(60),
        comment_period_ends_on=TODAY() - days(40),
        scoring_deadline=TODAY() - days(2),
        committee=world.committee,
        rubric=world.rubric,
    )
    reviewer = world.reviewers[2]
    for i in range(n):
        ProposalFactory(
            affiliate=affiliate,
            round=ended,
            program=ended.program,
            status=ProposalStatus.SUBMITTED,
            submitted_at=timezone.now() - days(i + 1),
        )
        ProposalFactory(
            affiliate=affiliate,
            round=ended,
            program=ended.program,
            status=ProposalStatus.COMMUNITY_REVIEW,
        )
        overdue = ProposalFactory(
            affiliate=affiliate,
            round=late,
            program=late.program,
            status=ProposalStatus.COMMITTEE_REVIEW,
        )
        ReviewerAssignment.objects.create(
            proposal=overdue, reviewer=reviewer, assigned_by=world.staff
        )
        funded = ProposalFactory(affiliate=affiliate, status=ProposalStatus.REPORTING)
        GrantReport.objects.create(
            proposal=funded,
            kind="final",
            due_date=TODAY(),
            status=GrantReportStatus.SUBMITTED,
            submitted_at=timezone.now() - days(i),
        )
        other = AffiliateFactory()
        AffiliateReportFactory(
            affiliate=other,
            status=AffiliateReportStatus.SUBMITTED,
            submitted_at=timezone.now() - days(i),
        )
        MembershipFactory(
            affiliate=other,
            status=MembershipStatus.PENDING,
            requested_at=timezone.now() - days(8 + i),
        )


def test_inbox_lists_every_section_oldest_first_with_links(
    staff2fa, world, affiliate_a
):
    fill_inbox(world, affiliate_a, 2)
    body = signed_in(staff2fa).get(reverse("grants:staff_inbox")).content.decode()
    for title in [
        "Submissions waiting for the eligibility check",
        "Rounds whose comment period ended",
        "Overdue reviews",
        "Grant reports waiting for acceptance",
        "Annual reports waiting for acceptance",
        "Join requests waiting more than a week",
    ]:
        assert title in body
    oldest = Proposal.objects.filter(status=ProposalStatus.SUBMITTED).earliest(
        "submitted_at"
    )
    newest = Proposal.objects.filter(status=ProposalStatus.SUBMITTED).latest(
        "submitted_at"
    )
    first = body.index(reverse("grants:staff_eligibility", args=[oldest.pk]))
    assert first < body.index(reverse("grants:staff_eligibility", args=[newest.pk]))
    assert "2 proposals still in community review" in body
    report = GrantReport.objects.first()
    assert reverse("grants:report", args=[report.pk]) in body
    assert "/annual-reports/" in body
    assert "/requests/" in body


def test_inbox_query_count_does_not_grow(
    staff2fa, world, affiliate_a, django_assert_max_num_queries
):
    fill_inbox(world, affiliate_a, 2)
    client = signed_in(staff2fa)
    url = reverse("grants:staff_inbox")
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    fill_inbox(world, affiliate_a, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert "The 5 oldest of 10." in body


def test_a_submitted_review_is_not_overdue(staff2fa, world):
    world.review(world.reviewers[0], [4, 4, 4])
    world.round.scoring_deadline = TODAY() - days(1)
    world.round.save()
    body = signed_in(staff2fa).get(reverse("grants:staff_inbox")).content.decode()
    assert "No review is overdue." in body


# Eligibility -------------------------------------------------------------------------


def eligibility_url(proposal):
    return reverse("grants:staff_eligibility", args=[proposal.pk])


def test_eligibility_page_shows_checklist_compliance_and_allowed_steps(
    staff2fa, submitted
):
    body = signed_in(staff2fa).get(eligibility_url(submitted)).content.decode()
    assert "Every required report is in on time." in body
    assert "Budget lines" in body and "Present" in body
    assert 'value="start_eligibility_check"' in body
    assert 'value="send_back"' in body
    assert 'value="start_community_review"' not in body  # not from "submitted"


def test_eligibility_steps_go_through_the_service_with_the_checklist(
    staff2fa, submitted
):
    client = signed_in(staff2fa)
    response = client.post(
        eligibility_url(submitted),
        {"step": "start_eligibility_check", "version": record_version(submitted)},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.ELIGIBILITY_CHECK
    response = client.post(
        eligibility_url(submitted),
        {
            "step": "start_community_review",
            "version": record_version(submitted),
            "documents": "yes",
            "bank_details": "yes",
            "reason": "All papers in order.",
        },
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.COMMUNITY_REVIEW
    entry = submitted.history.first()
    assert entry.history_user == staff2fa
    assert "All papers in order." in entry.history_change_reason
    assert "documents complete: yes" in entry.history_change_reason
    assert "bank details confirmed: yes" in entry.history_change_reason
    assert "Compliant" in entry.history_change_reason


def test_send_back_needs_a_reason_and_keeps_the_answers(staff2fa, submitted):
    response = signed_in(staff2fa).post(
        eligibility_url(submitted),
        {
            "step": "send_back",
            "version": record_version(submitted),
            "documents": "no",
            "bank_details": "yes",
            "reason": "   ",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tell the applicant what to revise." in body
    assert "field__error" in body
    assert re.search(r'<input[^>]*name="documents"[^>]*value="no"[^>]*checked', body)
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.SUBMITTED


def test_send_back_with_reason(staff2fa, submitted):
    response = signed_in(staff2fa).post(
        eligibility_url(submitted),
        {
            "step": "send_back",
            "version": record_version(submitted),
            "documents": "no",
            "reason": "Attach the signed budget.",
        },
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ProposalStatus.DRAFT
    assert (
        "Attach the signed budget." in submitted.history.first().history_change_reason
    )


def test_a_step_the_state_does_not_allow_is_refused_in_words(staff2fa, submitted):
    response = signed_in(staff2fa).post(
        eligibility_url(submitted),
        {"step": "start_committee_review", "version": record_version(submitted)},
    )
    assert response.status_code == 409
    assert "This step is not possible now" in response.content.decode()


def test_a_stale_version_is_refused(staff2fa, submitted, admin_a):
    old = record_version(submitted)
    from grants.services import proposals as proposal_services

    proposal_services.proposal_start_eligibility_check(
        actor=staff2fa, proposal=submitted
    )
    response = signed_in(staff2fa).post(
        eligibility_url(submitted),
        {"step": "send_back", "version": old, "reason": "Typed for long"},
    )
    assert response.status_code == 412
    assert "Typed for long" in response.content.decode()


# One reviewer at a time --------------------------------------------------------------


def assign_url(proposal):
    return reverse("grants:staff_assign", args=[proposal.pk])


def test_assign_page_says_why_someone_cannot_be_assigned(staff2fa, world):
    ProposalDeclaration.objects.create(
        user=world.reviewers[0],
        proposal=world.proposal,
        has_conflict=True,
        conflict_type="family",
        explanation="Cousin",
    )
    client = signed_in(staff2fa)
    body = client.get(assign_url(world.proposal)).content.decode()
    assert "This person is recused from this proposal." in body
    response = client.post(
        assign_url(world.proposal), {"reviewer": world.reviewers[0].pk}
    )
    assert response.status_code == 400
    assert "This person is recused from this proposal." in response.content.decode()
    assert not ReviewerAssignment.objects.filter(reviewer=world.reviewers[0]).exists()


def test_assign_one_reviewer_through_the_service(staff2fa, world):
    response = signed_in(staff2fa).post(
        assign_url(world.proposal),
        {"reviewer": world.reviewers[2].pk, "reason": "Speaks the language"},
    )
    assert response.status_code == 302
    assignment = ReviewerAssignment.objects.get(reviewer=world.reviewers[2])
    assert assignment.assigned_by == staff2fa
    assert assignment.history.first().history_change_reason == "Speaks the language"


def test_assign_refuses_someone_off_the_committee(staff2fa, world, outsider):
    response = signed_in(staff2fa).post(
        assign_url(world.proposal), {"reviewer": outsider.pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


# Bulk assignment ---------------------------------------------------------------------


def bulk_url(round_):
    return reverse("grants:staff_bulk_assign", args=[round_.pk])


def test_plan_is_a_pure_function():
    plan = committee_services.plan_assignments(
        proposal_ids=[1, 2],
        seats=[(10, 100), (11, 101), (12, 102)],
        load={100: 2},
        assigned={(2, 101)},
        recused={(1, 101)},
        reviewers_per_proposal=2,
    )
    assert plan == [(1, 102), (1, 100), (2, 102)]


def test_bulk_preview_saves_nothing_and_the_save_matches_it(
    staff2fa, world, affiliate_a, affiliate_b
):
    for _ in range(3):
        world.new_proposal(affiliate_b)
    conflicted = world.reviewers[0]
    MembershipFactory(user=conflicted, affiliate=affiliate_a)  # the applicant
    client = signed_in(staff2fa)
    response = client.get(bulk_url(world.round), {"reviewers_per_proposal": 2})
    assert response.status_code == 200
    assert ReviewerAssignment.objects.count() == 0
    preview = response.context["preview"]
    assert len(preview["plan"]) == 8
    assert (world.proposal.pk, conflicted.pk) not in preview["plan"]
    assert "Save 8 assignments" in response.content.decode()
    response = client.post(
        bulk_url(world.round),
        {
            "save-reviewers_per_proposal": 2,
            "save-digest": preview["digest"],
            "save-reason": "First pass",
        },
    )
    assert response.status_code == 302
    saved = set(ReviewerAssignment.objects.values_list("proposal_id", "reviewer_id"))
    assert saved == set(preview["plan"])
    assert (world.proposal.pk, conflicted.pk) not in saved
    entry = ReviewerAssignment.history.first()
    assert entry.history_change_reason == "First pass"
    assert entry.history_user == staff2fa


def test_bulk_save_refuses_when_the_plan_changed(staff2fa, world):
    client = signed_in(staff2fa)
    preview = client.get(bulk_url(world.round), {"reviewers_per_proposal": 2}).context[
        "preview"
    ]
    # Meanwhile someone assigns one reviewer by hand.
    committee_services.assignment_create(
        actor=staff2fa, proposal=world.proposal, reviewer=world.reviewers[3]
    )
    response = client.post(
        bulk_url(world.round),
        {
            "save-reviewers_per_proposal": 2,
            "save-digest": preview["digest"],
            "save-reason": "",
        },
    )
    assert response.status_code == 409
    assert "changed since the preview" in response.content.decode()
    assert ReviewerAssignment.objects.count() == 1


def test_bulk_bad_number_is_kept_with_its_error(staff2fa, world):
    response = signed_in(staff2fa).get(
        bulk_url(world.round), {"reviewers_per_proposal": "0"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="0"' in body and "field__error" in body


def test_bulk_preview_query_count_does_not_grow(
    staff2fa, world, affiliate_b, django_assert_max_num_queries
):
    client = signed_in(staff2fa)
    world.new_proposal(affiliate_b)
    client.get(bulk_url(world.round), {"reviewers_per_proposal": 2})
    with django_assert_max_num_queries(30) as few:
        client.get(bulk_url(world.round), {"reviewers_per_proposal": 2})
    for _ in range(8):
        world.new_proposal(affiliate_b)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(bulk_url(world.round), {"reviewers_per_proposal": 2})
    assert len(response.context["preview"]["rows"]) == 10


# Round set-up ------------------------------------------------------------------------


def round_data(world, **extra):
    data = {
        "program": world.rubric.program.pk,
        "name": "Spring round",
        "opens_on": (TODAY() + days(1)).isoformat(),
        "closes_on": (TODAY() + days(30)).isoformat(),
        "comment_period_ends_on": (TODAY() + days(45)).isoformat(),
        "scoring_deadline": (TODAY() + days(60)).isoformat(),
        "committee": world.committee.pk,
        "rubric": "",
        "min_reviews": "3",
        "reason": "Spring call",
    }
    data.update(extra)
    return data


def test_set_up_a_round_freezes_the_programs_rubric(staff2fa, world):
    newer = RubricFactory(program=world.rubric.program, version=2)
    response = signed_in(staff2fa).post(
        reverse("grants:staff_round_new"), round_data(world)
    )
    assert response.status_code == 302
    round_ = Round.objects.get(name="Spring round")
    assert round_.rubric == newer
    assert round_.history.first().history_change_reason == "Spring call"
    body = signed_in(staff2fa).get(response["Location"]).content.decode()
    assert "Rubric version 2 is frozen for this round." in body


def test_round_dates_out_of_order_keep_the_input(staff2fa, world):
    response = signed_in(staff2fa).post(
        reverse("grants:staff_round_new"),
        round_data(world, name="Muddled round", closes_on="2020-01-01"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="Muddled round"' in body
    assert "Dates must follow each other" in body
    assert not Round.objects.filter(name="Muddled round").exists()


def test_edit_round_and_the_rubric_cannot_change_once_reviewed(staff2fa, world):
    world.review(world.reviewers[0], [4, 4, 4])
    newer = RubricFactory(program=world.rubric.program, version=2)
    client = signed_in(staff2fa)
    url = reverse("grants:staff_round_edit", args=[world.round.pk])
    body = client.get(url).content.decode()
    assert "Reviews were scored on it: it cannot change." in body
    data = {
        "version": record_version(world.round),
        "name": "Renamed round",
        "opens_on": world.round.opens_on.isoformat(),
        "closes_on": world.round.closes_on.isoformat(),
        "comment_period_ends_on": world.round.comment_period_ends_on.isoformat(),
        "scoring_deadline": (world.round.scoring_deadline + days(3)).isoformat(),
        "committee": world.committee.pk,
        "rubric": newer.pk,  # ignored: the field is disabled
        "min_reviews": "2",
        "reason": "Three more days",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    world.round.refresh_from_db()
    assert world.round.name == "Renamed round"
    assert world.round.rubric == world.rubric
    assert world.round.history.first().history_change_reason == "Three more days"


def test_edit_round_with_a_stale_version_is_refused(staff2fa, world):
    client = signed_in(staff2fa)
    url = reverse("grants:staff_round_edit", args=[world.round.pk])
    data = round_data(world, version="stale", name="Mine")
    response = client.post(url, data)
    assert response.status_code == 412
    assert 'value="Mine"' in response.content.decode()


# Moderation --------------------------------------------------------------------------


@pytest.fixture
def reported(world, affiliate_a, outsider):
    round_ = world.round
    round_.comment_period_ends_on = TODAY() + days(5)
    round_.scoring_deadline = TODAY() + days(10)
    round_.save()
    proposal = ProposalFactory(
        affiliate=affiliate_a,
        round=round_,
        program=round_.program,
        status=ProposalStatus.COMMUNITY_REVIEW,
    )
    author = UserFactory(username="author")
    comment = comment_services.comment_create(
        actor=author, proposal=proposal, body="Rude words here"
    )
    return comment_services.comment_report(
        actor=outsider, comment=comment, reason="Insulting"
    )


def test_hide_then_restore_with_reasons_in_the_history(staff2fa, reported):
    client = signed_in(staff2fa)
    body = client.get(reverse("grants:staff_moderation")).content.decode()
    assert "Rude words here" in body and "Insulting" in body
    key = f"report-{reported.pk}"
    response = client.post(
        reverse("grants:staff_report_handle", args=[reported.pk]),
        {"step": "hide", f"{key}-reason": "Personal attack"},
    )
    assert response.status_code == 302
    comment = ProposalComment.objects.get(pk=reported.comment_id)
    assert comment.is_hidden
    assert comment.history.first().history_change_reason == "Personal attack"
    assert CommentReport.objects.get(pk=reported.pk).status == "comment_hidden"
    body = client.get(reverse("grants:staff_moderation")).content.decode()
    assert "Show the comment again" in body
    response = client.post(
        reverse("grants:staff_comment_restore", args=[comment.pk]),
        {f"comment-{comment.pk}-reason": "Read again: criticism, not abuse"},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert not comment.is_hidden
    entry = comment.history.first()
    assert entry.history_change_reason == "Read again: criticism, not abuse"
    assert entry.history_user == staff2fa


def test_dismiss_needs_a_reason_next_to_the_field(staff2fa, reported):
    response = signed_in(staff2fa).post(
        reverse("grants:staff_report_handle", args=[reported.pk]),
        {"step": "dismiss", f"report-{reported.pk}-reason": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "field__error" in body and "Say why: the record keeps it." in body
    assert CommentReport.objects.get(pk=reported.pk).status == "open"


def test_comment_restore_service_rules(staff2fa, reported, outsider):
    from django.core.exceptions import PermissionDenied, ValidationError

    comment = reported.comment
    with pytest.raises(ValidationError):
        comment_services.comment_restore(actor=staff2fa, comment=comment, reason="x")
    comment_services.comment_hide(actor=staff2fa, comment=comment, reason="Abuse")
    with pytest.raises(PermissionDenied):
        comment_services.comment_restore(actor=outsider, comment=comment, reason="x")
    with pytest.raises(ValidationError):
        comment_services.comment_restore(actor=staff2fa, comment=comment, reason=" ")
    comment_services.comment_restore(actor=staff2fa, comment=comment, reason="Fine")
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_outsider_cannot_moderate(outsider, reported):
    client = signed_in(outsider)
    response = client.post(
        reverse("grants:staff_report_handle", args=[reported.pk]),
        {"step": "hide", f"report-{reported.pk}-reason": "x"},
    )
    assert response.status_code == 403
    assert not ProposalComment.objects.get(pk=reported.comment_id).is_hidden


def test_after_the_decision_staff_fund_the_grant_and_its_reports_are_due(
    staff2fa, submitted
):
    proposal = submitted
    proposal.status = ProposalStatus.APPROVED
    proposal.amount_approved = proposal.amount_requested
    proposal.save()
    client = signed_in(staff2fa)
    body = client.get(eligibility_url(proposal)).content.decode()
    assert 'value="fund"' in body
    assert 'value="start_community_review"' not in body
    response = client.post(
        eligibility_url(proposal),
        {
            "step": "fund",
            "version": record_version(proposal),
            "reason": "Grant agreement signed on both sides.",
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.FUNDED
    assert "Grant agreement signed" in proposal.history.first().history_change_reason
    assert GrantReport.objects.filter(proposal=proposal).exists()
