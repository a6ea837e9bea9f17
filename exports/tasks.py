"""Background tasks (django-tasks). In production the database backend queues them
and `manage.py db_worker` processes run them, as many as you start; in tests and
development they run at once, in the process that queues them."""

import logging

from django_tasks import task

from . import packets

logger = logging.getLogger(__name__)


@task()
def build_packet(export_id: int) -> None:
    with packets.failing_marks(export_id):
        part_ids = packets.plan(export_id)
    if part_ids is None:
        return
    if not part_ids:
        _assemble_if_claimed(export_id)
        return
    # Queued first, so that a worker renders the ranking while others render the
    # dossiers.
    render_packet_front.enqueue(export_id)
    for part_id in part_ids:
        render_packet_part.enqueue(part_id)


def _assemble_if_claimed(export_id: int) -> None:
    if packets.claim_assembly(export_id):
        assemble_packet.enqueue(export_id)


@task()
def render_packet_part(part_id: int) -> None:
    from .models import ExportPart

    export_id = (
        ExportPart.objects.filter(pk=part_id)
        .values_list("export_id", flat=True)
        .first()
    )
    if export_id is None:
        return
    with packets.failing_marks(export_id):
        ready = packets.render_part(part_id)
    if ready is not None:
        assemble_packet.enqueue(ready)


@task()
def render_packet_front(export_id: int) -> None:
    """A head start on the assembly; it does the work itself if this failed, so a
    failure here only logs."""
    try:
        packets.render_front(export_id)
    except Exception:
        logger.exception("Round packet %s: rendering the ranking failed", export_id)


@task()
def assemble_packet(export_id: int) -> None:
    with packets.failing_marks(export_id):
        packets.assemble_job(export_id)


@task()
def portal_maintenance() -> dict[str, int]:
    """The periodic upkeep (manage.py portal_maintenance), for deployments that
    schedule tasks rather than commands: packets whose worker died, retention."""
    from .maintenance import run

    return run().as_dict()
