"""The periodic upkeep: packets whose worker died are taken up again or failed with a
message, task rows of dead workers are closed, and old files go while the audit
stays. Runs on SQLite and PostgreSQL (the worker processes themselves are in
test_worker_crash.py)."""

import datetime
import os

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from exports import maintenance, packets, tasks
from exports.choices import ExportStatus, PartStatus
from exports.models import Export, ExportDownload, ExportPart, RenderedPart
from exports.storage import private_storage
from tests.conftest import client_for
from tests.factories import with_two_factor

from .conftest import build, download, packet_job

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def scored(world, affiliate_b):
    second = world.new_proposal(affiliate_b, title="Second dossier")
    third = world.new_proposal(affiliate_b, title="Third dossier")
    for proposal in (world.proposal, second, third):
        world.review(world.reviewers[0], [4, 4, 4], proposal=proposal)
        world.review(world.reviewers[1], [3, 4, 5], proposal=proposal)
    return [world.proposal, second, third]


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def planned_job(world, user=None) -> Export:
    """A packet planned by a worker that then died: parts created, none rendered
    but those an earlier packet had unchanged (what `build_packet` leaves if it is
    killed before queueing the renders)."""
    export = packet_job(world, user or world.staff)
    assert packets.plan(export.pk) is not None
    return export


def go_silent(export: Export, **delta) -> None:
    """Move the job's last sign of progress into the past."""
    Export.objects.filter(pk=export.pk).update(heartbeat_at=ago(**delta))


def history_rows() -> int:
    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    )


@pytest.mark.django_db
def test_packet_whose_worker_died_mid_render_is_taken_up_and_finishes(world, scored):
    export = planned_job(world)
    first = export.parts.first()
    # The dead worker had claimed the first dossier an hour ago.
    ExportPart.objects.filter(pk=first.pk).update(claimed_at=ago(hours=1), attempts=1)
    go_silent(export, hours=1)
    counts = maintenance.sweep()
    assert counts.packets_resumed == 1 and counts.packets_failed == 0
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.recoveries == 1
    assert private_storage().exists(export.file.name)
    first.refresh_from_db()
    assert first.status == PartStatus.DONE and first.attempts == 2
    assert len(download(world.staff, {"id": export.pk}).outline()) == 2 + 3


@pytest.mark.django_db
def test_a_job_making_progress_is_left_alone(world, scored):
    export = planned_job(world)
    ExportPart.objects.filter(export=export).update(claimed_at=ago(seconds=5))
    counts = maintenance.sweep()
    assert counts.packets_resumed == counts.packets_failed == 0
    export.refresh_from_db()
    assert export.status == ExportStatus.RUNNING and export.recoveries == 0


@pytest.mark.django_db
def test_a_job_lost_before_it_was_planned_is_built(world, scored):
    export = packet_job(world, world.staff)
    Export.objects.filter(pk=export.pk).update(requested_at=ago(minutes=30))
    maintenance.sweep()
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.recoveries == 1


@pytest.mark.django_db
def test_a_job_that_died_while_assembling_is_assembled(world, scored):
    export = planned_job(world)
    for part in export.parts.all():
        packets.render_part(part.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.ASSEMBLING
    go_silent(export, hours=1)
    maintenance.sweep()
    export.refresh_from_db()
    assert export.status == ExportStatus.READY


@pytest.mark.django_db
def test_all_dossiers_done_but_assembly_never_claimed_is_assembled(world, scored):
    export = planned_job(world)
    for part in export.parts.all():
        packets.render_part(part.pk)
    # The worker died between its last dossier and claiming the assembly.
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, heartbeat_at=ago(hours=1)
    )
    maintenance.sweep()
    export.refresh_from_db()
    assert export.status == ExportStatus.READY


@pytest.mark.django_db
def test_a_dossier_that_keeps_killing_its_worker_fails_the_job_with_a_message(
    world, scored, client
):
    export = planned_job(world)
    ExportPart.objects.filter(pk=export.parts.first().pk).update(
        claimed_at=ago(hours=1), attempts=3
    )
    go_silent(export, hours=1)
    counts = maintenance.sweep()
    assert counts.packets_failed == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.error == packets.gave_up_message()
    assert export.finished_at is not None
    with_two_factor(world.staff)
    client.force_login(world.staff)
    page = client.get(f"/exports/jobs/{export.pk}/")
    assert page.status_code == 200
    assert "stopped before it was done" in page.content.decode()
    assert 'hx-trigger="every 2s"' not in page.content.decode()  # polling stops


