"""The whole review cycle in Chromium, once in English and once in Arabic: an
affiliate admin submits a proposal; staff pass eligibility, open community and
committee review and assign reviewers in bulk; one reviewer declares a conflict and is
recused (and nothing of the others' reviews reaches their pages or their packet);
another declares no conflict and scores; staff record the committee's decision with
quorum and build the round packet, following its progress; staff fund the grant; the
affiliate sees the decision and files the final report; staff accept it.

axe-core on every page; a screenshot of every step (artifacts/screenshots/)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from affiliates.choices import MembershipRole
from grants.choices import (
    GrantReportKind,
    GrantReportStatus,
    ProposalStatus,
    ReviewStatus,
)
from grants.models import (
    Committee,
    CommitteeMember,
    GrantReport,
    ProposalDeclaration,
    Review,
)
from tests.browser.conftest import _new_page, press, sign_in, sign_out, switch_language
from tests.browser.people import person
from tests.exports.conftest import read_pdf
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

# What only the scoring reviewer writes: none of it may reach the recused reviewer.
PRIVATE = ["Bruno's note: the budget for travel is tight.", "Strong local partners."]


def world():
    today = timezone.localdate()
    affiliate = AffiliateFactory(name="Volta Open Knowledge", slug="volta")
    kofi = person("kofi")
    MembershipFactory(user=kofi, affiliate=affiliate, role=MembershipRole.ADMIN)
    staff = person("officer", factory=StaffFactory)
    committee = Committee.objects.create(name="Africa committee", quorum=2)
    rubric = RubricFactory(scale_min=1, scale_max=5, allow_not_applicable=True)
    criteria = [
        RubricCriterionFactory(rubric=rubric, name=name, weight=weight, position=i)
        for i, (name, weight) in enumerate(
            [("Impact", Decimal(2)), ("Ability to execute", Decimal(1))]
        )
    ]
    round_ = RoundFactory(
        program=rubric.program,
        name="Autumn round",
        committee=committee,
        rubric=rubric,
        min_reviews=1,
        opens_on=today - datetime.timedelta(20),
        closes_on=today + datetime.timedelta(20),
        comment_period_ends_on=today + datetime.timedelta(25),
        scoring_deadline=today + datetime.timedelta(40),
    )
    members = {}
    for name in ("amina", "bruno", "carla"):
        members[name] = person(name)
        CommitteeMember.objects.create(committee=committee, user=members[name])
    proposal = ProposalFactory(
        affiliate=affiliate,
        round=round_,
        program=round_.program,
        title="Wiki Loves Rivers 2027",
    )
    return {
        "affiliate": affiliate,
        "kofi": kofi,
        "staff": staff,
        "round": round_,
        "criteria": criteria,
        "members": members,
        "proposal": proposal,
        "secrets": {
            "officer": with_two_factor(staff),
            **{name: with_two_factor(user) for name, user in members.items()},
        },
    }


@pytest.fixture(params=["en", "ar"])
def journey(request, browser, live_server):
    context, page = _new_page(browser, "desktop", live_server)
    yield page, request.param
    context.close()
    assert not page.portal_js_errors, page.portal_js_errors


def test_whole_review_cycle(journey, axe, shot):
    page, lang = journey
    page.set_default_navigation_timeout(30_000)
    w = world()
    proposal, round_ = w["proposal"], w["round"]
    prefix = "" if lang == "en" else f"/{lang}"
    first_sign_in = [True]

    def enter(username, path):
        sign_in(page, username, totp_secret=w["secrets"].get(username))
        if first_sign_in[0] and lang != "en":
            switch_language(page, lang)  # remembered for the whole session
        first_sign_in[0] = False
        visit(path)

    def visit(path):
        page.goto(prefix + path)
        page.locator("h1").first.wait_for()

    def look(name):
        assert page.locator("html").get_attribute("lang") == lang
        axe(page)
        shot(page, name)

    def confirm():
        dialog = page.locator("#confirm-dialog")
        dialog.wait_for(state="visible")
        dialog.locator("[data-confirm-accept]").click()

    def step(name):
        press(page.locator(f"button[name=step][value={name}]"))

    # 1. The affiliate admin checks the answers and submits.
    enter("kofi", f"/grants/proposals/{proposal.pk}/edit/review/")
    look("applicant-check-answers")
    press(page.locator("form[action$='/do/submit/'] button[type=submit]"))
    confirm()
    page.locator(".badge[data-status=submitted]").wait_for()
    look("applicant-submitted")
    sign_out(page)

    # 2. Staff: the inbox lists it; eligibility passes; community, then committee
    # review open.
    enter("officer", "/grants/staff/")
    page.locator("#eligibility").wait_for()
    look("staff-inbox")
    press(page.locator("#eligibility a", has_text=proposal.title))
    page.wait_for_url(re.compile(rf"/staff/proposals/{proposal.pk}/eligibility/$"))
    step("start_eligibility_check")
    page.locator("button[name=step][value=start_community_review]").wait_for()
    page.locator("input[name=documents][value=yes]").check()
    page.locator("input[name=bank_details][value=yes]").check()
    page.locator("#id_reason").fill("Registration and bank letter on file.")
    look("staff-eligibility")
    step("start_community_review")
    page.locator("button[name=step][value=start_committee_review]").wait_for()
    page.locator("#id_reason").fill("Comment period closed early by agreement.")
    step("start_committee_review")
    page.locator(".badge[data-status=committee_review]").first.wait_for()
    look("staff-committee-review")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.COMMITTEE_REVIEW

    # Reviewers in bulk: two per proposal, with a preview before anything is saved.
    visit(f"/grants/staff/rounds/{round_.pk}/assign/")
    page.locator("#id_reviewers_per_proposal").fill("3")
    press(page.locator("main form[method=get] button[type=submit]"))
    page.locator("#preview-title").wait_for()
    look("staff-bulk-preview")
    page.locator("#id_save-reason").fill("Everyone on the committee reads it.")
    press(page.locator("main form[method=post] button[type=submit]"))
    page.wait_for_url(re.compile(r"/grants/staff/rounds/$"))
    look("staff-bulk-saved")
    assert set(proposal.assignments.values_list("reviewer__username", flat=True)) == {
        "amina",
        "bruno",
        "carla",
    }
    sign_out(page)

    # 3. Bruno declares no conflict and scores.
    enter("bruno", "/grants/reviews/")
    page.locator(".review-round").wait_for()
    look("bruno-queue")
    press(page.get_by_role("link", name=proposal.title))
    page.wait_for_url(re.compile(r"/reviews/\d+/declare/$"))
    look("bruno-declare")
    page.locator("input[name=has_conflict][value=no]").check()
    press(page.locator("form.form button[type=submit]"))
    page.locator(".scoring-form").wait_for()
    impact, execution = w["criteria"]
    page.locator(f"input[name=score_{impact.pk}][value='5']").check()
    page.locator(f"input[name=score_{execution.pk}][value='4']").check()
    page.locator(f"#id_comment_{impact.pk}").fill(PRIVATE[1])
    page.locator("#id_note_to_committee").fill(PRIVATE[0])
    page.locator("input[name=recommendation][value=fund]").check()
    look("bruno-score")
    press(page.locator("button[name=action][value=submit]"))
    page.wait_for_url(re.compile(rf"{prefix}/grants/reviews/$"))
    assert Review.objects.get(reviewer=w["members"]["bruno"]).status == (
        ReviewStatus.SUBMITTED
    )
    sign_out(page)

    # 4. Amina declares a conflict: recused at once; nothing of Bruno's review
    # reaches any page she opens, nor her packet.
    enter("amina", f"/grants/reviews/{proposal.pk}/")
    page.wait_for_url(re.compile(r"/declare/$"))
    page.locator("input[name=has_conflict][value=yes]").check()
    page.locator("#id_conflict_type").select_option("family")
    page.locator("#id_explanation").fill("My brother leads the photo walks.")
    look("amina-declare")
    press(page.locator("form.form button[type=submit]"))
    page.locator(".panel ul li").first.wait_for()
    look("amina-recused")
    seen = [page.content()]
    for path in (
        "/grants/reviews/",
        "/grants/committee/",
        f"/grants/rounds/{round_.pk}/ranking/",
    ):
        visit(path)
        seen.append(page.content())
        look("amina-" + path.strip("/").replace("/", "-"))
    # Her packet: started from the round page, built at once in tests.
    press(page.locator("[data-packet-panel] button[type=submit]"))
    link = page.locator("[data-packet-panel] a[href*='/download/']")
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    packet = read_pdf(open(download.value.path(), "rb").read())
    for text in PRIVATE:
        assert all(text not in html for html in seen), text
        assert not packet.has(text), text
    assert "4.67" not in packet.text and "4,67" not in packet.text
    sign_out(page)

    # 5. Staff record the committee's decision (quorum: two votes of three members,
    # Amina recused) and build the packet, following the progress bar.
    ProposalDeclaration.objects.create(
        user=w["members"]["carla"], proposal=proposal, has_conflict=False
    )
    enter("officer", f"/grants/rounds/{round_.pk}/ranking/")
    look("staff-ranking")
    press(page.get_by_role("link", name=proposal.title).first)
    page.wait_for_url(re.compile(rf"/committee/proposals/{proposal.pk}/$"))
    look("staff-committee-proposal")
    bruno, carla = w["members"]["bruno"], w["members"]["carla"]
    page.locator(f"input[name=vote_{bruno.pk}][value=for]").check()
    page.locator(f"input[name=vote_{carla.pk}][value=for]").check()
    page.locator("input[name=outcome][value=approved]").check()
    page.locator("#id_rationale").fill("Clear plan, strong partners, fair budget.")
    look("staff-decision-form")
    press(page.locator("button[name=action][value=record]"))
    page.locator("#decision").wait_for()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    look("staff-decision-recorded")
    visit(f"/grants/rounds/{round_.pk}/ranking/")
    press(page.locator("[data-packet-panel] button[type=submit]"))
    page.locator(
        "[data-packet-panel] progress, [data-packet-panel] a[href*='/download/']"
    ).first.wait_for()
    page.locator("[data-packet-panel] a[href*='/download/']").wait_for()
    look("staff-packet-ready")

    # Staff fund the grant (agreement signed): the reports it owes are scheduled.
    visit(f"/grants/staff/proposals/{proposal.pk}/eligibility/")
    page.locator("#id_reason").fill("Grant agreement signed.")
    step("fund")
    page.locator(".badge[data-status=funded]").first.wait_for()
    look("staff-funded")
    sign_out(page)

    # 6. The affiliate sees the decision and files the final report.
    enter("kofi", f"/grants/proposals/{proposal.pk}/")
    assert "Clear plan, strong partners, fair budget." in page.content()
    look("applicant-decision")
    report = GrantReport.objects.get(proposal=proposal, kind=GrantReportKind.FINAL)
    visit(f"/grants/reports/{report.pk}/edit/")
    page.locator("textarea[name=narrative]").fill("Three walks, 212 photographs.")
    for metric in proposal.target_metrics.all():
        page.locator(f"input[name=actual_{metric.pk}]").fill(str(metric.target))
    for line in proposal.budget_lines.all():
        page.locator(f"input[name=spent_{line.pk}]").fill(str(line.total))
    look("applicant-report-editor")
    with page.expect_navigation():
        press(page.locator("form.report-form button[type=submit]"))
    page.wait_for_url(re.compile(rf"/reports/{report.pk}/$"))
    press(page.locator(f"form[action$='/reports/{report.pk}/'] button[type=submit]"))
    confirm()
    page.locator(".badge[data-status=submitted]").wait_for()
    look("applicant-report-submitted")
    sign_out(page)

    # 7. Staff accept the report.
    enter("officer", f"/grants/reports/{report.pk}/")
    review = page.locator("[data-report-review]")
    review.wait_for()
    review.locator("input[value=accept]").check()
    review.locator("textarea").fill("Thank you: complete and clear.")
    look("staff-report-review")
    press(review.locator("button[type=submit]"))
    page.locator(".badge[data-status=accepted]").wait_for()
    look("staff-report-accepted")
    report.refresh_from_db()
    assert report.status == GrantReportStatus.ACCEPTED
