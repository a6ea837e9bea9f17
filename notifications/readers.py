"""May this person still read what a notification is about?

The same rules as the pages: each kind of record has its reader rule from the app's
permissions module; a few kinds narrow it (a decision goes only to committee members
with access, never to the recused). Checked when a notification is created, when its
e-mail is sent and when the inbox shows it: access can end in between.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType

from affiliates import permissions as affiliate_rules
from cms import permissions as story_rules
from exports import permissions as export_rules
from grants import permissions as grant_rules

from .choices import Kind
from .kinds import spec

# "app_label.model" of the target → rule(user, queryset) -> the readable part.
TARGET_RULES = {
    "grants.proposal": grant_rules.visible_proposals,
    "grants.grantreport": grant_rules.visible_grant_reports,
    "grants.proposalcomment": grant_rules.visible_comments,
    "grants.round": grant_rules.committee_rounds,
    "grants.reviewerassignment": grant_rules.visible_assignments,
    "affiliates.affiliatereport": affiliate_rules.visible_affiliate_reports,
    "affiliates.membership": affiliate_rules.visible_memberships,
    "cms.learningstorypage": story_rules.own_stories,
    "exports.export": export_rules.visible_exports,
}


# Kinds whose audience is narrower than every reader of the target.
KIND_RULES = {
    # What is said to the applicant (reasons, conditions) stays with its members,
    # even once the proposal itself is public.
    Kind.PROPOSAL_SUBMITTED: grant_rules.private_proposals,
    Kind.PROPOSAL_SENT_BACK: grant_rules.private_proposals,
    Kind.PROPOSAL_DECIDED: grant_rules.private_proposals,
    Kind.PROPOSAL_FUNDED: grant_rules.private_proposals,
    Kind.REVIEWER_ASSIGNED: grant_rules.assignments_in_force,
    Kind.SCORING_DUE: grant_rules.proposals_to_score,
    Kind.DECISION_RECORDED: grant_rules.committee_news_proposals,
    Kind.COMMITTEE_REVIEW_OPENED: grant_rules.committee_rounds,
}


def inbox_of(user):
    """A person's own notifications: nobody reads or marks anyone else's."""
    from .models import Notification

    if not (user and user.is_authenticated):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user.pk)


def _rule(notification):
    if notification.kind in KIND_RULES:
        return KIND_RULES[notification.kind]
    content_type = ContentType.objects.get_for_id(notification.target_type_id)
    return TARGET_RULES[f"{content_type.app_label}.{content_type.model}"]


def readable(user, notifications) -> list:
    """Those notifications of one recipient that they may still read, in order: one
    query per kind of target among them, whatever their number."""
    notifications = list(notifications)
    if not (user and user.is_active):
        return []  # a deactivated account hears nothing more
    keep = set()
    groups = defaultdict(list)
    for index, notification in enumerate(notifications):
        still_for = spec(notification.kind).still_for
        if still_for is not None:
            if still_for(user, notification):
                keep.add(index)
        elif notification.target_type_id is None:
            keep.add(index)
        else:
            key = (_rule(notification), notification.target_type_id)
            groups[key].append(index)
    for (rule, type_id), indexes in groups.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        ids = {notifications[i].target_id for i in indexes}
        visible = set(
            rule(user, model._default_manager.filter(pk__in=ids)).values_list(
                "pk", flat=True
            )
        )
        keep.update(i for i in indexes if notifications[i].target_id in visible)
    return [n for i, n in enumerate(notifications) if i in keep]


def may_read(user, notification) -> bool:
    return bool(readable(user, [notification]))