@pytest.mark.django_db
def test_a_job_taken_up_too_often_fails(world, scored, settings):
    settings.PORTAL_PACKET_MAX_ATTEMPTS = 2
    export = planned_job(world)
    Export.objects.filter(pk=export.pk).update(recoveries=2)
    go_silent(export, hours=1)
    maintenance.sweep()
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.error == packets.gave_up_message()


@pytest.mark.django_db
def test_a_job_past_the_deadline_fails_even_while_it_moves(world, scored):
    export = planned_job(world)
    Export.objects.filter(pk=export.pk).update(
        requested_at=ago(hours=4), heartbeat_at=timezone.now()
    )
    maintenance.sweep()
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.error == packets.too_late_message()
    job = client_for(world.staff).get(f"/api/v1/jobs/{export.pk}/").json()
    assert job["status"] == "failed"


@pytest.mark.django_db
def test_task_rows_of_dead_workers_are_failed_and_the_work_queued_again(
    world, scored, settings
):
    settings.TASKS = DATABASE_TASKS
    export = planned_job(world)
    part = export.parts.first()
    # A worker claimed the render task and the dossier an hour ago, then died.
    row_id = tasks.render_packet_part.enqueue(part.pk).id
    DBTaskResult.objects.filter(pk=row_id).update(
        status=TaskResultStatus.RUNNING, started_at=ago(hours=1)
    )
    ExportPart.objects.filter(pk=part.pk).update(claimed_at=ago(hours=1), attempts=1)
    go_silent(export, hours=1)
    # Another task, unrelated and only started, stays running.
    other = tasks.portal_maintenance.enqueue().id
    DBTaskResult.objects.filter(pk=other).update(
        status=TaskResultStatus.RUNNING, started_at=ago(minutes=30)
    )
    counts = maintenance.sweep()
    assert counts.lost_tasks == 1 and counts.packets_resumed == 1
    lost = DBTaskResult.objects.get(pk=row_id)
    assert lost.status == TaskResultStatus.FAILED
    assert lost.exception_class_path == "exports.maintenance.WorkerLost"
    assert DBTaskResult.objects.get(pk=other).status == TaskResultStatus.RUNNING
    # Every pending dossier is queued again, once.
    queued = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=tasks.render_packet_part.module_path
    )
    assert sorted(r.args_kwargs["args"][0] for r in queued) == sorted(
        export.parts.values_list("pk", flat=True)
    )
    part.refresh_from_db()
    assert part.claimed_at is None  # released for the next worker


@pytest.mark.django_db
def test_a_job_waiting_in_the_queue_is_not_counted_as_stalled(world, scored, settings):
    settings.TASKS = DATABASE_TASKS
    export = planned_job(world)
    for part in export.parts.all():
        tasks.render_packet_part.enqueue(part.pk)
    go_silent(export, hours=1)
    counts = maintenance.sweep()
    assert counts.packets_resumed == counts.packets_failed == 0
    export.refresh_from_db()
    assert export.recoveries == 0 and export.status == ExportStatus.RUNNING


# Retention


@pytest.fixture
def two_packets(world, scored):
    """An old packet built by staff (downloaded once) and a recent one built by a
    committee member: different readers, so no dossier in common."""
    member = world.reviewers[2]
    for proposal in scored:
        world.prepare(member, proposal=proposal)
    old = build(world.staff, world.round)
    download(world.staff, old)
    recent = build(member, world.round)
    old = Export.objects.get(pk=old["id"])
    recent = Export.objects.get(pk=recent["id"])
    Export.objects.filter(pk=old.pk).update(finished_at=ago(days=40))
    return old, recent


def stored(export) -> set[str]:
    return set(
        export.parts.filter(rendered__isnull=False).values_list(
            "rendered__file", flat=True
        )
    )


