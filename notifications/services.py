"""Recording notifications and the changes people make to their inbox and settings.

`notify` is called by the services of the other apps inside their transaction: the
rows are written with the change they report (or not at all), and e-mails leave from
a background task once the transaction has committed.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from affiliates.permissions import remember_memberships

from .choices import Delivery, EmailStatus
from .kinds import spec
from .models import CalendarFeed, Notification, Preference, new_feed_key
from .readers import inbox_of, may_read


def deliveries_for(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """{user id: delivery} for one kind: the person's choice, else the default."""
    user_ids = list(user_ids)
    chosen = dict(
        Preference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    default = spec(kind).default
    return {uid: _allowed(kind, chosen.get(uid, default)) for uid in user_ids}


def _allowed(kind: str, delivery: str) -> str:
    # A mandatory kind chosen as "portal only" (an old row, a forged form) still
    # arrives by e-mail.
    if spec(kind).mandatory and delivery == Delivery.PORTAL:
        return Delivery.EMAIL
    return delivery


def record(rows: list[Notification]) -> list[int]:
    """Insert notifications; those whose (recipient, dedup key) exists already are
    skipped, so a reminder is recorded once however often or concurrently it is
    computed. E-mails to send at once go out after the transaction commits.
    Returns the ids of the rows to e-mail now."""
    if not rows:
        return []
    for row in rows:
        if row.delivery != Delivery.EMAIL and row.delivery != Delivery.DIGEST:
            row.email_status = EmailStatus.NOT_SENT
    keyed = [row for row in rows if row.dedup_key]
    plain = [row for row in rows if not row.dedup_key]
    Notification.objects.bulk_create(plain)
    ids = [row.pk for row in plain if row.delivery == Delivery.EMAIL]
    if keyed:
        Notification.objects.bulk_create(keyed, ignore_conflicts=True)
        # Ids are not returned for ignored conflicts: read back the e-mails still
        # waiting (a concurrent run's rows included: the claim decides who sends).
        ids += list(
            Notification.objects.filter(
                recipient_id__in={row.recipient_id for row in keyed},
                dedup_key__in={row.dedup_key for row in keyed},
                delivery=Delivery.EMAIL,
                email_status=EmailStatus.PENDING,
            ).values_list("pk", flat=True)
        )
    if ids:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.enqueue(ids))
    return ids


def notify(
    *,
    kind: str,
    recipients: Iterable,
    target=None,
    path: str = "",
    params: dict | None = None,
    fallback_language: str = "",
    dedup_key: str = "",
    actor=None,
) -> list[Notification]:
    """Tell each recipient (users) that `kind` happened to `target`.

    The actor is not told of their own action, and nobody is told about a record
    they may not read (readers.py). `path` is the page to open, without a language
    prefix; `params` holds what the message needs beyond the target (a reason, a due
    date); nothing in it should be more private than the target itself."""
    people = {}
    for user in recipients:
        if user is None or not user.is_active:
            continue
        if actor is not None and user.pk == actor.pk:
            continue
        people[user.pk] = user
    if not people:
        return []
    remember_memberships(people.values())  # the reader rules below read them
    target_type = ContentType.objects.get_for_model(target) if target else None
    deliveries = deliveries_for(people, kind)
    rows = []
    for user in people.values():
        row = Notification(
            recipient=user,
            kind=kind,
            target_type=target_type,
            target_id=getattr(target, "pk", None),
            params=params or {},
            path=path,
            fallback_language=fallback_language,
            dedup_key=dedup_key,
            delivery=deliveries[user.pk],
        )
        if target is not None and not may_read(user, row):
            continue
        rows.append(row)
    record(rows)
    return rows


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them without `ids`)."""
    rows = inbox_of(user).unread()
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def mark_comments_read(*, user, proposal) -> int:
    """Seeing a proposal's discussion reads what the inbox said of its comments."""
    return (
        inbox_of(user)
        .unread()
        .about_comments_on(proposal)
        .update(read_at=timezone.now())
    )


def mark_unread(*, user, ids: Iterable[int]) -> int:
    return inbox_of(user).filter(pk__in=list(ids)).update(read_at=None)


@transaction.atomic
def preferences_set(*, user, choices: dict[str, str]) -> None:
    """Save the person's delivery per kind ({kind: delivery}); mandatory kinds
    cannot be set to portal only (the form offers no such choice)."""
    for kind, delivery in choices.items():
        Preference.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": _allowed(kind, delivery)}
        )


def calendar_feed_for(user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_reset(*, user) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    feed = calendar_feed_for(user)
    feed.key = new_feed_key()
    feed.save(update_fields=["key", "created_at"])
    return feed


def calendar_feed_replace(*, user) -> None:
    """A new secret address if the person has a feed (none is created)."""
    CalendarFeed.objects.filter(user=user).update(key=new_feed_key())
