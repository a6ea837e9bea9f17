"""Periodic upkeep of the exports: take up packets whose worker died, and delete
files past their retention. Run by `manage.py portal_maintenance` (cron, every few
minutes) or the `exports.tasks.portal_maintenance` task; safe to run at any
frequency, even twice at once.

The sweep. django-tasks' database backend (django_tasks_db 0.13) marks a task row
RUNNING when a worker claims it and only a living worker ever changes it again: a
worker killed in the middle of a task (SIGKILL, out of memory, a host restart)
leaves the row RUNNING for ever, and nothing runs the task again (its issue tracker
has it as a known gap: "Unclean exits of the worker leave tasks in limbo"). So:
- task rows RUNNING for longer than a timeout are marked FAILED here, with
  `WorkerLost` as the error (a worker that was only slow and still finishes
  overwrites that with its own result);
- a round packet that showed no progress for `PORTAL_PACKET_STALL_SECONDS` and has
  nothing waiting in the queue is taken up again where it stopped (packets.recover);
  after `PORTAL_PACKET_MAX_ATTEMPTS` tries, or `PORTAL_PACKET_DEADLINE_SECONDS`
  after it was asked for, it fails with a message on its job page.

Retention. The `Export` row is the audit record of who exported what and when (with
its downloads): it is never deleted. After `PORTAL_PACKET_RETENTION_DAYS` a ready
packet's file is deleted and the row marked expired (`expired_at`); the reader builds
a new one. Cached dossiers (`RenderedPart`) that no live packet uses and that were
last used more than `PORTAL_RENDERED_PART_RETENTION_DAYS` ago go, file and row;
files left behind by a crash (in the private storage but in no row) go after a day;
finished task rows after `PORTAL_TASK_RESULT_RETENTION_DAYS`. Nothing here touches
the history tables of django-simple-history.
"""

import datetime
import logging
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from . import packets, tasks
from .choices import ExportKind, ExportStatus
from .models import Export, ExportPart, RenderedPart
from .storage import private_storage

logger = logging.getLogger(__name__)

PACKET_TASKS = (
    tasks.build_packet,
    tasks.render_packet_front,
    tasks.render_packet_part,
    tasks.assemble_packet,
)
# A file in the private storage that no row names is left over from a crash (a
# worker killed between writing the file and its row) only after this long.
ORPHAN_AGE = datetime.timedelta(days=1)


class WorkerLost(Exception):
    """Recorded on a task row whose worker stopped without finishing it."""


@dataclass
class Counts:
    lost_tasks: int = 0
    packets_resumed: int = 0
    packets_failed: int = 0
    packets_expired: int = 0
    parts_deleted: int = 0
    orphan_files_deleted: int = 0
    task_results_deleted: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _database_queue() -> bool:
    """Whether tasks go through django_tasks_db (rows a worker claims); the
    immediate backend of tests and development has no queue to look at."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(tasks.build_packet.get_backend(), DatabaseBackend)


def _path(task) -> str:
    return task.module_path


def fail_lost_tasks(now: datetime.datetime) -> int:
    """Mark task rows RUNNING for too long as failed: their worker is gone. Packet
    tasks are short (a dossier, an assembly) and time out after the packet stall
    timeout; others after `PORTAL_TASK_LOST_SECONDS`."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    packet_paths = [_path(t) for t in PACKET_TASKS]
    packet_cutoff = now - packets.stall_timeout()
    other_cutoff = now - datetime.timedelta(seconds=settings.PORTAL_TASK_LOST_SECONDS)
    lost = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).filter(
        Q(task_path__in=packet_paths, started_at__lt=packet_cutoff)
        | (~Q(task_path__in=packet_paths) & Q(started_at__lt=other_cutoff))
    )
    count = lost.update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=(
            "WorkerLost: the worker running this task stopped without finishing it "
            "(killed or crashed); marked failed by manage.py portal_maintenance.\n"
        ),
    )
    if count:
        logger.warning("%d task(s) left running by a worker that died", count)
    return count


def _live(export_id: int, part_ids: list[int]) -> tuple[bool, set[int]]:
    """Which of this packet's tasks are queued or run by a live worker (the rows of
    dead workers were failed first): its build or assembly task, and the parts that
    have a render task."""
    if not _database_queue():
        return False, set()
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    live = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    job = live.filter(
        task_path__in=[_path(tasks.build_packet), _path(tasks.assemble_packet)],
        args_kwargs__args__0=export_id,
    ).exists()
    parts = set()
    if part_ids:
        rows = live.filter(
            task_path=_path(tasks.render_packet_part),
            args_kwargs__args__0__in=part_ids,
        ).values_list("args_kwargs", flat=True)
        parts = {row["args"][0] for row in rows}
    return job, parts


