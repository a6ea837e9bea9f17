"""The calendar feed: our own iCalendar writer, read back with the `icalendar`
package, and only the dates the person may see."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from affiliates.choices import AffiliateReportStatus
from grants.choices import GrantReportStatus
from grants.models import GrantReport, ReviewerAssignment
from notifications import calendar
from notifications.services import calendar_feed_for, calendar_feed_reset
from tests.factories import (
    AffiliateReportFactory,
    ProposalFactory,
    RoundFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def feed_path(user) -> str:
    return reverse("calendar_feed", args=[calendar_feed_for(user).key])


def events(response) -> dict[str, dict]:
    """{summary: {"start", "end", "uid", "url", "description"}} of the feed."""
    parsed = Calendar.from_ical(response.content)
    return {
        str(event["SUMMARY"]): {
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "uid": str(event["UID"]),
            "url": str(event["URL"]),
            "description": str(event["DESCRIPTION"]),
        }
        for event in parsed.walk("VEVENT")
    }


def _grant_report(affiliate, status=GrantReportStatus.DRAFT, days=40, title="Tamale"):
    proposal = ProposalFactory(affiliate=affiliate, title=title)
    return GrantReport.objects.create(
        proposal=proposal,
        kind="final",
        due_date=TODAY() + datetime.timedelta(days),
        status=status,
    )


@pytest.fixture
def dated(member_a, affiliate_a, affiliate_b, outsider):
    """Dates for member_a, and others' dates that must stay out of their feed."""
    today = TODAY()
    staff = StaffFactory()
    open_round = RoundFactory(name="Spring")
    RoundFactory(
        name="Long gone",
        opens_on=today - datetime.timedelta(100),
        closes_on=today - datetime.timedelta(90),
        comment_period_ends_on=today - datetime.timedelta(60),
        scoring_deadline=today - datetime.timedelta(30),
    )
    # member_a reviews a proposal of another affiliate; the outsider another one.
    review_round = RoundFactory(name="Reviewed")
    ReviewerAssignment.objects.create(
        proposal=ProposalFactory(affiliate=affiliate_b, round=review_round),
        reviewer=member_a,
        assigned_by=staff,
    )
    others_round = RoundFactory(name="Not mine")
    ReviewerAssignment.objects.create(
        proposal=ProposalFactory(affiliate=affiliate_b, round=others_round),
        reviewer=outsider,
        assigned_by=staff,
    )
    reports = {
        "due": _grant_report(affiliate_a, title="Tamale"),
        "sent_back": _grant_report(
            affiliate_a, GrantReportStatus.INCOMPLETE, days=-3, title="Kumasi"
        ),
        "accepted": _grant_report(
            affiliate_a, GrantReportStatus.ACCEPTED, title="Done"
        ),
        "theirs": _grant_report(affiliate_b, title="Puebla"),
        "annual": AffiliateReportFactory(
            affiliate=affiliate_a,
            fiscal_year=2026,
            due_date=today + datetime.timedelta(9),
        ),
        "annual_in": AffiliateReportFactory(
            affiliate=affiliate_a,
            fiscal_year=2025,
            kind="financial",
            status=AffiliateReportStatus.SUBMITTED,
        ),
        "annual_theirs": AffiliateReportFactory(
            affiliate=affiliate_b, fiscal_year=2026
        ),
    }
    return {
        "open": open_round,
        "review": review_round,
        "others": others_round,
        **reports,
    }


