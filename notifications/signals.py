"""Events that happen outside our services: the editorial board reviews learning
stories in Wagtail's workflow, so we listen to Wagtail's signals."""

from wagtail.signals import task_rejected, workflow_approved

from . import events


def _story(workflow_state):
    from cms.models import LearningStoryPage

    return (
        LearningStoryPage.objects.filter(pk=workflow_state.object_id)
        .select_related("affiliate")
        .first()
    )


def story_approved(sender, instance, user=None, **kwargs):
    """The whole workflow is approved: the story is published."""
    story = _story(instance)
    if story is None:
        return
    events.story_reviewed(
        story, "approved", "", actor=user, submitter=instance.requested_by
    )


def story_sent_back(sender, instance, user=None, **kwargs):
    """A board task asked for changes, with its comment."""
    workflow_state = instance.workflow_state
    story = _story(workflow_state)
    if story is None:
        return
    events.story_reviewed(
        story,
        "needs_changes",
        instance.comment,
        actor=user,
        submitter=workflow_state.requested_by,
    )


def connect() -> None:
    workflow_approved.connect(story_approved, dispatch_uid="notify-story-approved")
    task_rejected.connect(story_sent_back, dispatch_uid="notify-story-sent-back")
