"""Staff pages in a real browser: English and Arabic, phone and desktop, axe on every
page, screenshots. Inbox → eligibility → community review; bulk assignment preview →
save; round set-up; moderation hide → restore."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.choices import ProposalStatus
from grants.models import (
    CommentReport,
    Committee,
    CommitteeMember,
    ProposalComment,
    ReviewerAssignment,
)
from grants.services import comments as comment_services
from tests.browser.conftest import press, sign_in, switch_language
from tests.browser.people import person
from tests.factories import (
    AffiliateFactory,
    MembershipFactory,
    ProposalFactory,
    RoundFactory,
    RubricCriterionFactory,
    RubricFactory,
    StaffFactory,
    with_two_factor,
)

LANGS = ["en", "ar"]


def start_as_staff(page, lang, path):
    staff = person("sam", factory=StaffFactory)
    secret = with_two_factor(staff)
    sign_in(page, "sam", totp_secret=secret)
    page.goto(path)
    if lang != "en":
        switch_language(page, lang)
        page.goto(f"/{lang}{path}")
    return staff


def world():
    today = timezone.localdate()
    committee = Committee.objects.create(name="Africa committee", quorum=2)
    rubric = RubricFactory()
    RubricCriterionFactory(rubric=rubric, name="Impact", weight=Decimal(2))
    round_ = RoundFactory(
        program=rubric.program,
        name="Autumn round",
        committee=committee,
        rubric=rubric,
        opens_on=today - datetime.timedelta(40),
        closes_on=today - datetime.timedelta(10),
        comment_period_ends_on=today + datetime.timedelta(10),
        scoring_deadline=today + datetime.timedelta(30),
    )
    return committee, round_


@pytest.mark.parametrize("lang", LANGS)
def test_inbox_eligibility_and_community_review(page, shot, axe, lang):
    _committee, round_ = world()
    affiliate = AffiliateFactory(name="Wikimedia Ghana Test", slug="ghana")
    proposal = ProposalFactory(
        affiliate=affiliate,
        round=round_,
        program=round_.program,
        status=ProposalStatus.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=2),
        title="Workshops in Tamale",
    )
    start_as_staff(page, lang, "/grants/staff/")
    page.locator("#eligibility").wait_for()
    axe(page)
    shot(page, "inbox")
    press(page.locator("#eligibility a", has_text="Workshops in Tamale"))
    page.wait_for_url(
        re.compile(rf"/grants/staff/proposals/{proposal.pk}/eligibility/")
    )
    axe(page)
    shot(page, "eligibility-submitted")
    press(page.locator("button[name=step][value=start_eligibility_check]"))
    page.locator("button[name=step][value=start_community_review]").wait_for()
    page.locator("input[name=documents][value=yes]").check()
    page.locator("input[name=bank_details][value=yes]").check()
    page.locator("#id_reason").fill("Papers checked with finance.")
    axe(page)
    shot(page, "eligibility-checklist")
    press(page.locator("button[name=step][value=start_community_review]"))
    page.locator("button[name=step][value=start_committee_review]").wait_for()
    axe(page)
    shot(page, "eligibility-community-review")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.COMMUNITY_REVIEW
    reason = proposal.history.first().history_change_reason
    assert "Papers checked with finance." in reason


@pytest.mark.parametrize("lang", LANGS)
def test_round_set_up_and_bulk_assignment(page, shot, axe, lang):
    committee, round_ = world()
    applicant = AffiliateFactory(name="Wikimedia Ghana Test", slug="ghana")
    other = AffiliateFactory(name="Wikimedistas de Prueba", slug="prueba")
    reviewers = [person(name) for name in ("ada", "bola", "chidi")]
    for reviewer in reviewers:
        CommitteeMember.objects.create(committee=committee, user=reviewer)
    MembershipFactory(user=reviewers[0], affiliate=applicant)  # conflicted
    first = ProposalFactory(
        affiliate=applicant,
        round=round_,
        program=round_.program,
        status=ProposalStatus.COMMUNITY_REVIEW,
        title="Workshops in Tamale",
    )
    ProposalFactory(
        affiliate=other,
        round=round_,
        program=round_.program,
        status=ProposalStatus.COMMUNITY_REVIEW,
        title="Photo walks",
    )
    start_as_staff(page, lang, "/grants/staff/rounds/")
    page.locator("table.data-table").first.wait_for()
    axe(page)
    shot(page, "rounds")
    press(page.locator("main a", has_text="Autumn round"))
    page.wait_for_url(re.compile(rf"/grants/staff/rounds/{round_.pk}/$"))
    page.locator(".notice").wait_for()
    axe(page)
    shot(page, "round-edit")
    page.locator("#id_name").fill("Autumn round 2026")
    page.locator("#id_reason").fill("Clearer name")
    press(page.locator("main form.form button[type=submit]").first)
    page.locator(".notice").wait_for()
    round_.refresh_from_db()
    assert round_.name == "Autumn round 2026"

    page.goto(
        f"{'/' + lang if lang != 'en' else ''}/grants/staff/rounds/{round_.pk}/assign/"
    )
    page.locator("#id_reviewers_per_proposal").fill("2")
    press(page.locator("main form[method=get] button[type=submit]"))
    page.locator("#preview-title").wait_for()
    assert ReviewerAssignment.objects.count() == 0
    axe(page)
    shot(page, "bulk-preview")
    page.locator("#id_save-reason").fill("First pass")
    press(page.locator("main form[method=post] button[type=submit]"))
    page.wait_for_url(re.compile(r"/grants/staff/rounds/$"))
    axe(page)
    shot(page, "bulk-saved")
    pairs = set(ReviewerAssignment.objects.values_list("proposal_id", "reviewer_id"))
    assert len(pairs) == 4
    assert (first.pk, reviewers[0].pk) not in pairs


@pytest.mark.parametrize("lang", LANGS)
def test_moderation_hide_then_restore(page, shot, axe, lang):
    _committee, round_ = world()
    affiliate = AffiliateFactory(name="Wikimedia Ghana Test", slug="ghana")
    proposal = ProposalFactory(
        affiliate=affiliate,
        round=round_,
        program=round_.program,
        status=ProposalStatus.COMMUNITY_REVIEW,
        title="Workshops in Tamale",
    )
    author, reporter = person("kofi"), person("esi")
    comment = comment_services.comment_create(
        actor=author, proposal=proposal, body="You are all thieves."
    )
    report = comment_services.comment_report(
        actor=reporter, comment=comment, reason="Insulting the applicant"
    )
    start_as_staff(page, lang, "/grants/staff/moderation/")
    item = page.locator(f"#report-{report.pk}")
    item.wait_for()
    axe(page)
    shot(page, "moderation-reported")
    # No reason: refused next to the field.
    press(item.locator("button[value=hide]"))
    page.locator(f"#id_report-{report.pk}-reason_error").wait_for()
    axe(page)
    shot(page, "moderation-needs-reason")
    page.locator(f"#id_report-{report.pk}-reason").fill("Personal attack")
    press(page.locator(f"#report-{report.pk} button[value=hide]"))
    hidden = page.locator(f"#hidden-{comment.pk}")
    hidden.wait_for()
    assert ProposalComment.objects.get(pk=comment.pk).is_hidden
    assert CommentReport.objects.get(pk=report.pk).status == "comment_hidden"
    axe(page)
    shot(page, "moderation-hidden")
    page.locator(f"#id_comment-{comment.pk}-reason").fill("Read again: it is fair")
    press(hidden.locator("button[type=submit]"))
    page.locator(f"#hidden-{comment.pk}").wait_for(state="detached")
    axe(page)
    shot(page, "moderation-restored")
    assert not ProposalComment.objects.get(pk=comment.pk).is_hidden
