from django.db import models
from django.utils.translation import gettext_lazy as _


class StoryStatus(models.TextChoices):
    """Where a member's story stands, as /api/v1/my-stories/ reports it."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("With the editorial board")
    NEEDS_CHANGES = "needs_changes", _("Changes requested")
    LIVE = "live", _("Published")
