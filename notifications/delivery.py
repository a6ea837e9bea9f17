"""Sending notification e-mails: in each recipient's language, to a verified
address, once.

A sending run first claims its rows (pending → sending, with its own claim token, in
one UPDATE): two workers or two scheduler runs never send the same row. A failure of
the mail server leaves the row to be retried later with a growing pause; an address
the server refuses is given up at once. Nothing here raises to the caller: a bad
address must not break the request that caused the message nor the task queue.
"""

import datetime
import html
import logging
import re
import secrets
import smtplib
from collections import defaultdict
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from affiliates.permissions import remember_memberships

from .choices import Delivery, EmailStatus
from .kinds import spec
from .models import Notification
from .readers import readable

logger = logging.getLogger("portal.notifications")

MAX_ATTEMPTS = 5
# A run that claimed rows and died (killed worker) gives them up after this; a run
# that lives extends its hold each time it writes its outcomes.
CLAIM_TIMEOUT = datetime.timedelta(minutes=30)
FLUSH_EVERY = 25
BATCH = 500
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def language_for(user, notification) -> str:
    """The person's chosen language, else the affiliate's, else the site's."""
    profile = getattr(user, "profile", None)
    for code in (
        getattr(profile, "language", ""),
        notification.fallback_language,
        settings.LANGUAGE_CODE,
    ):
        code = (code or "").lower()
        if code in LANGUAGE_CODES:
            return code
        if code.split("-")[0] in LANGUAGE_CODES:
            return code.split("-")[0]
        if code.startswith("zh"):
            return "zh-hans"
    return settings.LANGUAGE_CODE


def localized_path(path: str, language: str) -> str:
    """English pages have no prefix; the others start with /<language>/."""
    if not path or language == settings.LANGUAGE_CODE:
        return path
    return f"/{language}{path}"


