"""Health endpoints for load balancers and process supervisors.

- `/healthz`: the process answers. Touches nothing else (no database, no cache), so
  a database outage does not get every app process restarted.
- `/readyz`: the process can do its work: the database answers, the shared cache
  keeps a value, the private file store (PDFs, shared with the task workers) can be
  written and read back, and the oldest task waiting for a worker has not waited
  longer than `PORTAL_TASK_BACKLOG_MAX_SECONDS`. 200 when all pass, 503 otherwise,
  with the checks that failed named.

Both are open to anyone, so they say nothing private: a check that fails reports the
kind of error only (the full error is logged). They sit outside the language
prefixes, are exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT), and run
outside a database transaction (ATOMIC_REQUESTS would open a connection first).
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

logger = logging.getLogger("portal.health")

DEFAULT_BACKLOG_MAX_SECONDS = 900


class CheckFailed(Exception):
    """A check ran but found something wrong (as opposed to an error)."""


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@transaction.non_atomic_requests
def healthz(request):
    return _no_store(HttpResponse("ok", content_type="text/plain; charset=utf-8"))


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise CheckFailed("unexpected answer")
    return {}


def check_cache() -> dict:
    key = f"portal:readyz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise CheckFailed("value not kept")
    finally:
        cache.delete(key)
    return {}


def check_private_storage() -> dict:
    storage = storages["exports"]
    content = uuid.uuid4().hex.encode()
    name = storage.save(f"health/readyz-{uuid.uuid4().hex}.txt", ContentFile(content))
    try:
        with storage.open(name, "rb") as stored:
            if stored.read() != content:
                raise CheckFailed("content not kept")
    finally:
        storage.delete(name)
    return {}


def backlog_seconds() -> float:
    """How long the oldest task that could run now has waited for a worker (0 when
    none waits). A task is due from when it was queued, or from its `run_after`."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    ready = DBTaskResult.objects.ready()
    due_since = [
        ready.filter(run_after=get_date_max())
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first(),
        ready.exclude(run_after=get_date_max())
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first(),
    ]
    oldest = min((moment for moment in due_since if moment), default=None)
    if oldest is None:
        return 0.0
    return max(0.0, (now - oldest).total_seconds())


def check_task_backlog() -> dict:
    limit = getattr(
        settings, "PORTAL_TASK_BACKLOG_MAX_SECONDS", DEFAULT_BACKLOG_MAX_SECONDS
    )
    age = round(backlog_seconds(), 1)
    details = {"backlog_seconds": age, "max_seconds": limit}
    if age > limit:
        raise CheckFailed("tasks wait too long for a worker", details)
    return details


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_private_storage,
    "tasks": check_task_backlog,
}
# Checks that need the database: not run when it is down (each would wait for it).
NEEDS_DATABASE = frozenset({"tasks"})


def run_check(name, check) -> dict:
    started = time.perf_counter()
    try:
        result = {"ok": True, **check()}
    except CheckFailed as failure:
        reason, *details = failure.args
        result = {"ok": False, "error": reason, **(details[0] if details else {})}
        logger.warning("Readiness check %s failed: %s", name, reason)
    except Exception as error:
        # The kind of error only: messages can name hosts, users or paths.
        result = {"ok": False, "error": type(error).__name__}
        logger.warning("Readiness check %s failed", name, exc_info=True)
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@require_safe
@transaction.non_atomic_requests
def readyz(request):
    results = {}
    for name, check in CHECKS.items():
        if name in NEEDS_DATABASE and not results["database"]["ok"]:
            results[name] = {"ok": False, "error": "database unavailable"}
            continue
        results[name] = run_check(name, check)
    ready = all(result["ok"] for result in results.values())
    body = {
        "status": "ok" if ready else "failing",
        "failing": [name for name, result in results.items() if not result["ok"]],
        "checks": results,
    }
    return _no_store(JsonResponse(body, status=200 if ready else 503))
