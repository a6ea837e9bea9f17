"""Fund programs and rounds: set up by staff, every change in the history."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from portal.audit import save_audited

from .. import permissions
from ..models import FundProgram, Round


def _save(model, *, actor, instance=None, reason="", **fields):
    if not permissions.can_manage_programs(actor):
        raise PermissionDenied
    instance = instance or model()
    for name, value in fields.items():
        setattr(instance, name, value)
    return save_audited(instance, actor=actor, reason=reason)


@transaction.atomic
def program_create(*, actor, reason: str = "", **fields) -> FundProgram:
    return _save(FundProgram, actor=actor, reason=reason, **fields)


@transaction.atomic
def program_update(*, actor, program: FundProgram, reason: str = "", **fields):
    return _save(FundProgram, actor=actor, instance=program, reason=reason, **fields)


@transaction.atomic
def round_create(*, actor, reason: str = "", **fields) -> Round:
    return _save(Round, actor=actor, reason=reason, **fields)


@transaction.atomic
def round_update(*, actor, round: Round, reason: str = "", **fields) -> Round:
    return _save(Round, actor=actor, instance=round, reason=reason, **fields)
