"""A task worker killed (SIGKILL) in the middle of a round packet: after the sweep
a new worker finishes the job. Real `manage.py db_worker` processes on the test
database, so PostgreSQL only (CI runs the suite on PostgreSQL too); the sweep's
rules themselves are tested on every database in test_maintenance.py."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from exports import maintenance, services, tasks
from exports.choices import ExportStatus, PartStatus
from exports.models import Export, ExportPart
from exports.storage import private_storage

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes share the test database: PostgreSQL only",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
# The worker, with every dossier render made slow when SLOW_RENDER is set, so that
# the test can kill it in the middle of a dossier (the ranking's head start, queued
# first, stays quick).
WORKER = """
import os, time, django
django.setup()
from exports import packets
delay = float(os.environ.get("SLOW_RENDER") or 0)
if delay:
    render = packets.render_template
    def slow(template, *args, **kwargs):
        if template == packets.DOSSIER_TEMPLATE:
            time.sleep(delay)
        return render(template, *args, **kwargs)
    packets.render_template = slow
from django.core.management import call_command
call_command("db_worker", "--interval=0.1", "--no-startup-delay", "--no-reload",
             "--verbosity=0")
"""


def start_worker(slow: float = 0) -> subprocess.Popen:
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": url,
        "PORTAL_TEST_TASKS": "database",
        "PORTAL_PRIVATE_ROOT": str(private_storage().location),
        "SLOW_RENDER": str(slow),
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", WORKER], cwd=ROOT, env=env
    )


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PORTAL_PACKET_STALL_SECONDS = 1


@pytest.fixture
def workers():
    started = []

    def start(slow: float = 0):
        started.append(start_worker(slow))
        return started[-1]

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()  # a graceful stop: its connection closes at once
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_packet_survives_a_worker_killed_mid_dossier(
    database_tasks, workers, world, affiliate_b
):
    for title in ("Second dossier", "Third dossier"):
        proposal = world.new_proposal(affiliate_b, title=title)
        world.review(world.reviewers[0], [4, 4, 4], proposal=proposal)
    world.review(world.reviewers[0], [5, 4, 3])
    assert django_settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db")
    started = time.monotonic()

    export = services.request_packet(
        actor=world.staff, round_=world.round, language="en"
    )
    first = workers(slow=30)
    # Killed while it renders a dossier: the part is claimed, its task RUNNING.
    claimed = wait_for(
        lambda: ExportPart.objects.filter(
            export=export, claimed_at__isnull=False
        ).first(),
        timeout=30,
        what="the first worker to take a dossier up",
    )
    running = DBTaskResult.objects.get(status=TaskResultStatus.RUNNING)
    assert running.task_path == tasks.render_packet_part.module_path
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    export.refresh_from_db()
    assert export.status == ExportStatus.RUNNING  # and would stay so for ever

    time.sleep(1.2)  # longer than the stall timeout of this test
    counts = maintenance.sweep()
    assert counts.lost_tasks == 1 and counts.packets_resumed == 1
    running.refresh_from_db()
    assert running.status == TaskResultStatus.FAILED
    assert running.exception_class_path.endswith("WorkerLost")

    workers()
    wait_for(
        lambda: Export.objects.filter(
            pk=export.pk, status__in=[ExportStatus.READY, ExportStatus.FAILED]
        ).exists(),
        timeout=40,
        what="the second worker to finish the packet",
    )
    export.refresh_from_db()
    assert export.status == ExportStatus.READY, export.error
    assert export.recoveries == 1
    assert private_storage().exists(export.file.name)
    parts = ExportPart.objects.filter(export=export)
    assert {p.status for p in parts} == {PartStatus.DONE}
    claimed.refresh_from_db()
    assert claimed.attempts == 2  # the dead worker's try, then the new one's
    assert time.monotonic() - started < 60