def _queue_again(recovery: packets.Recovery) -> None:
    if recovery.build:
        tasks.build_packet.enqueue(recovery.export_id)
    for part_id in recovery.parts:
        tasks.render_packet_part.enqueue(part_id)
    if recovery.assemble:
        tasks.assemble_packet.enqueue(recovery.export_id)


def sweep(now: datetime.datetime | None = None, counts: Counts | None = None):
    """Fail lost task rows, then take up (or fail) every packet gone silent."""
    now = now or timezone.now()
    counts = counts or Counts()
    if _database_queue():
        counts.lost_tasks = fail_lost_tasks(now)
    for export_id in packets.stalled_jobs(now).values_list("pk", flat=True):
        recovery = packets.recover(export_id, now=now, live=_live)
        if recovery is None:
            continue
        if recovery.failed:
            counts.packets_failed += 1
            continue
        counts.packets_resumed += 1
        # Queued after the job's row is saved: should this process die before the
        # queueing, the next sweep takes the job up again (one try more).
        _queue_again(recovery)
    return counts


def _delete_file(name: str) -> None:
    if name:
        try:
            private_storage().delete(name)
        except FileNotFoundError:
            pass


def expire_packets(now: datetime.datetime) -> int:
    """Delete the files of packets finished more than the retention period ago;
    their rows stay (the audit), marked expired."""
    cutoff = now - datetime.timedelta(days=settings.PORTAL_PACKET_RETENTION_DAYS)
    expired = 0
    old = (
        Export.objects.filter(
            kind=ExportKind.PACKET,
            status=ExportStatus.READY,
            expired_at__isnull=True,
            finished_at__lt=cutoff,
        )
        .exclude(file="")
        .values_list("pk", "file")
    )
    for pk, name in old:
        # The row first: a download starting now sees no file rather than a
        # missing one; a crash between the two leaves a file the orphan sweep finds.
        if Export.objects.filter(pk=pk, expired_at__isnull=True).update(
            file="", expired_at=now
        ):
            _delete_file(name)
            expired += 1
    return expired


def prune_rendered_parts(now: datetime.datetime) -> int:
    """Delete cached dossiers no live packet uses, last used before the retention
    period. A failed or expired packet lets go of its parts first (its part rows
    stay: which proposals it held, in which order)."""
    cutoff = now - datetime.timedelta(days=settings.PORTAL_RENDERED_PART_RETENTION_DAYS)
    ExportPart.objects.filter(rendered__isnull=False).filter(
        Q(export__status=ExportStatus.FAILED) | Q(export__expired_at__isnull=False)
    ).update(rendered=None)
    used = ExportPart.objects.filter(rendered__isnull=False).values("rendered_id")
    unused = (
        RenderedPart.objects.filter(used_at__lt=cutoff)
        .exclude(pk__in=used)
        .values_list("pk", "file")
    )
    deleted = 0
    for pk, name in unused:
        try:
            with transaction.atomic():
                gone, _kinds = RenderedPart.objects.filter(
                    pk=pk, used_at__lt=cutoff
                ).delete()
        except ProtectedError:  # a packet took it up meanwhile
            continue
        if gone:
            _delete_file(name)
            deleted += 1
    return deleted


def prune_orphan_files(now: datetime.datetime) -> int:
    """Files in the private storage that no row names, older than a day."""
    storage = private_storage()
    known = set(Export.objects.exclude(file="").values_list("file", flat=True))
    known |= set(RenderedPart.objects.values_list("file", flat=True))
    deleted = 0
    for folder in ("exports", "parts"):
        try:
            _dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        for filename in files:
            name = f"{folder}/{filename}"
            if name in known:
                continue
            try:
                if storage.get_modified_time(name) >= now - ORPHAN_AGE:
                    continue
            except FileNotFoundError:
                continue
            _delete_file(name)
            deleted += 1
    return deleted


def prune_task_results(now: datetime.datetime) -> int:
    """Finished task rows (django_tasks_db) older than the retention period."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    cutoff = now - datetime.timedelta(days=settings.PORTAL_TASK_RESULT_RETENTION_DAYS)
    deleted, _kinds = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=cutoff,
    ).delete()
    return deleted


def retention(now: datetime.datetime | None = None, counts: Counts | None = None):
    now = now or timezone.now()
    counts = counts or Counts()
    counts.packets_expired = expire_packets(now)
    counts.parts_deleted = prune_rendered_parts(now)
    counts.orphan_files_deleted = prune_orphan_files(now)
    counts.task_results_deleted = prune_task_results(now)
    return counts


def run(*, do_sweep: bool = True, do_retention: bool = True) -> Counts:
    """Everything the periodic job does, in order: the sweep, then the retention."""
    counts = Counts()
    now = timezone.now()
    if do_sweep:
        sweep(now, counts)
    if do_retention:
        retention(now, counts)
    return counts
