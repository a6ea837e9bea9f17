"""A person's calendar feed: the dates that concern them, as iCalendar (RFC 5545).

Our own small writer: all-day events only, which is all the portal has (closing
dates, deadlines, due dates). The feed is read by calendar programs without a
session, through a secret address (models.CalendarFeed), so it holds only what the
person may see on the pages, read through the same permission rules.
"""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from affiliates import permissions as affiliate_rules
from affiliates.choices import AffiliateReportStatus
from affiliates.models import AffiliateReport
from grants import permissions as grant_rules
from grants.choices import GrantReportStatus
from grants.models import GrantReport, ReviewerAssignment, Round

from .delivery import LANGUAGE_CODES, absolute_url

LINE_OCTETS = 75
CRLF = "\r\n"


@dataclass(frozen=True)
class Event:
    uid: str  # stable: the same date of the same record keeps its UID
    day: datetime.date
    summary: str
    url: str


# Control characters are not allowed in TEXT (RFC 5545 3.1); line and paragraph
# separators become line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = _CONTROL.sub("", value).replace("\u2028", "\n").replace("\u2029", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines of at most 75 octets; each continuation starts with one space.
    Never splits a character encoded in several octets."""
    if len(line.encode()) <= LINE_OCTETS:
        return line
    parts, current, size, limit = [], [], 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            parts.append("".join(current))
            # The leading space of a continuation counts in its 75 octets.
            current, size, limit = [], 0, LINE_OCTETS - 1
        current.append(char)
        size += octets
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def _utc_stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def write(events: list[Event], *, name: str, now=None) -> str:
    """The VCALENDAR text, CRLF line endings, folded."""
    stamp = _utc_stamp(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Grants portal//Notifications calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        description = gettext("Open the page in the grants portal: %(url)s") % {
            "url": event.url
        }
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + datetime.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"DESCRIPTION:{escape_text(description)}",
            # A URI value, not TEXT: not escaped.
            f"URL:{event.url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def feed_language(user) -> str:
    """The person's chosen language, else English."""
    code = (getattr(getattr(user, "profile", None), "language", "") or "").lower()
    if code in LANGUAGE_CODES:
        return code
    if code.startswith("zh"):
        return "zh-hans"
    return settings.LANGUAGE_CODE


def _uid(name: str) -> str:
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "portal"
    return f"{name}@{host}"


def events_for(user, language: str, today=None) -> list[Event]:
    """What the person should have in their calendar, in `language`: closing dates
    and comment periods of open or upcoming rounds, scoring deadlines of their
    reviews, and due dates of their affiliates' reports not yet received.
    Five queries at most, whatever the number of events."""
    today = today or timezone.localdate()
    with translation.override(language):
        events = _round_events(today, language)
        events += _scoring_events(user, today, language)
        events += _report_events(user, language)
    return sorted(events, key=lambda event: (event.day, event.uid))


def _url(name: str, language: str, *args) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(name, args=args)
    return absolute_url(path, language)


def _round_events(today, language) -> list[Event]:
    # Rounds and their dates are public: every call for proposals is announced.
    rounds = Round.objects.filter(
        Q(closes_on__gte=today) | Q(comment_period_ends_on__gte=today)
    ).select_related("program")
    new_url = _url("grants:proposal_new", language)
    proposals_url = _url("grants:proposals", language)
    events = []
    for round_ in rounds:
        if round_.closes_on >= today:
            summary = gettext("Applications close: %(round)s") % {"round": round_}
            events.append(
                Event(
                    _uid(f"round-{round_.pk}-closes"),
                    round_.closes_on,
                    summary,
                    new_url,
                )
            )
        if round_.comment_period_ends_on >= today:
            summary = gettext("Community comments end: %(round)s") % {"round": round_}
            events.append(
                Event(
                    _uid(f"round-{round_.pk}-comments"),
                    round_.comment_period_ends_on,
                    summary,
                    proposals_url,
                )
            )
    return events


def _scoring_events(user, today, language) -> list[Event]:
    # Their own assignments only (staff see every assignment on the pages, but the
    # calendar is about one's own work).
    assignments = grant_rules.visible_assignments(
        user, ReviewerAssignment.objects.filter(reviewer=user.pk)
    )
    rounds = (
        Round.objects.filter(
            scoring_deadline__gte=today,
            proposals__assignments__in=assignments,
        )
        .select_related("program")
        .distinct()
    )
    queue_url = _url("grants:reviews", language)
    return [
        Event(
            _uid(f"round-{round_.pk}-scoring"),
            round_.scoring_deadline,
            gettext("Scoring deadline: %(round)s") % {"round": round_},
            queue_url,
        )
        for round_ in rounds
    ]


def _report_events(user, language) -> list[Event]:
    # The person's own affiliates (staff follow every report on the staff pages).
    mine = affiliate_rules.member_affiliate_ids(user)
    if not mine:
        return []
    events = []
    grant_reports = grant_rules.visible_grant_reports(
        user,
        GrantReport.objects.filter(
            proposal__affiliate_id__in=mine,
            status__in=[GrantReportStatus.DRAFT, GrantReportStatus.INCOMPLETE],
        ),
    ).select_related("proposal")
    for report in grant_reports:
        summary = gettext("%(kind)s due: %(title)s") % {
            "kind": report.get_kind_display(),
            "title": report.proposal.title,
        }
        url = _url("grants:report", language, report.pk)
        events.append(
            Event(_uid(f"grant-report-{report.pk}"), report.due_date, summary, url)
        )
    annual_reports = affiliate_rules.visible_affiliate_reports(
        user,
        AffiliateReport.objects.filter(affiliate_id__in=mine).exclude(
            status__in=[AffiliateReportStatus.SUBMITTED, AffiliateReportStatus.ACCEPTED]
        ),
    ).select_related("affiliate")
    for report in annual_reports:
        summary = gettext("%(kind)s %(year)s due: %(affiliate)s") % {
            "kind": report.get_kind_display(),
            "year": report.fiscal_year,
            "affiliate": report.affiliate.name,
        }
        url = _url("affiliates:annual_report", language, report.pk)
        events.append(
            Event(_uid(f"annual-report-{report.pk}"), report.due_date, summary, url)
        )
    return events
