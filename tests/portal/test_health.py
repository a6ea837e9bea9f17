"""Health endpoints: cheap, open, nothing private, never redirected."""

import importlib.util
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def old_task(db):
    """A task queued an hour ago that no worker has picked up."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="notifications.tasks.send_reminders",
        backend_name="default",
        run_after=get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - timedelta(hours=1)
    )
    return task


def test_healthz_answers_ok_without_touching_the_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert len(queries) == 0
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_while_the_database_is_down(client, db, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the database was asked")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "ensure_connection", refuse)
        response = client.get("/healthz")
    assert response.status_code == 200


def test_readyz_reports_every_check_when_all_is_well(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "storage", "tasks"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["tasks"]["backlog_seconds"] == 0


def test_readyz_is_503_naming_the_database_when_it_fails(client, db, monkeypatch):
    from django.db import OperationalError

    def unreachable():
        raise OperationalError('could not connect to "db.internal" as secret-user')

    monkeypatch.setitem(health.CHECKS, "database", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["failing"] == ["database", "tasks"]
    assert body["checks"]["database"]["error"] == "OperationalError"
    # The error's own words can name hosts and users: not shown to anyone.
    assert b"db.internal" not in response.content
    assert b"secret-user" not in response.content
    assert body["checks"]["cache"]["ok"] and body["checks"]["storage"]["ok"]


def test_readyz_is_503_when_the_cache_loses_values(client, db, monkeypatch):
    monkeypatch.setattr(health.cache, "get", lambda key, default=None: None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_readyz_is_503_when_tasks_wait_too_long(client, old_task):
    response = client.get("/readyz")
    assert response.status_code == 503
    tasks = response.json()["checks"]["tasks"]
    assert tasks["ok"] is False
    assert tasks["backlog_seconds"] >= 3600
    assert tasks["max_seconds"] == 900


def test_backlog_threshold_is_a_setting(client, old_task):
    with override_settings(PORTAL_TASK_BACKLOG_MAX_SECONDS=7200):
        assert client.get("/readyz").status_code == 200


def test_tasks_not_yet_due_are_no_backlog(client, db):
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="notifications.tasks.send_reminders",
        backend_name="default",
        run_after=timezone.now() + timedelta(hours=1),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - timedelta(days=1)
    )
    assert client.get("/readyz").json()["checks"]["tasks"]["backlog_seconds"] == 0


def test_readyz_leaves_no_file_behind(client, db):
    from django.core.files.storage import storages

    client.get("/readyz")
    storage = storages["exports"]
    assert not storage.exists("health") or storage.listdir("health")[1] == []


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_sets_no_cookie_and_is_not_redirected(client, db, path):
    client.cookies.load({"django_language": "ar"})
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_needs_no_sign_in(client, db, path):
    assert client.get(path).status_code == 200


def test_other_pages_still_go_to_https(client, db):
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_health_refuses_writes(client, db):
    assert client.post("/readyz").status_code == 405


def _serve_module():
    spec = importlib.util.spec_from_file_location("serve", ROOT / "deploy" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_serve_runs_production_settings_locally(monkeypatch, capsys):
    for name in ("DJANGO_SECRET_KEY", "DATABASE_URL", "PORT", "BIND", "EMAIL_URL"):
        monkeypatch.delenv(name, raising=False)
    env = _serve_module().environment()
    assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
    assert env["DATABASE_URL"] == "postgres://postgres@127.0.0.1:5432/portal"
    assert env["BIND"] == "127.0.0.1:8000"
    assert env["DJANGO_SECURE_SSL_REDIRECT"] == "0"
    assert env["EMAIL_URL"] == "consolemail://"
    assert len(env["DJANGO_SECRET_KEY"]) >= 50
    assert "throwaway" in capsys.readouterr().out


def test_make_serve_gunicorn_config_is_valid(monkeypatch):
    """gunicorn loads its config and the app under the environment of `make serve`."""
    monkeypatch.setenv("PORT", "9999")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    env = _serve_module().environment()
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--print-config",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    settings = dict(
        (part.strip() for part in line.split("=", 1))
        for line in result.stdout.splitlines()
        if "=" in line
    )
    assert settings["workers"] == "3"
    assert settings["bind"] == "['127.0.0.1:9999']"
    assert settings["accesslog"] == "None"
    assert settings["max_requests_jitter"] == "100"
    assert settings["wsgi_app"] == "portal.wsgi:application"
