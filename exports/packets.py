"""Building a round packet in four kinds of task, so several workers share one.

1. `plan`: decide which dossiers go in (the requester's view of the ranking: a
   recused member's packet leaves out what they are recused from), create one
   `ExportPart` per dossier with the key of its inputs by version
   (`dossier_input_keys`). A dossier whose key an earlier part has (nothing it is
   made of changed) is done at once with that part's file; if any dossier is left
   to render, the task queues the ranking's task, then a render task for each of
   them (else the assembly at once).
2. `render_front`: render the ranking (it has no page numbers) while the dossiers
   are rendered, so that the assembly, which waits for all of them, has less to do.
3. `render_part`: build the dossier's content as the requester may see it, hash
   it, and reuse the rendered file of an identical dossier if there is one, or
   render and store it. The task that finishes the last part claims the assembly
   and queues it.
4. `assemble`: check the reader's access to every dossier again (a dossier they
   lost access to meanwhile is withheld), render the cover and contents (real page
   numbers), work the ranking out again (the ranking task's file is reused when it
   says the same), put everything
   together with one bookmark per dossier, lay the running footer over every page,
   store the file privately and mark the job ready.

Every step checks the job's state first, so a task delivered twice does no harm.
The steps return what should happen next; tasks.py queues it (this module does not
know about the task queue).

A worker can die in the middle of a step (killed, out of memory, a host restart):
each step leaves a heartbeat on the job, and `recover` (run by the maintenance sweep,
exports/maintenance.py) takes a job that went silent up again where it stopped, or
fails it with a message once it has been retried too often or is too old.
"""

import datetime
import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from grants import permissions as grants
from grants.choices import WithheldReason
from grants.committee import round_ranking
from grants.models import Proposal, Round
from notifications import events
from portal.users import display_name

from . import permissions
from .choices import ExportKind, ExportStatus, PartStatus
from .documents.base import content_key, content_lang
from .documents.grants import (
    dossier_context,
    dossier_input_keys,
    proposal_queryset,
)
from .documents.packet import (
    contents_context,
    cover_context,
    footer_context,
    page_numbers_context,
    ranking_context,
)
from .models import Export, ExportPart, RenderedPart
from .rendering import Metadata, Part, assemble, render_template
from .storage import private_storage

logger = logging.getLogger(__name__)
DOSSIER_TEMPLATE = "exports/dossier.html"
CONTENTS_TEMPLATE = "exports/packet_contents.html"
RANKING_TEMPLATE = "exports/packet_ranking.html"
NUMBERS_TEMPLATE = "exports/packet_page_numbers.html"


@contextmanager
def failing_marks(export_id: int):
    """A task that fails marks its job failed (with a message fit for the user, in
    the language the packet was asked in)."""
    try:
        yield
    except Exception:
        logger.exception("Round packet %s failed", export_id)
        language = (
            Export.objects.filter(pk=export_id)
            .values_list("language", flat=True)
            .first()
        )
        with translation.override(language or "en"):
            message = _("Building the packet failed; staff can see why in the logs.")
        failed = Export.objects.filter(
            pk=export_id,
            status__in=[
                ExportStatus.QUEUED,
                ExportStatus.RUNNING,
                ExportStatus.ASSEMBLING,
            ],
        ).update(
            status=ExportStatus.FAILED,
            finished_at=timezone.now(),
            error=message,
        )
        if failed:
            try:
                _finished(export_id)
            except DatabaseError:  # never hide the failure being reported
                logger.exception("Could not tell who asked for packet %s", export_id)
        raise


def _finished(export_id: int) -> None:
    """Tell who asked for the packet that it is ready or failed."""
    with transaction.atomic():
        events.packet_finished(
            Export.objects.select_related("requested_by").get(pk=export_id)
        )


def _fail(export: Export, message: str) -> None:
    export.status = ExportStatus.FAILED
    export.error = message[:500]
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "error", "finished_at"])
    events.packet_finished(export)


