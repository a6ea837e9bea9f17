"""Conflict-of-interest declarations: written by the declarant only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import save_audited

from .. import permissions
from ..models import (
    DeclaredInterest,
    InterestDeclaration,
    Proposal,
    ProposalDeclaration,
)
from ._children import sync_children


def _check_interests(no_interests: bool, interests) -> None:
    if no_interests and interests:
        raise ValidationError(
            {
                "interests": _(
                    "You said you have no interests to declare, yet listed some."
                )
            }
        )


@transaction.atomic
def interest_declaration_create(
    *, actor, interests=(), reason: str = "", **fields
) -> InterestDeclaration:
    """A person declares their interests for a year (once; then they update it)."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied
    interests = list(interests)
    _check_interests(fields.get("no_interests", False), interests)
    if InterestDeclaration.objects.filter(user=actor, year=fields.get("year")).exists():
        raise ValidationError(
            {
                "year": _(
                    "You have declared for this year already; update that declaration."
                )
            }
        )
    declaration = save_audited(
        InterestDeclaration(user=actor, signed_at=timezone.now(), **fields),
        actor=actor,
        reason=reason,
    )
    _write_interests(declaration, interests, actor, reason)
    return declaration


def _write_interests(declaration, interests, actor, reason):
    sync_children(
        parent_field="declaration",
        parent=declaration,
        model=DeclaredInterest,
        items=interests,
        field_name="interests",
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def interest_declaration_update(
    *,
    actor,
    declaration: InterestDeclaration,
    interests=None,
    reason: str = "",
    **fields,
) -> InterestDeclaration:
    declaration = InterestDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if not permissions.can_edit_declaration(actor, declaration):
        raise PermissionDenied
    if "year" in fields and fields["year"] != declaration.year:
        raise ValidationError({"year": _("The year of a declaration cannot change.")})
    no_interests = fields.get("no_interests", declaration.no_interests)
    current = list(declaration.interests.all()) if interests is None else interests
    _check_interests(no_interests, current)
    for name, value in fields.items():
        setattr(declaration, name, value)
    declaration.signed_at = timezone.now()
    save_audited(declaration, actor=actor, reason=reason)
    if interests is not None:
        _write_interests(declaration, interests, actor, reason)
    return declaration


@transaction.atomic
def proposal_declaration_create(
    *, actor, proposal: Proposal, reason: str = "", **fields
) -> ProposalDeclaration:
    """Declare, for one proposal, no conflict or a conflict with its type."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied
    if (
        not permissions.declarable_proposals(actor, Proposal.objects)
        .filter(pk=proposal.pk)
        .exists()
    ):
        raise ValidationError({"proposal": _("You cannot declare on this proposal.")})
    if ProposalDeclaration.objects.filter(user=actor, proposal=proposal).exists():
        raise ValidationError(
            {"proposal": _("You have declared on this proposal already; update it.")}
        )
    declaration = ProposalDeclaration(
        user=actor, proposal=proposal, declared_at=timezone.now(), **fields
    )
    return save_audited(declaration, actor=actor, reason=reason)


@transaction.atomic
def proposal_declaration_update(
    *, actor, declaration: ProposalDeclaration, reason: str = "", **fields
) -> ProposalDeclaration:
    declaration = ProposalDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if not permissions.can_edit_declaration(actor, declaration):
        raise PermissionDenied
    if "proposal" in fields and fields.pop("proposal").pk != declaration.proposal_id:
        raise ValidationError({"proposal": _("A declaration stays with its proposal.")})
    if declaration.has_conflict and fields.get("has_conflict") is False:
        raise ValidationError(
            {
                "has_conflict": _(
                    "A declared conflict stays on record; you remain recused. "
                    "Ask programme staff if it was declared by mistake."
                )
            }
        )
    for name, value in fields.items():
        setattr(declaration, name, value)
    declaration.declared_at = timezone.now()
    return save_audited(declaration, actor=actor, reason=reason)