@pytest.mark.django_db
def test_expired_packets_lose_their_file_and_keep_their_record(
    world, two_packets, client
):
    old, recent = two_packets
    old_parts, recent_parts = stored(old), stored(recent)
    assert old_parts and recent_parts and not old_parts & recent_parts
    RenderedPart.objects.update(used_at=ago(days=40))
    histories = history_rows()
    storage = private_storage()
    old_file, recent_file = old.file.name, recent.file.name

    counts = maintenance.retention()

    assert counts.packets_expired == 1
    assert not storage.exists(old_file)
    assert storage.exists(recent_file)
    old.refresh_from_db()
    assert old.expired_at is not None and not old.file
    assert old.status == ExportStatus.READY and old.pages  # the record stays
    assert ExportDownload.objects.filter(export=old).count() == 1
    assert old.parts.count() == 3  # which proposals it held
    # Its dossiers are gone, file and row; the recent packet's stay.
    assert not any(storage.exists(name) for name in old_parts)
    assert all(storage.exists(name) for name in recent_parts)
    assert stored(recent) == recent_parts
    assert history_rows() == histories
    # The job page says why there is no download any more.
    with_two_factor(world.staff)
    client.force_login(world.staff)
    page = client.get(f"/exports/jobs/{old.pk}/").content.decode()
    assert "data-expired" in page and "data-download" not in page
    response = client_for(world.staff).get(f"/api/v1/jobs/{old.pk}/download/")
    assert response.status_code == 403


@pytest.mark.django_db
def test_recent_packets_and_recently_used_parts_stay(world, two_packets):
    old, recent = two_packets
    Export.objects.filter(pk=old.pk).update(finished_at=ago(days=2))
    files = {name for name in RenderedPart.objects.values_list("file", flat=True)}
    counts = maintenance.retention()
    assert counts.packets_expired == counts.parts_deleted == 0
    assert set(RenderedPart.objects.values_list("file", flat=True)) == files
    old.refresh_from_db()
    assert old.expired_at is None and private_storage().exists(old.file.name)


@pytest.mark.django_db
def test_files_left_by_a_crash_go_after_a_day(world, two_packets):
    storage = private_storage()
    stale = storage.save("exports/packet-crashed.pdf", ContentFile(b"%PDF-"))
    fresh = storage.save("parts/being-written.pdf", ContentFile(b"%PDF-"))
    two_days_ago = ago(days=2).timestamp()
    os.utime(storage.path(stale), (two_days_ago, two_days_ago))
    counts = maintenance.retention()
    assert counts.orphan_files_deleted == 1
    assert not storage.exists(stale) and storage.exists(fresh)
    # Files that rows name are never orphans, however old.
    for name in RenderedPart.objects.values_list("file", flat=True):
        assert storage.exists(name)


@pytest.mark.django_db
def test_old_finished_task_rows_go(settings):
    settings.TASKS = DATABASE_TASKS
    old = tasks.portal_maintenance.enqueue().id
    recent = tasks.portal_maintenance.enqueue().id
    waiting = tasks.portal_maintenance.enqueue().id
    DBTaskResult.objects.filter(pk__in=[old, recent]).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=ago(days=1)
    )
    DBTaskResult.objects.filter(pk=old).update(finished_at=ago(days=20))
    assert maintenance.prune_task_results(timezone.now()) == 1
    left = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert left == {str(recent), str(waiting)}


@pytest.mark.django_db
def test_the_command_and_the_task_run_the_sweep_and_the_retention(
    world, two_packets, capsys
):
    old, _recent = two_packets
    stalled = planned_job(world)
    go_silent(stalled, hours=1)
    call_command("portal_maintenance")
    out = capsys.readouterr().out
    assert "packets resumed: 1" in out and "packets expired: 1" in out
    stalled.refresh_from_db()
    assert stalled.status == ExportStatus.READY
    result = tasks.portal_maintenance.enqueue()
    assert result.return_value["packets_expired"] == 0  # done already


@pytest.mark.django_db
def test_only_dossiers_without_a_live_task_are_queued_again(world, scored, settings):
    settings.TASKS = DATABASE_TASKS
    export = planned_job(world)
    first, *others = export.parts.all()
    for part in others:
        tasks.render_packet_part.enqueue(part.pk)
    ExportPart.objects.filter(pk=first.pk).update(claimed_at=ago(hours=1), attempts=1)
    go_silent(export, hours=1)
    counts = maintenance.sweep()
    assert counts.packets_resumed == 1
    args = [
        row.args_kwargs["args"][0]
        for row in DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    ]
    assert sorted(args) == sorted(part.pk for part in export.parts.all())
