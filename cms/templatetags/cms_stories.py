"""`{% story_state story as state %}`: a member's story's status (StoryStatus, the
same words as the API's), a badge tone and the board's comment."""

from dataclasses import dataclass

from django import template

from ..choices import StoryStatus
from ..readers import story_editorial_comment

register = template.Library()

TONES = {
    StoryStatus.DRAFT: "neutral",
    StoryStatus.IN_REVIEW: "info",
    StoryStatus.NEEDS_CHANGES: "warning",
    StoryStatus.LIVE: "success",
}


@dataclass(frozen=True)
class StoryState:
    value: str
    label: str
    tone: str
    comment: str


def state_of(story) -> StoryState:
    status = StoryStatus(story.story_status())
    return StoryState(
        status.value, str(status.label), TONES[status], story_editorial_comment(story)
    )


@register.simple_tag
def story_state(story) -> StoryState:
    return state_of(story)