def absolute_url(path: str, language: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + localized_path(path, language)


@dataclass
class Message:
    """One notification rendered in one language."""

    notification: Notification
    subject: str
    html: str
    text: str
    url: str


def render(notification, language: str) -> Message:
    """The subject and the message in `language` (the caller checked the reader)."""
    with translation.override(language):
        fragment = render_to_string(
            f"notifications/messages/{notification.kind}.html",
            {
                "n": notification,
                "p": notification.params,
                "target": notification.target,
            },
        ).strip()
        return Message(
            notification=notification,
            subject=str(spec(notification.kind).subject),
            html=mark_safe(fragment),  # noqa: S308 (our template, autoescaped)
            text=_as_text(fragment),
            url=absolute_url(notification.path, language) if notification.path else "",
        )


def _as_text(fragment: str) -> str:
    # Block ends become line breaks before the tags go ("conditions:" then the text).
    fragment = re.sub(r"</(p|blockquote|li)>|<br\s*/?>", "\n", fragment)
    text = html.unescape(strip_tags(fragment))
    return re.sub(r"[ \t]*\n[ \t\n]*", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


def _email(to: str, language: str, subject: str, messages: list[Message], digest=False):
    context = {
        "messages": messages,
        "digest": digest,
        "preferences_url": absolute_url("/notifications/preferences/", language),
        "inbox_url": absolute_url("/notifications/", language),
        "language": language,
        "rtl": translation.get_language_info(language)["bidi"],
    }
    with translation.override(language):
        text = render_to_string("notifications/email/message.txt", context)
        body_html = render_to_string("notifications/email/message.html", context)
    email = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    email.attach_alternative(body_html, "text/html")
    return email


def _due(now) -> Q:
    """Rows a run may take: waiting, failed and due for a retry, or held by a run
    that died."""
    return Q(email_status=EmailStatus.PENDING) | Q(
        email_status__in=[EmailStatus.FAILED, EmailStatus.SENDING],
        email_next_attempt_at__lte=now,
    )


def claim(queryset, now=None) -> str:
    """Take the due rows of `queryset` for this run (one UPDATE): returns the token."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    queryset.filter(_due(now)).update(
        email_status=EmailStatus.SENDING,
        email_claim=token,
        email_next_attempt_at=now + CLAIM_TIMEOUT,
    )
    return token


def _recipients_context(rows) -> dict[int, str]:
    """Prime each recipient's memberships (reader rules read them) and return
    their verified primary addresses: two queries for the whole batch."""
    users = {row.recipient_id: row.recipient for row in rows}
    remember_memberships(users.values())
    return dict(
        EmailAddress.objects.filter(
            user_id__in=users, verified=True, primary=True
        ).values_list("user_id", "email")
    )


def _claimed(token):
    # The targets are loaded per kind of target (one query each), not one per row
    # when its message is rendered.
    return list(
        Notification.objects.filter(email_claim=token, email_status=EmailStatus.SENDING)
        .with_targets()
        .select_related("recipient", "recipient__profile")
        .order_by("recipient_id", "created_at", "id")
    )


def send_now(ids: list[int]) -> dict[str, int]:
    """Send the e-mails of these notifications that are still due."""
    counts = defaultdict(int)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        token = claim(
            Notification.objects.filter(pk__in=chunk, delivery=Delivery.EMAIL)
        )
        for key, value in _send(_claimed(token), token).items():
            counts[key] += value
    return dict(counts)


def retry_due(now=None) -> dict[str, int]:
    """Retry failed e-mails whose pause is over and rows of runs that died."""
    now = now or timezone.now()
    counts = defaultdict(int)
    while True:
        due = Notification.objects.filter(
            delivery=Delivery.EMAIL,
        ).filter(_due(now))
        ids = list(due.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return dict(counts)
        token = claim(Notification.objects.filter(pk__in=ids), now)
        rows = _claimed(token)
        if not rows:
            return dict(counts)
        for key, value in _send(rows, token).items():
            counts[key] += value


def _digest_language(user, rows) -> str:
    """The person's language; else the affiliates' language if all rows agree;
    else the site's."""
    languages = {language_for(user, row) for row in rows}
    if len(languages) == 1:
        return languages.pop()
    return language_for(user, Notification(fallback_language=""))


def _compose(rows, addresses, outcome, failures, digest) -> list:
    """The e-mails to send: (email, rows) pairs. Rows nobody may read any more, or
    without a verified address, are recorded in `outcome` instead; a row whose
    message cannot be built is given up (and logged), never left to block others."""
    by_recipient = defaultdict(list)
    for row in rows:
        by_recipient[row.recipient_id].append(row)
    emails = []
    for user_id, mine in by_recipient.items():
        user = mine[0].recipient
        allowed = readable(user, mine)
        outcome[EmailStatus.WITHHELD] += [row.pk for row in mine if row not in allowed]
        if not allowed:
            continue
        address = addresses.get(user_id)
        if not address:
            outcome[EmailStatus.NOT_SENT] += [row.pk for row in allowed]
            continue
        try:
            if digest:
                language = _digest_language(user, allowed)
                messages = [render(row, language) for row in allowed]
                with translation.override(language):
                    subject = gettext("Your daily summary from the grants portal")
                email = _email(address, language, subject, messages, True)
                emails.append((email, allowed))
                continue
            for row in allowed:
                language = language_for(user, row)
                message = render(row, language)
                email = _email(address, language, message.subject, [message])
                emails.append((email, [row]))
        except Exception as error:  # noqa: BLE001 (one bad row must not block all)
            logger.exception("notification e-mail to user %s cannot be built", user_id)
            failures += [(row, error, True) for row in allowed]
    return emails


def _flush(token, outcome, failures, now) -> None:
    """Write what has happened so far, only to rows this run still holds, and
    extend its hold on the rest."""
    for status, ids in outcome.items():
        if not ids:
            continue
        changes = {"email_status": status, "email_claim": ""}
        if status == EmailStatus.SENT:
            changes.update(email_sent_at=now, email_error="")
        Notification.objects.filter(pk__in=ids, email_claim=token).update(**changes)
    for row, error, give_up in failures:
        _record_failure(row, error, give_up, now, token)
    Notification.objects.filter(
        email_claim=token, email_status=EmailStatus.SENDING
    ).update(email_next_attempt_at=now + CLAIM_TIMEOUT)


def _send(rows, token: str, *, digest=False) -> dict[str, int]:
    """Send rows claimed with `token` (one e-mail each, or one per recipient for a
    digest) over one connection. Outcomes are written every FLUSH_EVERY e-mails, so
    that a run that dies has sent again at most that many when another takes over."""
    if not rows:
        return {}
    counts = defaultdict(int)
    outcome = defaultdict(list)  # status → ids
    failures = []  # (row, error, give_up)
    emails = _compose(rows, _recipients_context(rows), outcome, failures, digest)

    def flush():
        _flush(token, outcome, failures, timezone.now())
        for status, ids in outcome.items():
            counts[str(status)] += len(ids)
        counts["failed"] += len(failures)
        outcome.clear()
        failures.clear()

    connection = None
    if emails:
        try:
            connection = get_connection()
            connection.open()
        except (smtplib.SMTPException, OSError) as error:
            for _unsent, mine in emails:
                failures += [(row, error, False) for row in mine]
            emails = []
    for number, (email, mine) in enumerate(emails, start=1):
        email.connection = connection
        try:
            email.send()
        except (smtplib.SMTPRecipientsRefused, ValueError) as error:
            failures += [(row, error, True) for row in mine]
        except (smtplib.SMTPException, OSError) as error:
            failures += [(row, error, False) for row in mine]
        else:
            outcome[EmailStatus.SENT] += [row.pk for row in mine]
        if number % FLUSH_EVERY == 0:
            flush()
    if connection is not None:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            pass
    flush()
    return {status: count for status, count in counts.items() if count}


def _record_failure(row, error, give_up: bool, now, token: str) -> None:
    attempts = row.email_attempts + 1
    give_up = give_up or attempts >= MAX_ATTEMPTS
    logger.warning(
        "notification e-mail %s to user %s failed (attempt %s): %s",
        row.pk,
        row.recipient_id,
        attempts,
        error.__class__.__name__,
    )
    Notification.objects.filter(pk=row.pk, email_claim=token).update(
        email_status=EmailStatus.GAVE_UP if give_up else EmailStatus.FAILED,
        email_attempts=attempts,
        # 5, 10, 20, 40 minutes…
        email_next_attempt_at=None
        if give_up
        else now + datetime.timedelta(minutes=5 * 2 ** (attempts - 1)),
        email_error=f"{error.__class__.__name__}: {error}"[:300],
        email_claim="",
    )


def send_digests(now=None) -> dict[str, int]:
    """Once a day, after PORTAL_DIGEST_HOUR (UTC), one e-mail per person with what
    they chose to receive as a digest. Safe to call at any frequency."""
    now = now or timezone.now()
    if now.hour < settings.PORTAL_DIGEST_HOUR:
        return {}
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    counts = defaultdict(int)
    served_today = Notification.objects.filter(
        delivery=Delivery.DIGEST,
        email_status=EmailStatus.SENT,
        email_sent_at__gte=day_start,
    ).values("recipient_id")
    while True:
        waiting = (
            Notification.objects.filter(delivery=Delivery.DIGEST)
            .filter(_due(now))
            .exclude(recipient_id__in=served_today)
        )
        user_ids = list(waiting.values_list("recipient_id", flat=True).distinct()[:200])
        if not user_ids:
            return dict(counts)
        token = claim(waiting.filter(recipient_id__in=user_ids), now)
        rows = _claimed(token)
        if not rows:
            return dict(counts)
        for key, value in _send(rows, token, digest=True).items():
            counts[key] += value
