"""Each kind of notification: its subject line, whether people may turn its e-mail
off, how it is delivered unless they choose otherwise, and who may still read it.

Subject lines carry no private data (no titles, names or amounts): an e-mail subject
is shown on lock screens and kept by every server on the way.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from affiliates.permissions import is_admin, is_staff

from .choices import Delivery, Kind


@dataclass(frozen=True)
class KindSpec:
    subject: str
    # Deadline reminders cannot be turned off: only how they arrive can change,
    # and never to "portal only".
    mandatory: bool = False
    default: str = Delivery.EMAIL
    # Who may still read it, when the reader rules of the target do not say it all
    # (None: the target's reader rules in readers.py decide).
    still_for: Callable | None = None


def _still_admin(user, notification) -> bool:
    """Report reminders go to the affiliate's admins: still one (or staff) now?"""
    affiliate_id = notification.params.get("affiliate_id")
    return is_staff(user) or (affiliate_id is not None and is_admin(user, affiliate_id))


KINDS: dict[str, KindSpec] = {
    Kind.PROPOSAL_SUBMITTED: KindSpec(_("Your proposal was received")),
    Kind.PROPOSAL_SENT_BACK: KindSpec(_("A proposal was sent back to you")),
    Kind.PROPOSAL_DECIDED: KindSpec(_("The committee decided on a proposal")),
    Kind.PROPOSAL_FUNDED: KindSpec(_("A grant has been funded")),
    Kind.COMMENT_POSTED: KindSpec(
        _("New comment on a proposal"), default=Delivery.DIGEST
    ),
    Kind.COMMENT_REPLY: KindSpec(_("Someone replied to your comment")),
    Kind.JOIN_REQUESTED: KindSpec(_("Someone asks to join your affiliate")),
    Kind.JOIN_DECIDED: KindSpec(_("Your request to join an affiliate was answered")),
    Kind.REVIEWER_ASSIGNED: KindSpec(_("A proposal was assigned to you for review")),
    Kind.SCORING_DUE: KindSpec(_("A review is due soon"), mandatory=True),
    Kind.COMMITTEE_REVIEW_OPENED: KindSpec(_("Committee review has opened")),
    Kind.DECISION_RECORDED: KindSpec(_("A committee decision was recorded")),
    Kind.REPORT_DUE: KindSpec(
        _("A report is due"), mandatory=True, still_for=_still_admin
    ),
    Kind.REPORT_REVIEWED: KindSpec(_("A report was reviewed")),
    Kind.STORY_REVIEWED: KindSpec(_("Your learning story was reviewed")),
    Kind.PACKET_FINISHED: KindSpec(_("Your committee packet")),
}


# The settings page shows the kinds in these groups, in this order.
GROUPS = [
    (
        _("Your affiliate's proposals and reports"),
        [
            Kind.PROPOSAL_SUBMITTED,
            Kind.PROPOSAL_SENT_BACK,
            Kind.PROPOSAL_DECIDED,
            Kind.PROPOSAL_FUNDED,
            Kind.REPORT_DUE,
            Kind.REPORT_REVIEWED,
        ],
    ),
    (
        _("Community and membership"),
        [
            Kind.COMMENT_POSTED,
            Kind.COMMENT_REPLY,
            Kind.JOIN_REQUESTED,
            Kind.JOIN_DECIDED,
            Kind.STORY_REVIEWED,
        ],
    ),
    (
        _("Reviewing and committees"),
        [
            Kind.REVIEWER_ASSIGNED,
            Kind.SCORING_DUE,
            Kind.COMMITTEE_REVIEW_OPENED,
            Kind.DECISION_RECORDED,
            Kind.PACKET_FINISHED,
        ],
    ),
]


def spec(kind: str) -> KindSpec:
    return KINDS[kind]


def choices_for(kind: str) -> list[tuple[str, str]]:
    """The deliveries a person may choose for this kind."""
    if spec(kind).mandatory:
        return [
            (Delivery.EMAIL, Delivery.EMAIL.label),
            (Delivery.DIGEST, Delivery.DIGEST.label),
        ]
    return list(Delivery.choices)
