"""Reports of community comments, for staff moderation."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal import limits
from portal.fields import LimitedTextField

from .reviews import ProposalComment


class CommentReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")
    COMMENT_HIDDEN = "comment_hidden", _("Comment hidden")


class CommentReport(models.Model):
    """Someone asks staff to look at a comment ("report this comment")."""

    comment = models.ForeignKey(
        ProposalComment, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = LimitedTextField(_("what is wrong with it"), max_length=limits.MESSAGE)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CommentReportStatus.choices,
        default=CommentReportStatus.OPEN,
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    outcome = LimitedTextField(
        _("moderator's reason"), max_length=limits.COMMENT, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=Q(status="open"),
                name="one_open_report_per_person_and_comment",
            )
        ]

    def __str__(self):
        return f"{self.reporter} on comment {self.comment_id}"
