"""Exports: render a document for a reader and record it; ask for a round packet.

Every export is recorded (`Export`): who, what, when, in which language, how many
pages. Single documents are rendered in the request (about a tenth of a second to
half a second each); round packets are built by background tasks (`packets.py`).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ExportKind, ExportStatus
from .documents.base import Document
from .models import Export, ExportDownload
from .rendering import Rendered, render_template
from .storage import private_storage


def export_document(*, actor, kind: str, object_id, document: Document) -> Rendered:
    """Render one document for the actor (already allowed) and record the export."""
    rendered = render_template(document.template, document.context, document.language)
    now = timezone.now()
    Export.objects.create(
        kind=kind,
        object_id=object_id,
        label=document.title[:300],
        language=document.language,
        status=ExportStatus.READY,
        requested_by=actor if actor.is_authenticated else None,
        started_at=now,
        finished_at=now,
        pages=rendered.pages,
        size=len(rendered.pdf),
    )
    return rendered


@transaction.atomic
def request_packet(*, actor, round_, language: str) -> Export:
    """Queue a round packet for the actor; the tasks build it as the actor sees it."""
    from . import permissions, tasks

    if not permissions.can_export_packet(actor, round_):
        raise PermissionDenied(permissions.PACKET_REFUSAL)
    if round_.rubric is None:
        raise ValidationError(
            _(
                "This round has no rubric yet, so there is no ranking to put in a "
                "packet."
            )
        )
    export = Export.objects.create(
        kind=ExportKind.PACKET,
        object_id=round_.pk,
        label=f"{round_.program.name} · {round_.name}"[:300],
        language=language,
        requested_by=actor,
    )
    tasks.build_packet.enqueue(export.pk)
    export.refresh_from_db()
    return export


def record_download(*, actor, export: Export) -> None:
    ExportDownload.objects.create(export=export, user=actor)


def packet_download(*, actor, export: Export) -> FileResponse:
    """The stored packet as an attachment, its download recorded. The caller has
    asked `permissions.download_refusal` first (the page and the API word the
    refusal their own way)."""
    record_download(actor=actor, export=export)
    response = FileResponse(
        private_storage().open(export.file.name),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"packet-{export.object_id}-{export.pk}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
