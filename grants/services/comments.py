"""Community comments during a proposal's comment period, and their moderation."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import require_reason, save_audited

from .. import permissions
from ..choices import ProposalStatus
from ..models import Proposal, ProposalComment
from .committees import staff_only


@transaction.atomic
def comment_create(*, actor, proposal: Proposal, body: str, parent=None, reason=""):
    """Signed-in people comment during the comment period; the applicant replies."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied
    proposal = Proposal.objects.select_related("round").get(pk=proposal.pk)
    today = timezone.localdate()
    if (
        proposal.status != ProposalStatus.COMMUNITY_REVIEW
        or today > proposal.round.comment_period_ends_on
    ):
        raise ValidationError(
            {"proposal": _("This proposal is not open for comments.")}
        )
    if parent is not None:
        if parent.proposal_id != proposal.pk:
            raise ValidationError({"parent": _("Reply on the same proposal.")})
        if not permissions.can_reply_as_applicant(actor, proposal):
            raise PermissionDenied(_("Only the applicant replies to comments."))
    comment = ProposalComment(proposal=proposal, author=actor, body=body, parent=parent)
    return save_audited(comment, actor=actor, reason=reason)


@transaction.atomic
def comment_hide(*, actor, comment: ProposalComment, reason: str):
    """Staff hide an abusive comment; its text stays in the history."""
    staff_only(actor)
    reason = require_reason(reason, _("Say why the comment is hidden."))
    comment.is_hidden = True
    return save_audited(comment, actor=actor, reason=reason)