def plan(export_id: int) -> list[int] | None:
    """Plan the packet; return the ids of the parts to render (None: nothing to do,
    an empty list: no dossier, assemble at once)."""
    with transaction.atomic():
        export = (
            Export.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .filter(pk=export_id, status=ExportStatus.QUEUED)
            .first()
        )
        if export is None:
            return None
        user = export.requested_by
        round_ = Round.objects.select_related("program", "committee").get(
            pk=export.object_id
        )
        if user is None or not permissions.can_export_packet(user, round_):
            with translation.override(export.language):
                _fail(export, _("You can no longer export this round's packet."))
            return None
        with translation.override(export.language):
            ranking = round_ranking(user, round_)
        included = [row["proposal"] for row in ranking["ranking"]]
        inputs = dossier_input_keys(
            user,
            Proposal.objects.filter(pk__in=included),
            export.language,
            DOSSIER_TEMPLATE,
        )
        # Dossiers of which nothing changed since an earlier packet are done at
        # once: no task for them.
        reused = reusable_dossiers(user, inputs)
        export.status = ExportStatus.RUNNING
        export.started_at = export.heartbeat_at = timezone.now()
        export.withheld = ranking["withheld"]
        export.save(update_fields=["status", "started_at", "heartbeat_at", "withheld"])
        parts = ExportPart.objects.bulk_create(
            ExportPart(
                export=export,
                proposal_id=pid,
                position=i,
                inputs_key=inputs[pid],
                rendered=reused.get(pid),
                status=PartStatus.DONE if pid in reused else PartStatus.PENDING,
            )
            for i, pid in enumerate(included)
        )
    return [part.pk for part in parts if part.status == PartStatus.PENDING]


def render_part(part_id: int) -> int | None:
    """Render one part; return the export's id when this was its last part and the
    caller must queue the assembly."""
    part = (
        ExportPart.objects.select_related("export__requested_by")
        .filter(pk=part_id, status=PartStatus.PENDING)
        .first()
    )
    if part is None or part.export.status != ExportStatus.RUNNING:
        return None
    if not _claim_part(part):
        return None  # a live worker has it
    export, user = part.export, part.export.requested_by
    proposal = Proposal.objects.select_related("round").get(pk=part.proposal_id)
    if not grants.has_committee_access(user, proposal):
        part.status = PartStatus.WITHHELD
    elif reused := _rendered_by_inputs({part.proposal_id: part.inputs_key}):
        # An identical packet being built at the same time rendered it meanwhile.
        part.rendered = reused[part.proposal_id]
        part.status = PartStatus.DONE
    else:
        proposal = proposal_queryset().get(pk=part.proposal_id)
        with translation.override(export.language):
            context = dossier_context(user, proposal, export.language, stamped=True)
            part.rendered = cached_render(
                DOSSIER_TEMPLATE,
                content_key(DOSSIER_TEMPLATE, export.language, context),
                context,
                export.language,
            )
        part.status = PartStatus.DONE
    part.save(update_fields=["status", "rendered"])
    return export.pk if claim_assembly(export.pk) else None


def stall_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PORTAL_PACKET_STALL_SECONDS)


def _claim_part(part: ExportPart) -> bool:
    """Take the dossier up, unless a worker that is still alive has it; count the
    attempt and leave a heartbeat on the job."""
    now = timezone.now()
    claimed = (
        ExportPart.objects.filter(pk=part.pk, status=PartStatus.PENDING)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - stall_timeout()))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed:
        Export.objects.filter(pk=part.export_id).update(heartbeat_at=now)
    return bool(claimed)


# Reusing a cached part refreshes its `used_at` at most this often (one write a day
# rather than one per packet).
USED_AT_PRECISION = datetime.timedelta(days=1)


