"""Wagtail admin hooks for learning stories."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

# A draft saved by a member through the portal, with the reason they gave; the page's
# history in the admin shows the reason as the entry's comment.
STORY_DRAFT_SAVED = "cms.story.draft_saved"


@hooks.register("register_log_actions")
def register_story_log_actions(actions):
    @actions.register_action(STORY_DRAFT_SAVED)
    class DraftSavedFormatter(LogFormatter):
        label = _("Draft saved by a member")

        def format_comment(self, log_entry):
            return log_entry.data.get("comment", "")
