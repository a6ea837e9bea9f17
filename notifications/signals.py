"""Events that happen outside our services: the editorial board reviews learning
stories in Wagtail's workflow, so we listen to Wagtail's signals; password and
two-factor changes happen in allauth, so we listen to its signals."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
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


def new_calendar_address(sender, user=None, **kwargs):
    """A password or two-factor change is when someone takes back an account: an
    address of the old calendar feed, seen by whoever had the account, stops."""
    from .services import calendar_feed_replace

    if user is not None:
        calendar_feed_replace(user=user)


ACCOUNT_CHANGES = (
    account_signals.password_set,
    account_signals.password_changed,
    account_signals.password_reset,
    mfa_signals.authenticator_added,
    mfa_signals.authenticator_removed,
    mfa_signals.authenticator_reset,
)


def connect() -> None:
    for number, signal in enumerate(ACCOUNT_CHANGES):
        signal.connect(new_calendar_address, dispatch_uid=f"calendar-address-{number}")
    workflow_approved.connect(story_approved, dispatch_uid="notify-story-approved")
    task_rejected.connect(story_sent_back, dispatch_uid="notify-story-sent-back")