def reusable_dossiers(user, inputs: dict[int, str]) -> dict[int, RenderedPart]:
    """For proposals keyed by their dossier's inputs key (same reader, language,
    templates and versions of everything the dossier shows): the rendered dossier of
    the newest earlier part with that key, if its file is still there and the
    reader still has committee access to the proposal (checked live: a seat lost or
    a recusal leaves no history on the proposal)."""
    allowed = _with_committee_access(user, inputs)
    return _rendered_by_inputs(
        {pid: key for pid, key in inputs.items() if pid in allowed}
    )


def _with_committee_access(user, proposal_ids) -> set[int]:
    """Which of these proposals the reader has committee access to now: one query."""
    return set(
        grants.committee_proposals(
            user, Proposal.objects.filter(pk__in=proposal_ids)
        ).values_list("pk", flat=True)
    )


def _rendered_by_inputs(inputs: dict[int, str]) -> dict[int, RenderedPart]:
    """The rendered dossier of the newest earlier part with each proposal's inputs
    key, where its file is still there (access is the caller's to check)."""
    keys = {pid: key for pid, key in inputs.items() if key}
    if not keys:
        return {}
    newest = (
        ExportPart.objects.filter(
            inputs_key__in=set(keys.values()),
            status=PartStatus.DONE,
            rendered__isnull=False,
        )
        .values("inputs_key")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    by_key = {
        part.inputs_key: part.rendered
        for part in ExportPart.objects.filter(pk__in=list(newest)).select_related(
            "rendered"
        )
    }
    storage = private_storage()
    found = {
        pid: by_key[key]
        for pid, key in keys.items()
        if key in by_key and storage.exists(by_key[key].file.name)
    }
    _used(*found.values())
    return found


def _used(*found: RenderedPart) -> None:
    """Note that these cached parts were put in a packet now."""
    now = timezone.now()
    stale = [part for part in found if part.used_at < now - USED_AT_PRECISION]
    if stale:
        RenderedPart.objects.filter(pk__in=[part.pk for part in stale]).update(
            used_at=now
        )
        for part in stale:
            part.used_at = now


def cached_render(template: str, key: str, context: dict, language: str):
    """The rendered part for this content: reused if it exists, else rendered."""
    storage = private_storage()
    found = RenderedPart.objects.filter(key=key).first()
    if found is not None and storage.exists(found.file.name):
        _used(found)
        return found
    rendered = render_template(template, context, language)
    name = storage.save(f"parts/{key}.pdf", ContentFile(rendered.pdf))
    if found is not None:  # the file had gone missing: point the entry at the new one
        found.file.name, found.pages = name, rendered.pages
        found.used_at = timezone.now()
        found.save(update_fields=["file", "pages", "used_at"])
        return found
    entry, created = RenderedPart.objects.get_or_create(
        key=key, defaults={"file": name, "pages": rendered.pages}
    )
    if not created:  # another worker rendered the same dossier at the same time
        storage.delete(name)
    return entry


def is_current(export: Export) -> bool:
    """Whether each dossier in a stored packet is still exactly what its reader
    would get now: a comment hidden, a round made blind, a lost staff seat or any
    other change since the build means the file may show too much, or too little."""
    user, language = export.requested_by, export.language
    parts = list(export.parts.filter(status=PartStatus.DONE).select_related("rendered"))
    # Parts whose inputs did not change by version are current; the others are
    # compared by content (a save that changed nothing the reader sees is fine).
    with translation.override(language):
        inputs = dossier_input_keys(
            user,
            Proposal.objects.filter(pk__in=[p.proposal_id for p in parts]),
            language,
            DOSSIER_TEMPLATE,
        )
    parts = [p for p in parts if p.inputs_key != inputs.get(p.proposal_id)]
    proposals = proposal_queryset().in_bulk([p.proposal_id for p in parts])
    with translation.override(language):
        for part in parts:
            context = dossier_context(
                user, proposals[part.proposal_id], language, stamped=True
            )
            if content_key(DOSSIER_TEMPLATE, language, context) != part.rendered.key:
                return False
    return True


def claim_assembly(export_id: int) -> bool:
    """Once no part is pending, move the job to assembling; exactly one caller wins
    and must queue the assembly."""
    if ExportPart.objects.filter(
        export_id=export_id, status=PartStatus.PENDING
    ).exists():
        return False
    return bool(
        Export.objects.filter(pk=export_id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.ASSEMBLING, heartbeat_at=timezone.now()
        )
    )


def previous_front_pages(export: Export, dossiers: int) -> int:
    """How many pages the cover, contents and ranking took in this reader's last
    packet of the round, or a rough estimate for a first packet."""
    last = (
        Export.objects.filter(
            kind=export.kind,
            object_id=export.object_id,
            requested_by=export.requested_by_id,
            language=export.language,
            status=ExportStatus.READY,
            expired_at__isnull=True,
        )
        .exclude(pk=export.pk)
        .order_by("-finished_at")
        .first()
    )
    if last is not None and last.pages:
        in_parts = sum(
            last.parts.filter(status=PartStatus.DONE).values_list(
                "rendered__pages", flat=True
            )
        )
        if last.pages > in_parts:
            return last.pages - in_parts
    return 1 + (dossiers + 3 + 34) // 35 + (dossiers + 19) // 20


def ranking_part(user, round_, proposal_ids: set[int], language: str):
    """The ranking page(s) of these dossiers, rendered or reused (cached by
    content, like the dossiers): it has no page number in it, so `render_front`
    renders it while the dossiers are, and the assembly finds it ready."""
    ranking = round_ranking(user, round_)
    ranking["ranking"] = [
        r for r in ranking["ranking"] if r["proposal"] in proposal_ids
    ]
    context = ranking_context(round_=round_, ranking=ranking, language=language)
    return cached_render(
        RANKING_TEMPLATE,
        content_key(RANKING_TEMPLATE, language, context),
        context,
        language,
    )


def render_front(export_id: int) -> None:
    """Render the ranking of a packet being built, beside its dossiers, so that the
    assembly (which has to wait for every dossier) has less to do. Only a head
    start: the assembly renders it itself if it is not there, or if it changed
    (a dossier withheld meanwhile)."""
    export = (
        Export.objects.select_related("requested_by")
        .filter(pk=export_id, status=ExportStatus.RUNNING)
        .first()
    )
    if export is None or export.requested_by is None:
        return
    round_ = Round.objects.select_related("program", "committee").get(
        pk=export.object_id
    )
    planned = set(export.parts.values_list("proposal_id", flat=True))
    with translation.override(export.language):
        ranking_part(export.requested_by, round_, planned, export.language)


def _withhold_lost(export: Export, parts: list[ExportPart]) -> None:
    """Withhold the dossiers the reader lost committee access to since they were
    planned or rendered (a recusal, a seat given up): one query for all."""
    done = [p for p in parts if p.status == PartStatus.DONE]
    allowed = _with_committee_access(export.requested_by, [p.proposal_id for p in done])
    lost = [p for p in done if p.proposal_id not in allowed]
    for part in lost:
        part.status = PartStatus.WITHHELD
    ExportPart.objects.filter(pk__in=[p.pk for p in lost]).update(
        status=PartStatus.WITHHELD
    )


def assemble_job(export_id: int) -> None:
    export = (
        Export.objects.select_related("requested_by")
        .filter(pk=export_id, status=ExportStatus.ASSEMBLING)
        .first()
    )
    if export is None:
        return
    Export.objects.filter(pk=export_id).update(heartbeat_at=timezone.now())
    user, language = export.requested_by, export.language
    round_ = Round.objects.select_related("program", "committee").get(
        pk=export.object_id
    )
    parts = list(
        export.parts.select_related("rendered", "proposal").order_by("position")
    )
    if user is not None:
        _withhold_lost(export, parts)
    done = [p for p in parts if p.status == PartStatus.DONE]
    withheld = list(export.withheld) + [
        {
            "proposal": p.proposal_id,
            "title": p.proposal.title,
            "why": WithheldReason.NO_ACCESS,
        }
        for p in parts
        if p.status == PartStatus.WITHHELD
    ]
    storage = private_storage()
    with translation.override(language):
        ranking = ranking_part(user, round_, {p.proposal_id for p in done}, language)
        dossiers = [(p, storage.open(p.rendered.file.name).read()) for p in done]

        def entries(offset: int) -> list[dict]:
            rows, page = [], offset + 1
            for part, _pdf in dossiers:
                rows.append(
                    {
                        "reference": part.proposal.reference,
                        "title": part.proposal.title,
                        "text": content_lang(part.proposal.language),
                        "page": page,
                    }
                )
                page += part.rendered.pages
            return rows

        cover = render_template(
            "exports/packet_cover.html",
            cover_context(
                round_=round_, user=user, language=language, dossiers=len(dossiers)
            ),
            language,
        )
        # The contents page numbers depend on how long the front matter is: start
        # from the last packet's length (or an estimate), render again if it moved.
        # Contents and ranking are cached like the dossiers: a change to one
        # proposal's text leaves them as they were.
        front_pages = previous_front_pages(export, len(dossiers))
        for _attempt in range(3):
            contents_pages = front_pages - cover.pages - ranking.pages
            context = contents_context(
                round_=round_,
                entries=entries(front_pages),
                withheld=withheld,
                language=language,
                ranking_page=cover.pages + max(contents_pages, 1) + 1,
            )
            contents = cached_render(
                CONTENTS_TEMPLATE,
                content_key(CONTENTS_TEMPLATE, language, context),
                context,
                language,
            )
            if contents.pages == contents_pages:
                break
            front_pages = cover.pages + contents.pages + ranking.pages
        contents_pdf = storage.open(contents.file.name).read()
        ranking_pdf = storage.open(ranking.file.name).read()
        total = front_pages + sum(p.rendered.pages for p, _pdf in dossiers)
        title = f"{_('Round packet')}: {round_.program.name} · {round_.name}"
        numbers_context = page_numbers_context(pages=total, language=language)
        numbers = cached_render(
            NUMBERS_TEMPLATE,
            content_key(NUMBERS_TEMPLATE, language, numbers_context),
            numbers_context,
            language,
        )
        footer = render_template(
            "exports/packet_footer.html",
            footer_context(title=title, user=user, language=language),
            language,
        )
        outline = [
            Part(pdf=cover.pdf, title=_("Cover")),
            Part(pdf=contents_pdf, title=_("Contents and ranking")),
            Part(pdf=ranking_pdf, title=None),  # under the same bookmark
        ] + [
            Part(
                pdf=pdf,
                title=f"{part.proposal.reference} · {part.proposal.title}",
            )
            for part, pdf in dossiers
        ]
        pdf = assemble(
            outline,
            Metadata(
                title=title,
                author=display_name(user),
                language=language,
                subject=_("Confidential – committee use"),
            ),
            storage.open(numbers.file.name).read(),
            footer.pdf,
        )
    name = storage.save(
        f"exports/packet-{export.pk}-{get_random_string(12)}.pdf", ContentFile(pdf)
    )
    export.file.name = name
    export.pages = total
    export.size = len(pdf)
    export.withheld = withheld
    export.status = ExportStatus.READY
    export.finished_at = timezone.now()
    export.save(
        update_fields=[
            "file",
            "pages",
            "size",
            "withheld",
            "status",
            "finished_at",
        ]
    )
    _finished(export.pk)


ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING, ExportStatus.ASSEMBLING)


