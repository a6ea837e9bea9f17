"""What a reader sees of a learning story's people.

Authors write for their affiliate, so naming them says they belong to it: for an
affiliate that hides its members, readers outside it see "a member of …" unless the
author chose to be named (affiliates/readers.py decides).
"""

from affiliates.readers import member_name


def story_author_names(reader, story) -> list[str]:
    return [
        member_name(reader, author, story.affiliate) for author in story.authors.all()
    ]


def story_editorial_comment(story) -> str:
    """The board's comment when it asked for changes ("" otherwise), from the
    story's current workflow state (prefetched in lists)."""
    state = story.current_workflow_state
    if state is None or state.status != state.STATUS_NEEDS_CHANGES:
        return ""
    task_state = state.current_task_state
    return (task_state.comment if task_state else "") or ""
