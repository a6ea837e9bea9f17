"""Saving and deleting audited models with the acting user and a reason.

simple-history reads `_history_user` and `_change_reason` from the instance when it
writes the history row. Services call these helpers instead of `save()` so that every
change, whether it comes from the API, the admin, a task or a script, names a person and
a reason. Never use `QuerySet.update()` on an audited model: no history row is written.
"""

from django.core.exceptions import ValidationError
from django.db import models


def _tag(instance: models.Model, actor, reason: str | None) -> None:
    instance._history_user = (
        actor if getattr(actor, "is_authenticated", False) else None
    )
    instance._change_reason = (reason or "").strip()


def save_audited(instance: models.Model, *, actor, reason: str | None = "", **kwargs):
    """Validate the instance, then save it with its history user and reason."""
    instance.full_clean()
    _tag(instance, actor, reason)
    instance.save(**kwargs)
    return instance


def delete_audited(instance: models.Model, *, actor, reason: str | None = "") -> None:
    """Delete the instance; its last history row records who deleted it and why."""
    _tag(instance, actor, reason)
    instance.delete()


def require_reason(reason: str | None, message) -> str:
    """Steps whose reason the other side reads (sending back, hiding, reopening)
    refuse to go without one. Returns the reason, trimmed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"change_reason": message})
    return reason