@dataclass
class Recovery:
    """What the sweep did with a silent job, and what it must queue again."""

    export_id: int
    failed: bool = False
    build: bool = False
    parts: list[int] = field(default_factory=list)
    assemble: bool = False


def gave_up_message() -> str:
    return _(
        "The background worker building this packet stopped before it was done, "
        "several times, so building it was given up. Ask for the packet again; if "
        "it fails again, tell the staff."
    )


def too_late_message() -> str:
    return _(
        "The packet was not finished in time: the background workers are stopped "
        "or overloaded. Ask for it again later; if it fails again, tell the staff."
    )


def stalled_jobs(now: datetime.datetime):
    """Packets still in progress that showed no progress for the stall timeout, or
    were asked for longer ago than the deadline."""
    silent = now - stall_timeout()
    deadline = now - datetime.timedelta(seconds=settings.PORTAL_PACKET_DEADLINE_SECONDS)
    return Export.objects.filter(kind=ExportKind.PACKET, status__in=ACTIVE).filter(
        Q(requested_at__lt=deadline)
        | Q(heartbeat_at__lt=silent)
        | Q(heartbeat_at__isnull=True, requested_at__lt=silent)
    )


def recover(
    export_id: int,
    *,
    now: datetime.datetime,
    live: Callable[[int, list[int]], tuple[bool, set[int]]],
) -> Recovery | None:
    """Take up a packet whose worker went silent, where it stopped; or fail it.

    `live(export_id, pending_part_ids)` tells which of the job's tasks are still in
    the queue or run by a live worker: (its build or assembly task?, the parts with
    a render task); those are only waiting their turn. A job asked for longer ago
    than the deadline fails whatever the reason; one taken up
    `PORTAL_PACKET_MAX_ATTEMPTS` times already, or with a dossier whose render was
    started that many times, fails with a message saying so. None: the job needs
    nothing (done, making progress, or waiting in the queue)."""
    silent = now - stall_timeout()
    deadline = now - datetime.timedelta(seconds=settings.PORTAL_PACKET_DEADLINE_SECONDS)
    limit = settings.PORTAL_PACKET_MAX_ATTEMPTS
    with transaction.atomic():
        export = (
            Export.objects.select_for_update()
            .filter(pk=export_id, kind=ExportKind.PACKET, status__in=ACTIVE)
            .first()
        )
        if export is None:
            return None
        if export.requested_at < deadline:
            with translation.override(export.language):
                _fail(export, too_late_message())
            return Recovery(export_id, failed=True)
        if (export.heartbeat_at or export.requested_at) >= silent:
            return None
        pending = list(
            export.parts.filter(status=PartStatus.PENDING).values_list(
                "pk", "claimed_at", "attempts"
            )
        )
        job_queued, parts_queued = live(export.pk, [pk for pk, *_rest in pending])
        if job_queued:
            return None
        # Parts with a task still to run, or claimed lately by a worker that is
        # alive (it leaves a heartbeat as it goes), are left alone.
        stale = [
            (pk, tries)
            for pk, claimed, tries in pending
            if pk not in parts_queued and (claimed is None or claimed < silent)
        ]
        recovery = Recovery(export_id)
        if export.status == ExportStatus.QUEUED:
            recovery.build = True
        elif export.status == ExportStatus.ASSEMBLING:
            recovery.assemble = True
        elif stale:
            recovery.parts = [pk for pk, _tries in stale]
        elif pending:
            return None
        if export.recoveries >= limit or any(tries >= limit for _pk, tries in stale):
            logger.warning("Round packet %s given up after its worker died", export.pk)
            with translation.override(export.language):
                _fail(export, gave_up_message())
            return Recovery(export_id, failed=True)
        export.recoveries += 1
        export.heartbeat_at = now
        export.save(update_fields=["recoveries", "heartbeat_at"])
        if recovery.parts:
            ExportPart.objects.filter(pk__in=recovery.parts).update(claimed_at=None)
        elif export.status == ExportStatus.RUNNING:
            # Every dossier is done but the worker died before claiming the assembly.
            recovery.assemble = claim_assembly(export.pk)
    logger.warning("Round packet %s taken up again after its worker died", export_id)
    return recovery
