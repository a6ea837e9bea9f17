"""What is sent, to whom: one function per event, called by the services that cause
it, inside their transaction (rows are written with the change; e-mails leave after
commit).

Each function works out the recipients and hands them to `notify`, which drops
inactive people, the actor and anyone who may not read the target (readers.py).
Messages to committee members never carry the applicant's name nor the applicant's
language: in a blind round either would say whose proposal it is.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from affiliates.choices import MembershipRole, MembershipStatus

from .choices import Kind
from .models import Notification
from .readers import readable
from .services import deliveries_for, notify, record


def _path(name: str, *args) -> str:
    # English pages carry no language prefix: the e-mail adds the reader's own.
    with translation.override("en"):
        return reverse(name, args=args)


def _language(affiliate) -> str:
    languages = getattr(affiliate, "working_languages", None) or []
    return languages[0] if languages else ""


def _users(**filters):
    return get_user_model().objects.filter(is_active=True, **filters).distinct()


def _members(affiliate, *, admins_only: bool = False):
    """The affiliate's active members (its admins only, if asked)."""
    memberships = Q(
        memberships__affiliate=affiliate, memberships__status=MembershipStatus.ACTIVE
    )
    if admins_only:
        memberships &= Q(memberships__role=MembershipRole.ADMIN)
    return _users().filter(memberships)


def _authors(proposal):
    """Who wrote the proposal (created it, or saved a version of it), if still an
    active member of the applicant affiliate."""
    writers = {proposal.created_by_id} | set(
        proposal.history.exclude(history_user=None).values_list(
            "history_user_id", flat=True
        )
    )
    return _members(proposal.affiliate).filter(pk__in=writers - {None})


def _committee(round_):
    """The active members of the round's committee (voting or not)."""
    if round_.committee_id is None:
        return _users().none()
    return _users(
        committee_seats__committee=round_.committee_id,
        committee_seats__is_active=True,
    )


# Proposals ---------------------------------------------------------------------


def proposal_submitted(proposal, actor):
    """A receipt with the reference, to the affiliate's admins (the submitter too)."""
    return notify(
        kind=Kind.PROPOSAL_SUBMITTED,
        recipients=_members(proposal.affiliate, admins_only=True),
        target=proposal,
        path=_path("grants:proposal", proposal.pk),
        fallback_language=_language(proposal.affiliate),
        actor=None,
    )


def _to_applicant(kind, proposal, actor, params=None):
    recipients = {
        user.pk: user
        for user in [
            *_members(proposal.affiliate, admins_only=True),
            *_authors(proposal),
        ]
    }
    return notify(
        kind=kind,
        recipients=recipients.values(),
        target=proposal,
        path=_path("grants:proposal", proposal.pk),
        params=params,
        fallback_language=_language(proposal.affiliate),
        actor=actor,
    )


def proposal_sent_back(proposal, actor, reason):
    return _to_applicant(
        Kind.PROPOSAL_SENT_BACK, proposal, actor, {"reason": reason or ""}
    )


def proposal_decided(proposal, actor, outcome, reason):
    """`outcome`: the proposal's new status (approved, approved_with_conditions,
    declined); `reason`: the conditions, or the reasons given."""
    return _to_applicant(
        Kind.PROPOSAL_DECIDED,
        proposal,
        actor,
        {"outcome": str(outcome), "reason": reason or ""},
    )


def proposal_funded(proposal, actor):
    return _to_applicant(Kind.PROPOSAL_FUNDED, proposal, actor)


# Community comments -------------------------------------------------------------


def comment_posted(comment, actor):
    """A new comment to the applicant's members; a reply also to the author of the
    comment it answers (told as a reply, once). Nobody hears of their own words.

    A member with an unread entry about this discussion is not told again: that
    entry leads to the page, where the new comments are too, and a busy discussion
    would otherwise fill their inbox (and mailbox). Seeing the discussion (its page
    or the proposal's) marks its entries read (`services.mark_comments_read`), so
    the next comment is told."""
    proposal = comment.proposal
    path = _path("grants:comments", proposal.pk)
    language = _language(proposal.affiliate)
    replied_to = comment.parent.author if comment.parent_id else None
    # Locked: a page showing the thread marks these read and only then reads the
    # comments, so whichever of the two commits first, the other sees it.
    silenced = list(
        Notification.objects.unread()
        .about_comments_on(proposal)
        .select_for_update()
        .values_list("recipient_id", flat=True)
    )
    members = _members(proposal.affiliate).exclude(pk__in=silenced)
    if replied_to is not None:
        members = members.exclude(pk=replied_to.pk)
        # The applicant's language only for its own members: to anyone else (a
        # committee member in a blind round) it would say whose proposal it is.
        own = _members(proposal.affiliate).filter(pk=replied_to.pk).exists()
        notify(
            kind=Kind.COMMENT_REPLY,
            recipients=[replied_to],
            target=comment,
            path=path,
            fallback_language=language if own else "",
            actor=actor,
        )
    return notify(
        kind=Kind.COMMENT_POSTED,
        recipients=members,
        target=comment,
        path=path,
        fallback_language=language,
        actor=actor,
    )


# Memberships ---------------------------------------------------------------------


