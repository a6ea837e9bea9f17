"""Writing a parent's nested rows (budget lines, metrics, results) with history."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal import limits
from portal.audit import delete_audited, save_audited


def check_child_count(model, items, field_name: str) -> None:
    """Refuse more rows than any real record has, before any of them is read.

    Every child model has its limit in portal.limits.CHILD_ROWS (a KeyError here is
    a model someone forgot to limit).
    """
    limit = limits.CHILD_ROWS[model._meta.label]
    if len(items) > limit:
        raise ValidationError(
            {
                field_name: _(
                    "At most %(limit)s rows can be sent here (%(count)s were sent)."
                )
                % {"limit": limit, "count": len(items)}
            }
        )


def sync_children(
    *, parent_field: str, parent, model, items, field_name: str, actor, reason
) -> None:
    """Make the parent's rows match `items`: update by id, create new, delete the rest.

    Each item is a dict of field values, with `id` for a row that exists already.
    Every create, change and delete is saved with history (user and reason).
    """
    check_child_count(model, items, field_name)
    existing = {row.pk: row for row in model.objects.filter(**{parent_field: parent})}
    keep = {item["id"] for item in items if item.get("id") is not None}
    unknown = sorted(keep - existing.keys())
    if unknown:
        raise ValidationError(
            {
                field_name: [
                    _("Row %(id)s is not part of this record.") % {"id": row_id}
                    for row_id in unknown
                ]
            }
        )
    # Deletions first, so that a replacement row may take a removed row's place.
    for row_id, row in existing.items():
        if row_id not in keep:
            delete_audited(row, actor=actor, reason=reason)
    errors = []
    for index, item in enumerate(items, start=1):
        item = dict(item)
        row_id = item.pop("id", None)
        if row_id is not None:
            row = existing[row_id]
            if all(getattr(row, name) == value for name, value in item.items()):
                continue
        else:
            row = model(**{parent_field: parent})
        for name, value in item.items():
            setattr(row, name, value)
        try:
            save_audited(row, actor=actor, reason=reason)
        except ValidationError as exc:
            errors.extend(
                _("Item %(index)s: %(message)s") % {"index": index, "message": message}
                for message in exc.messages
            )
    if errors:
        raise ValidationError({field_name: errors})
