"""Notifications in a real browser: the bell in the header, the inbox and the
settings page, in English on a desktop and Arabic on a phone (PAIRED_MODULES),
axe on every page, screenshots."""

import re

import pytest

from grants.services.comments import comment_create
from notifications.choices import Delivery, Kind
from notifications.models import Notification, Preference
from tests.browser.conftest import press, start
from tests.browser.people import person
from tests.factories import (
    AffiliateFactory,
    MembershipFactory,
    proposal_open_for_comments,
)

LANGS = ["en", "ar"]


def bell_count(page) -> str:
    count = page.locator("#notification-bell .bell__count")
    return count.inner_text() if count.count() else ""


@pytest.mark.parametrize("lang", LANGS)
def test_member_reads_a_comment_notification_and_changes_a_setting(
    page, shot, axe, lang
):
    affiliate = AffiliateFactory(name="Wikimedia Ghana Test", slug="ghana")
    member = person("abena")
    MembershipFactory(user=member, affiliate=affiliate)
    reader = person("kofi")
    proposal = proposal_open_for_comments(affiliate, title="Workshops in Tamale")
    prefix = "" if lang == "en" else f"/{lang}"

    start(page, "abena", lang, "/notifications/")
    bell = page.locator(".site-header__tools #notification-bell")
    bell.wait_for()
    assert bell_count(page) == ""
    axe(page)
    shot(page, "inbox-empty")

    comment_create(
        actor=reader, proposal=proposal, body="Will the sessions be recorded?"
    )
    page.reload()
    assert bell_count(page) == "1"
    assert "1" in bell.inner_text()  # the words for screen readers carry the count

    press(bell)
    page.wait_for_url(re.compile(rf"{prefix}/notifications/$"))
    entry = page.locator(".notification--unread")
    assert entry.count() == 1
    assert "Workshops in Tamale" in entry.inner_text()
    axe(page)
    shot(page, "inbox-unread")

    # Marked read in place (htmx): the entry and the bell change without a reload.
    press(entry.locator(".notification__action button"))
    page.locator(".notification--unread").wait_for(state="detached")
    page.wait_for_function(
        "() => !document.querySelector('#notification-bell .bell__count')"
    )
    # The keyboard stays on the entry: its new button has the focus.
    page.wait_for_function(
        "() => document.activeElement"
        " && document.activeElement.closest('.notification__action') !== null"
    )
    assert Notification.objects.get(recipient=member).read_at is not None
    axe(page)
    shot(page, "inbox-read")

    page.goto(f"{prefix}/notifications/preferences/")
    comments = page.locator(f"input[name=kind_{Kind.COMMENT_POSTED}][value=portal]")
    assert (
        page.locator(f"input[name=kind_{Kind.SCORING_DUE}][value=portal]").count() == 0
    )
    axe(page)
    shot(page, "preferences")
    comments.check()
    press(page.locator(".preferences-form button[type=submit]"))
    page.locator(".message--success").wait_for()
    assert page.locator(
        f"input[name=kind_{Kind.COMMENT_POSTED}][value=portal]"
    ).is_checked()
    assert (
        Preference.objects.get(user=member, kind=Kind.COMMENT_POSTED).delivery
        == Delivery.PORTAL
    )
    axe(page)
    shot(page, "preferences-saved")