def join_requested(membership, actor):
    affiliate = membership.affiliate
    return notify(
        kind=Kind.JOIN_REQUESTED,
        recipients=_members(affiliate, admins_only=True),
        target=membership,
        path=_path("affiliates:requests", affiliate.slug),
        fallback_language=_language(affiliate),
        actor=actor,
    )


def join_decided(membership, actor):
    affiliate = membership.affiliate
    approved = membership.status == MembershipStatus.ACTIVE
    return notify(
        kind=Kind.JOIN_DECIDED,
        recipients=[membership.user],
        target=membership,
        path=_path("affiliates:profile", affiliate.slug),
        params={"outcome": "approved" if approved else "rejected"},
        fallback_language=_language(affiliate),
        actor=actor,
    )


# Committees ----------------------------------------------------------------------


def reviewer_assigned(assignment, actor):
    return reviewers_assigned([assignment], actor)


def reviewers_assigned(assignments, actor):
    """Tell each reviewer of their new assignments: a fixed number of queries for
    the lot, plus one reader check per reviewer (never per proposal)."""
    from grants.models import ReviewerAssignment, Round

    assignments = [a for a in assignments if a.reviewer.is_active]
    if actor is not None:
        assignments = [a for a in assignments if a.reviewer_id != actor.pk]
    if not assignments:
        return []
    round_ids = {a.proposal.round_id for a in assignments}
    deadlines = dict(
        Round.objects.filter(pk__in=round_ids).values_list("pk", "scoring_deadline")
    )
    deliveries = deliveries_for(
        {a.reviewer_id for a in assignments}, Kind.REVIEWER_ASSIGNED
    )
    target_type = ContentType.objects.get_for_model(ReviewerAssignment)
    by_reviewer = defaultdict(list)
    for assignment in assignments:
        due = deadlines.get(assignment.proposal.round_id)
        by_reviewer[assignment.reviewer_id].append(
            Notification(
                recipient=assignment.reviewer,
                kind=Kind.REVIEWER_ASSIGNED,
                target_type=target_type,
                target_id=assignment.pk,
                params={"due": due.isoformat()} if due else {},
                path=_path("grants:review", assignment.proposal_id),
                delivery=deliveries[assignment.reviewer_id],
            )
        )
    rows = []
    for mine in by_reviewer.values():
        rows += readable(mine[0].recipient, mine)
    record(rows)
    return rows


def committee_review_opened(proposal, actor):
    """Once per round, when its first proposal reaches the committee: the round,
    never a proposal (whose applicant a blind round hides)."""
    round_ = proposal.round
    return notify(
        kind=Kind.COMMITTEE_REVIEW_OPENED,
        recipients=_committee(round_),
        target=round_,
        path=_path("grants:committee_round", round_.pk),
        dedup_key=f"committee-review-opened:round:{round_.pk}",
        actor=actor,
    )


def decision_recorded(decision, actor):
    """The committee hears of the decision; the recused hear nothing of it."""
    from grants.permissions import recused_user_ids

    proposal = decision.proposal
    members = list(_committee(proposal.round))
    recused = recused_user_ids(proposal, [user.pk for user in members])
    return notify(
        kind=Kind.DECISION_RECORDED,
        recipients=[user for user in members if user.pk not in recused],
        target=proposal,
        path=_path("grants:committee_proposal", proposal.pk),
        actor=actor,
    )


# Reports, stories, packets ---------------------------------------------------------


def report_reviewed(report, actor, outcome, reason):
    """A grant report or an annual report accepted (`outcome` "accepted") or sent
    back ("sent_back"), to the affiliate's admins."""
    from affiliates.models import AffiliateReport

    if isinstance(report, AffiliateReport):
        affiliate = report.affiliate
        path = _path("affiliates:annual_report", report.pk)
    else:
        affiliate = report.proposal.affiliate
        path = _path("grants:report", report.pk)
    return notify(
        kind=Kind.REPORT_REVIEWED,
        recipients=_members(affiliate, admins_only=True),
        target=report,
        path=path,
        params={
            "affiliate": affiliate.name,
            "outcome": outcome,
            "reason": reason or "",
        },
        fallback_language=_language(affiliate),
        actor=actor,
    )


def story_reviewed(story, outcome, comment, actor=None, submitter=None):
    """The editorial board approved a story ("approved") or asked for changes
    ("needs_changes"): its authors hear, with the board's comment."""
    people = {user.pk: user for user in story.authors.filter(is_active=True)}
    if submitter is not None:
        people.setdefault(submitter.pk, submitter)
    return notify(
        kind=Kind.STORY_REVIEWED,
        recipients=people.values(),
        target=story,
        path=_path("cms:story", story.pk),
        params={"outcome": outcome, "comment": comment or ""},
        fallback_language=_language(story.affiliate),
        actor=actor,
    )


def packet_finished(export):
    """A round packet is ready, or could not be made: who asked for it hears, in
    the language they asked for it when they chose none."""
    from exports.choices import ExportStatus
    from grants.models import Round

    round_name = (
        Round.objects.filter(pk=export.object_id).values_list("name", flat=True).first()
    )
    return notify(
        kind=Kind.PACKET_FINISHED,
        recipients=[export.requested_by],
        target=export,
        path=_path("exports:job", export.pk),
        params={
            "outcome": "ready" if export.status == ExportStatus.READY else "failed",
            "round": round_name or "",
        },
        fallback_language=export.language,
        dedup_key=f"packet-finished:{export.pk}",
    )