def test_feed_holds_the_persons_dates_only(client, member_a, dated):
    response = client.get(feed_path(member_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    found = events(response)
    open_round, review_round = dated["open"], dated["review"]

    closes = found[f"Applications close: {open_round}"]
    assert closes["start"] == open_round.closes_on
    assert closes["end"] == open_round.closes_on + datetime.timedelta(days=1)
    assert closes["url"] == "http://127.0.0.1:8000/grants/proposals/new/"
    assert closes["url"] in closes["description"]
    assert (
        found[f"Community comments end: {open_round}"]["start"]
        == open_round.comment_period_ends_on
    )
    assert found[f"Scoring deadline: {review_round}"]["start"] == (
        review_round.scoring_deadline
    )
    due = found["Final report due: Tamale"]
    assert due["start"] == dated["due"].due_date
    assert due["url"] == f"http://127.0.0.1:8000/grants/reports/{dated['due'].pk}/"
    assert "Final report due: Kumasi" in found  # sent back: still to be received
    annual = found[f"Activity report 2026 due: {dated['annual'].affiliate.name}"]
    assert annual["url"].endswith(f"/annual-reports/{dated['annual'].pk}/")

    summaries = " | ".join(found)
    for absent in ("Long gone", "Done", "Puebla", "2025"):
        assert absent not in summaries
    # Every open round's dates are public; a scoring deadline is the reviewer's own.
    assert f"Applications close: {dated['others']}" in found
    assert f"Scoring deadline: {dated['others']}" not in found
    assert summaries.count("Scoring deadline") == 1
    assert summaries.count("Activity report") == 1


def test_uids_are_stable_and_unique(client, member_a, dated):
    first = events(client.get(feed_path(member_a)))
    second = events(client.get(feed_path(member_a)))
    uids = [event["uid"] for event in first.values()]
    assert len(uids) == len(set(uids))
    assert uids == [event["uid"] for event in second.values()]


def test_feed_follows_the_rules_of_rfc_5545(client, member_a, affiliate_a):
    name = (
        'Rapid Fund, spring; "north" \\ south, with a name long enough to be folded '
        "over several lines; twice, at least"
    )
    round_ = RoundFactory(name=name)
    raw = client.get(feed_path(member_a)).content
    text = raw.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # folded
    unfolded = text.replace("\r\n ", "")
    assert 'Rapid Fund\\, spring\\; "north" \\\\ south\\, with' in unfolded
    assert "DTSTART;VALUE=DATE:" in unfolded and "DTSTAMP:" in unfolded
    assert f"Applications close: {round_}" in events_of(raw)


def events_of(raw: bytes) -> list[str]:
    return [str(e["SUMMARY"]) for e in Calendar.from_ical(raw).walk("VEVENT")]


def test_folding_never_splits_a_character():
    line = "SUMMARY:" + "موعد تقديم التقرير النهائي، " * 8
    folded = calendar.fold(line)
    parts = folded.encode().split(b"\r\n")
    assert all(len(part) <= 75 for part in parts)
    for part in parts:
        part.decode()  # raises if a character was cut
    assert folded.replace("\r\n ", "") == line


def test_text_escaping():
    assert calendar.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_summaries_in_the_persons_language(client, member_a, affiliate_a):
    from accounts.services import profile_for

    profile = profile_for(member_a)
    profile.language = "fr"
    profile.save(update_fields=["language"])
    _grant_report(affiliate_a, title="Tamale")
    found = events(client.get(feed_path(member_a)))
    report = [e for summary, e in found.items() if "Rapport final" in summary]
    assert len(report) == 1 and "/fr/grants/reports/" in report[0]["url"]


def test_reset_address_makes_the_old_one_404(client, member_a):
    old = feed_path(member_a)
    assert client.get(old).status_code == 200
    calendar_feed_reset(user=member_a)
    assert client.get(old).status_code == 404
    assert client.get(feed_path(member_a)).status_code == 200


def test_reset_button_on_the_settings_page(member_a):
    signed_in = Client()
    signed_in.force_login(member_a)
    old = feed_path(member_a)
    page = signed_in.get(reverse("notifications:preferences")).content.decode()
    assert f'value="http://127.0.0.1:8000{old}"' in page
    response = signed_in.post(reverse("notifications:calendar_reset"))
    assert response.status_code == 302
    assert signed_in.get(old).status_code == 404
    page = signed_in.get(reverse("notifications:preferences")).content.decode()
    assert old not in page and feed_path(member_a) in page


def test_unknown_key_and_inactive_person_get_404(client, member_a):
    path = feed_path(member_a)
    assert client.get("/notifications/calendar/not-a-key.ics").status_code == 404
    member_a.is_active = False
    member_a.save(update_fields=["is_active"])
    assert client.get(path).status_code == 404


def test_feed_queries_do_not_grow_with_events(client, member_a, affiliate_a):
    path = feed_path(member_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(path).status_code == 200
        return len(context)

    RoundFactory()
    _grant_report(affiliate_a, title="One")
    few = queries()
    for number in range(5):
        RoundFactory()
        _grant_report(affiliate_a, title=f"More {number}")
        AffiliateReportFactory(affiliate=affiliate_a, fiscal_year=2030 + number)
    assert queries() == few


def test_calendar_programs_asking_in_another_language_still_get_the_feed(
    client, member_a
):
    # The feed's words follow the person's profile, not the program's language,
    # and the address is not redirected to a language prefix.
    RoundFactory()
    response = client.get(feed_path(member_a), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content.startswith(b"BEGIN:VCALENDAR")
    assert b"Applications close" in response.content
