"""Fund programs and rounds: set up by staff, every change in the history."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import save_audited

from .. import permissions
from ..models import FundProgram, Review, Round


def _staff_only(actor) -> None:
    if not permissions.can_manage_programs(actor):
        raise PermissionDenied


def _save(model, *, actor, instance=None, reason="", **fields):
    _staff_only(actor)
    instance = instance or model()
    for name, value in fields.items():
        setattr(instance, name, value)
    return save_audited(instance, actor=actor, reason=reason)


def _check_rubric(round_: Round) -> None:
    if round_.rubric_id and round_.rubric.program_id != round_.program_id:
        raise ValidationError({"rubric": _("Choose a rubric of the round's program.")})


def rubric_locked(round_: Round) -> bool:
    """Reviews of the round were scored on its rubric: it cannot change any more."""
    return Review.objects.filter(proposal__round=round_).exists()


@transaction.atomic
def program_create(*, actor, reason: str = "", **fields) -> FundProgram:
    return _save(FundProgram, actor=actor, reason=reason, **fields)


@transaction.atomic
def program_update(*, actor, program: FundProgram, reason: str = "", **fields):
    return _save(FundProgram, actor=actor, instance=program, reason=reason, **fields)


@transaction.atomic
def round_create(*, actor, reason: str = "", **fields) -> Round:
    """Open a round. Its rubric is frozen now: the one given, else the program's
    current version; a later version of the program's rubric does not touch it."""
    _staff_only(actor)
    if fields.get("rubric") is None and fields.get("program") is not None:
        fields["rubric"] = fields["program"].current_rubric
    round_ = Round(**fields)
    _check_rubric(round_)
    return _save(Round, actor=actor, instance=round_, reason=reason)


@transaction.atomic
def round_update(*, actor, round: Round, reason: str = "", **fields) -> Round:
    """Change a round's dates and settings; its rubric only until scoring starts."""
    _staff_only(actor)
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    if "rubric" in fields and fields["rubric"] != round_.rubric:
        if rubric_locked(round_):
            raise ValidationError(
                {"rubric": _("Reviews use this round's rubric: it cannot change now.")}
            )
    if "program" in fields and fields["program"] != round_.program:
        raise ValidationError({"program": _("A round stays with its program.")})
    for name, value in fields.items():
        setattr(round_, name, value)
    _check_rubric(round_)
    return _save(Round, actor=actor, instance=round_, reason=reason)


def round_freeze_rubric(*, actor, round_: Round, reason: str = "") -> Round:
    """Give a round without a rubric the program's current one, once, when scoring
    is about to start (rounds set up before the program had a rubric)."""
    if round_.rubric_id is None:
        round_.rubric = round_.program.current_rubric
        if round_.rubric is not None:
            save_audited(
                round_, actor=actor, reason=reason or _("Rubric frozen for scoring")
            )
    return round_
