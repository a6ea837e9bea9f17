"""The affiliate dashboard's stories panel (see affiliates/dashboard.py)."""

from affiliates.dashboard import Panel

from . import permissions
from .models import LearningStoryPage


def story_rows(user, queryset):
    """A member's view of stories, drafts included, with each story's status read
    from prefetched workflow states (no query per row)."""
    from .api import with_workflow_states

    return permissions.own_stories(
        user,
        with_workflow_states(
            queryset.select_related("locale", "affiliate").order_by("-pk")
        ),
    )


def stories(request, affiliate) -> Panel:
    rows = story_rows(
        request.user, LearningStoryPage.objects.filter(affiliate=affiliate)
    )[:20]
    return Panel(
        "cms/stories/_dashboard_panel.html",
        {
            "stories": rows,
            "can_write": permissions.can_write_story_for(request.user, affiliate),
            "affiliate": affiliate,
        },
    )
