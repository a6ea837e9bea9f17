"""What the portal told whom: one row per recipient and event.

A row is both the entry in the person's inbox and the record of its e-mail (status,
attempts, last error), so that nothing is sent twice: reminders carry a `dedup_key`
("report 12 due 2027-03-31, 14 days before") that is unique per recipient, and a
worker sends only the rows it has claimed by moving them from pending to sending.

Messages are not stored as text: they are rendered from the kind's template in the
reader's language when shown or sent, from the live record, through the reader rules.
"""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Delivery, EmailStatus, Kind


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def about_comments_on(self, proposal):
        """Entries about the comments of a proposal's discussion."""
        from grants.models import ProposalComment

        return self.filter(
            kind__in=[Kind.COMMENT_POSTED, Kind.COMMENT_REPLY],
            target_type=ContentType.objects.get_for_model(ProposalComment),
            target_id__in=ProposalComment.objects.filter(proposal=proposal).values(
                "pk"
            ),
        )

    def with_targets(self):
        """Load what the messages are about, with what their templates name (the
        proposal, its round, the affiliate): one query per kind of record."""
        from django.contrib.contenttypes.prefetch import GenericPrefetch

        from affiliates.models import AffiliateReport, Membership
        from grants.models import (
            GrantReport,
            Proposal,
            ProposalComment,
            ReviewerAssignment,
        )

        return self.select_related("target_type").prefetch_related(
            GenericPrefetch(
                "target",
                [
                    Proposal.objects.select_related("affiliate", "round"),
                    ProposalComment.objects.select_related("proposal"),
                    GrantReport.objects.select_related("proposal"),
                    AffiliateReport.objects.select_related("affiliate"),
                    Membership.objects.select_related("affiliate", "user__profile"),
                    ReviewerAssignment.objects.select_related("proposal__round"),
                ],
            )
        )


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # Small values the message needs beyond the record: a due date, the stage of a
    # reminder, an outcome, the staff's reason. Never shown unescaped.
    params = models.JSONField(default=dict, blank=True)
    # The page it links to, without a language prefix ("/grants/proposals/5/").
    path = models.CharField(max_length=300, blank=True)
    # The language of the affiliate concerned: used when the person has not chosen.
    fallback_language = models.CharField(max_length=10, blank=True)
    dedup_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)
    # Which sending run holds the row: a worker sends only the rows it claimed.
    email_claim = models.CharField(max_length=32, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedup_key"],
                condition=~Q(dedup_key=""),
                name="notification_once_per_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "read_at"], name="notification_inbox_idx"
            ),
            models.Index(
                fields=["email_status", "delivery"], name="notification_outbox_idx"
            ),
            # Entries about a record (a discussion's comments, say).
            models.Index(
                fields=["target_type", "target_id"], name="notification_target_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """How one person wants one kind; no row means the kind's default (kinds.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    delivery = models.CharField(_("delivery"), max_length=8, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="one_preference_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.delivery}"


def new_feed_key() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret address of a person's calendar. Anyone holding it can read the
    dates in it, so it can be replaced (the old address then stops working)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key = models.CharField(max_length=64, unique=True, default=new_feed_key)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"calendar of {self.user_id}"
