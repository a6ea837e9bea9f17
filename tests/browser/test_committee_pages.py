"""Committee pages in a real browser, English and Arabic, phone and desktop: the
ranking (sorted with htmx), a proposal with its score chart, the decision with the
live tally and quorum, and the round packet followed to its download link. Tasks
run at once in tests (portal/settings/test.py), so the packet job is done when its
partial comes back; the in-progress partial is tested in
tests/exports/test_pages_exports.py."""

import pytest
from allauth.account.models import EmailAddress

from tests.browser.conftest import press, sign_in, switch_language
from tests.factories import AffiliateFactory, StaffFactory, with_two_factor
from tests.grants.conftest import ReviewWorld

LANGS = ["en", "ar"]


def verified(user):
    user.email = f"{user.username}@example.org"
    user.save()
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user


@pytest.fixture
def committee_world(db):
    staff = verified(StaffFactory(username="staffer"))
    secret = with_two_factor(staff)
    world = ReviewWorld(staff, AffiliateFactory(name="Wikimedia Ghana Test"))
    world.proposal.title = "Workshops in Tamale"
    world.proposal.save()
    low = world.new_proposal(world.proposal.affiliate, title="Photo walks in Accra")
    member, second, third, recused = world.reviewers
    world.review(member, [5, 4, 3], note="Strong local partners")
    world.review(second, [2, 3, 4])
    world.review(member, [1, 2, 1], proposal=low)
    world.review(second, [2, 1, 1], proposal=low)
    world.prepare(third)
    world.prepare(recused, conflict=True)
    return world, secret


@pytest.mark.parametrize("lang", LANGS)
def test_committee_ranks_decides_and_exports(page, shot, axe, lang, committee_world):
    world, secret = committee_world
    member, second, third, _recused = world.reviewers
    prefix = "" if lang == "en" else f"/{lang}"
    sign_in(page, "staffer", totp_secret=secret)
    page.goto("/grants/committee/")
    if lang != "en":
        switch_language(page, lang)
        page.goto(f"{prefix}/grants/committee/")
    page.locator(
        f'a[href="{prefix}/grants/rounds/{world.round.pk}/ranking/"]'
    ).wait_for()
    axe(page)
    shot(page, "rounds")

    # Ranking: sorted by rank, then by weighted total (htmx swaps the table).
    page.goto(f"{prefix}/grants/rounds/{world.round.pk}/ranking/")
    rows = page.locator("#ranking-results tbody tr")
    rows.first.wait_for()
    assert "Workshops in Tamale" in rows.first.inner_text()
    axe(page)
    shot(page, "ranking")
    press(page.locator('[data-sort="total"]'))
    page.locator('th[aria-sort="descending"] [data-sort="total"]').wait_for()
    assert "sort=-total" in page.url
    assert "Workshops in Tamale" in rows.first.inner_text()
    press(page.locator('[data-sort="total"]'))
    page.locator('th[aria-sort="ascending"] [data-sort="total"]').wait_for()
    assert "Photo walks in Accra" in rows.first.inner_text()
    shot(page, "ranking-sorted")

    # The proposal for the committee: chart, reviews, decision form.
    page.locator(
        f'a[href="{prefix}/grants/committee/proposals/{world.proposal.pk}/"]'
    ).first.press("Enter")
    page.locator("#decision-tally").wait_for()
    assert page.locator("#scores-title ~ * svg, #scores-title ~ * table").count() > 0
    assert page.locator("text=Strong local partners").count() == 1
    axe(page)
    shot(page, "proposal")

    for user, choice in ((member, "for"), (second, "for")):
        page.locator(f'input[name="vote_{user.pk}"][value="{choice}"]').check()
    page.locator('#decision-tally[data-quorum="short"]').wait_for()
    page.locator(f'input[name="vote_{third.pk}"][value="against"]').check()
    page.locator('#decision-tally[data-quorum="held"]').wait_for()
    shot(page, "decision-quorum")
    page.locator('input[name="outcome"][value="approved"]').check()
    page.locator("#id_rationale").fill("Clear plan and budget.")
    press(page.locator('button[name="action"][value="record"]'))
    page.locator("[data-decision]").wait_for()
    assert page.locator("text=Clear plan and budget.").count() == 1
    axe(page)
    shot(page, "decision-recorded")

    # The round packet: started from the ranking page, followed to its download.
    page.goto(f"{prefix}/grants/rounds/{world.round.pk}/ranking/")
    press(page.locator("[data-packet-panel] button[type=submit]"))
    page.locator("#packet-job [data-download]").wait_for(timeout=60_000)
    axe(page)
    shot(page, "packet-ready")
