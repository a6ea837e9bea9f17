"""Run the portal as production does, on this machine: `make serve`.

Production settings on PostgreSQL, with N gunicorn app processes and M task workers
(`manage.py db_worker`) sharing the database, the cache and PORTAL_PRIVATE_ROOT.
Migrations and collectstatic run first. Ctrl-C (or SIGTERM) stops everything; if one
process dies, the others are stopped too and this script exits with its status.

Environment (defaults work on a development machine):
  WEB_CONCURRENCY (2)   gunicorn worker processes
  TASK_WORKERS (2)      `manage.py db_worker` processes
  PORT (8000)           listens on 127.0.0.1 only (BIND overrides)
  DATABASE_URL          postgres://postgres@127.0.0.1:5432/portal
  REDIS_URL             redis://127.0.0.1:6379/1
  DJANGO_SECRET_KEY     a throwaway key made for this run when unset
Plain HTTP here: HTTPS redirect off; EMAIL_URL prints e-mails (consolemail://).
"""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STOP_GRACE_SECONDS = 30


def environment(**overrides) -> dict:
    """The processes' environment: this shell's, then `overrides`, then the
    defaults below for what is still unset."""
    env = {**os.environ, **overrides}
    port = env.setdefault("PORT", "8000")
    # Production settings whatever the shell had (often portal.settings.dev).
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    defaults = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "EMAIL_URL": "consolemail://",
        "PORTAL_PRIVATE_ROOT": str(ROOT / "private"),
        "BIND": f"127.0.0.1:{port}",
        "PORTAL_BASE_URL": f"http://localhost:{port}",
        "WAGTAILADMIN_BASE_URL": f"http://localhost:{port}",
        "WEB_CONCURRENCY": "2",
        "TASK_WORKERS": "2",
    }
    for name, value in defaults.items():
        env.setdefault(name, value)
    if not env.get("DJANGO_SECRET_KEY"):
        env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
        print(
            "serve: DJANGO_SECRET_KEY is a throwaway key made for this run only "
            "(sessions end when it stops); set your own in production.",
            flush=True,
        )
    return env


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of a local run if it does not exist yet."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    try:
        psycopg.connect(url, connect_timeout=5).close()
        return
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(url, dbname="postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"serve: created the database {name}.", flush=True)


def manage(env, *args):
    subprocess.run(  # noqa: S603 (our own commands, fixed arguments)
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True
    )


def start(env, app: str | None = None, output=None) -> dict[str, subprocess.Popen]:
    """The app server and the task workers, each in its own process group: a
    Ctrl-C reaches this script only, which stops them in order (SIGTERM).
    `app`: another WSGI application for gunicorn (the load test's bare view);
    `output`: a file for everything they print (else this terminal)."""
    gunicorn = [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"]
    if app:
        gunicorn.append(app)
    worker = [str(BIN / "python"), "manage.py", "db_worker", "--no-reload"]
    streams = {"stdout": output, "stderr": output}
    processes = {
        "gunicorn": subprocess.Popen(  # noqa: S603 (fixed arguments)
            gunicorn, cwd=ROOT, env=env, process_group=0, **streams
        )
    }
    for number in range(1, int(env["TASK_WORKERS"]) + 1):
        processes[f"db_worker {number}"] = subprocess.Popen(  # noqa: S603
            worker, cwd=ROOT, env=env, process_group=0, **streams
        )
    return processes


def stop(processes):
    processes = list(processes.values())
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    env = environment()
    ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")

    stopping = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda signum, frame: stopping.append(signum))

    processes = start(env)
    print(
        f"serve: {env['WEB_CONCURRENCY']} app processes (gunicorn) on "
        f"http://{env['BIND']} and {env['TASK_WORKERS']} task workers; "
        "Ctrl-C stops them.",
        flush=True,
    )
    status = 0
    while not stopping:
        ended = [name for name, p in processes.items() if p.poll() is not None]
        if ended:
            code = processes[ended[0]].returncode
            # Killed by a signal: the shell's convention, 128 + its number.
            status = 128 - code if code < 0 else code or 1
            print(
                f"serve: {ended[0]} ended ({code}); stopping the others.",
                file=sys.stderr,
                flush=True,
            )
            break
        time.sleep(0.5)
    stop(processes)
    return status


if __name__ == "__main__":
    sys.exit(main())
