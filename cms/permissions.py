"""Who may write learning stories: approved members, for their own affiliate only."""

from affiliates.permissions import is_member, member_affiliate_ids


def can_write_story_for(user, affiliate) -> bool:
    return is_member(user, affiliate.pk)


def own_stories(user, queryset):
    """Stories of the user's affiliates, drafts included; nobody else's drafts."""
    if not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(affiliate_id__in=member_affiliate_ids(user))


def can_edit_story(user, story) -> bool:
    """Members edit drafts and stories sent back; not while the board reviews them,
    and published stories change through a new draft reviewed again."""
    if not can_write_story_for(user, story.affiliate):
        return False
    state = story.current_workflow_state
    return state is None or state.status == state.STATUS_NEEDS_CHANGES


def visible_stories(user, queryset):
    """Published stories in public sections: everyone. Drafts never (members read
    their own through `own_stories`)."""
    return queryset.live().public()
