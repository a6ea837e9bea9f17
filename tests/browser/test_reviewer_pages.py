"""Reviewer pages in a real browser (grants/views/reviews.py): the queue, the conflict
step, scoring with the live weighted total, saving a draft and submitting; a
conflicted reviewer is recused; the declaration of interests. English and Arabic,
phone and desktop, axe on every page, screenshots."""

import re

import pytest
from allauth.account.models import EmailAddress

from affiliates.choices import MembershipRole
from grants.choices import ReviewStatus
from grants.models import Review
from grants.services import committees as committee_services
from tests.browser.conftest import press, start
from tests.factories import (
    AffiliateFactory,
    MembershipFactory,
    StaffFactory,
    UserFactory,
    with_two_factor,
)
from tests.grants.conftest import ReviewWorld

LANGS = ["en", "ar"]
QUEUE = "/grants/reviews/"


def reviewer_in(world, username):
    user = UserFactory(username=username, email=f"{username}@example.org")
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    world.seat(user)
    committee_services.assignment_create(
        actor=world.staff, proposal=world.proposal, reviewer=user
    )
    return user, with_two_factor(user)


def make_world():
    affiliate = AffiliateFactory(name="Wikimedia Ghana Test", slug="ghana")
    MembershipFactory(
        user=UserFactory(username="ama"), affiliate=affiliate, role=MembershipRole.ADMIN
    )
    world = ReviewWorld(StaffFactory(username="staff"), affiliate)
    world.proposal.title = "Workshops in Tamale"
    world.proposal.save()
    return world


def total(page) -> str:
    return page.locator(".scoring-total__value").inner_text().strip()


@pytest.mark.parametrize("lang", LANGS)
def test_reviewer_declares_scores_saves_and_submits(page, shot, axe, lang):
    world = make_world()
    reviewer, secret = reviewer_in(world, "rosa")
    prefix = "" if lang == "en" else f"/{lang}"

    start(page, "rosa", lang, QUEUE, totp_secret=secret)
    page.locator(".review-round").wait_for()
    axe(page)
    shot(page, "queue")

    press(page.get_by_role("link", name="Workshops in Tamale"))
    page.wait_for_url(re.compile(r"/reviews/\d+/declare/$"))
    axe(page)
    shot(page, "declare")
    page.locator("input[name=has_conflict][value=no]").check()
    press(page.locator("form.form button[type=submit]"))
    page.wait_for_url(re.compile(rf"{prefix}/grants/reviews/\d+/$"))
    page.locator(".scoring-form").wait_for()
    assert total(page) == "—"
    axe(page)
    shot(page, "score-empty")

    impact, execution, learning = world.criteria
    page.locator(f"input[name=score_{impact.pk}][value='4']").check()
    page.wait_for_function(
        "() => document.querySelector('.scoring-total__value')"
        ".textContent.trim() !== '—'"
    )
    first = total(page)
    page.locator(f"input[name=score_{execution.pk}][value='1']").check()
    page.wait_for_function(
        "t => document.querySelector('.scoring-total__value').textContent.trim() !== t",
        arg=first,
    )
    second = total(page)
    # (2×4 + 1×1) / 3 = 3.00, in the page's own digits and separators.
    assert (
        re.sub(r"\D", "", second.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")))
        == "300"
    )
    # "Not applicable" is left out, not counted as zero.
    page.locator(f"input[name=score_{learning.pk}][value=na]").check()
    page.wait_for_timeout(0)
    assert total(page) == second
    page.locator(f"#id_comment_{impact.pk}").fill("Reaches three towns.")
    page.locator("#id_note_to_committee").fill("Travel costs look high.")
    shot(page, "score-filled")
    press(page.locator("button[name=action][value=save]"))
    page.locator(".messages").wait_for()
    review = Review.objects.get(reviewer=reviewer)
    assert review.status == ReviewStatus.DRAFT
    assert total(page) == second  # rendered by the server this time
    axe(page)
    shot(page, "score-draft")

    page.locator("input[name=recommendation][value=fund]").check()
    press(page.locator("button[name=action][value=submit]"))
    page.wait_for_url(re.compile(rf"{prefix}/grants/reviews/$"))
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert page.locator(".review-round progress").get_attribute("value") == "1"
    axe(page)
    shot(page, "queue-submitted")


@pytest.mark.parametrize("lang", LANGS)
def test_conflicted_reviewer_is_recused_and_declares_interests(page, shot, axe, lang):
    world = make_world()
    world.review(world.reviewers[0], [5, 4, 3], note="Secret committee note")
    reviewer, secret = reviewer_in(world, "amir")

    start(
        page, "amir", lang, f"/grants/reviews/{world.proposal.pk}/", totp_secret=secret
    )
    page.wait_for_url(re.compile(r"/declare/$"))
    page.locator("input[name=has_conflict][value=yes]").check()
    press(page.locator("form.form button[type=submit]"))
    page.locator(".error-summary").wait_for()  # type and explanation are needed
    axe(page)
    shot(page, "declare-errors")
    page.locator("#id_conflict_type").select_option("family")
    page.locator("#id_explanation").fill("My cousin leads the project.")
    press(page.locator("form.form button[type=submit]"))
    page.locator(".panel ul li").first.wait_for()
    body = page.content()
    assert "Secret committee note" not in body
    assert "scoring-form" not in body
    axe(page)
    shot(page, "recused")

    page.goto(("" if lang == "en" else f"/{lang}") + "/grants/reviews/interests/")
    page.locator(".form").wait_for()
    axe(page)
    press(page.locator("button[name=add_row]"))
    page.locator("fieldset.interest-row").wait_for()
    page.locator("#id_interests-0-kind").select_option("close_relationship")
    page.locator("#id_interests-0-organisation").fill("Kwame Mensah")
    page.locator("#id_interests-0-description").fill("My cousin.")
    axe(page)
    shot(page, "interests")
    press(page.locator("form.form button[type=submit]").last)
    page.locator(".messages").wait_for()
    assert reviewer.interest_declarations.get().interests.count() == 1
    shot(page, "interests-saved")
