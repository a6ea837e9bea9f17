from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What happened. Each kind has its message template in
    templates/notifications/messages/<kind>.html and its entry in kinds.KINDS."""

    PROPOSAL_SUBMITTED = "proposal_submitted", _("Proposal received")
    PROPOSAL_SENT_BACK = "proposal_sent_back", _("Proposal sent back")
    PROPOSAL_DECIDED = "proposal_decided", _("Decision on a proposal")
    PROPOSAL_FUNDED = "proposal_funded", _("Grant funded")
    COMMENT_POSTED = "comment_posted", _("New community comment")
    COMMENT_REPLY = "comment_reply", _("Reply to your comment")
    JOIN_REQUESTED = "join_requested", _("Request to join an affiliate")
    JOIN_DECIDED = "join_decided", _("Answer to your request to join")
    REVIEWER_ASSIGNED = "reviewer_assigned", _("Proposal assigned to you for review")
    SCORING_DUE = "scoring_due", _("Scoring deadline")
    COMMITTEE_REVIEW_OPENED = "committee_review_opened", _("Committee review opened")
    DECISION_RECORDED = "decision_recorded", _("Committee decision recorded")
    REPORT_DUE = "report_due", _("Report due")
    REPORT_REVIEWED = "report_reviewed", _("Report accepted or sent back")
    STORY_REVIEWED = "story_reviewed", _("Learning story reviewed")
    PACKET_FINISHED = "packet_finished", _("Committee packet ready or failed")


class Delivery(models.TextChoices):
    """How a person wants to hear about one kind of event."""

    EMAIL = "email", _("E-mail at once")
    DIGEST = "digest", _("Daily digest e-mail")
    PORTAL = "portal", _("Only in the portal")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will be retried")
    GAVE_UP = "gave_up", _("Failed, not retried")
    NOT_SENT = "not_sent", _("Not sent by e-mail")
    WITHHELD = "withheld", _("Withheld: no longer readable by the recipient")
