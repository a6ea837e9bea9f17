"""Load test: the portal as deployed (gunicorn, task workers, PostgreSQL, Redis) under
100 concurrent Locust users for 5 minutes, then the same mix against a bare view.

Run:  .venv/bin/python bench/load/run.py [--users 100] [--minutes 5] [--web 4]
      (make bench-load does the same)

What it does, all on 127.0.0.1:
1. A virtualenv for Locust beside the project's (`.venv-load`, from
   bench/load/requirements.txt): Locust brings gevent, which the portal does not need.
2. The database: $BENCH_DATABASE_URL, else portal_load on the local PostgreSQL,
   dropped and made again with `migrate` and `generate_load_data` (--affiliates,
   --proposals; `--reuse` keeps a database made by an earlier run). Redis database
   15 is flushed and used as the shared cache.
3. The people (bench/load/personas.py): a signed-in session for every Locust user.
4. Production settings, `--web` gunicorn processes (deploy/gunicorn.conf.py) and
   `--task-workers` `db_worker`s. The users send `X-Forwarded-Proto: https`, as the
   TLS proxy in front of a real deployment would.
5. Locust, headless, for `--minutes`: visitors 40 %, members editing drafts 30 %,
   reviewers scoring 20 %, staff listing (and asking for a round packet once) 10 %
   (bench/load/locustfile.py). Meanwhile the resident memory of every app process
   and task worker is read each second (its peak: the most of VmHWM).
6. Checks: server errors (status 500 and above, from the portal's own JSON request
   log, and Locust's), and lost updates: every save a client made is compared with
   the rows and their history (bench/load/verify.py).
7. The same users, wait times and number of requests per task against the bare view
   (bench/load/bare.py) on the same gunicorn settings: the portal's cost as a ratio.

It prints one table per run (requests, failures, p50/p95/p99 ms, requests per second
per endpoint) and the summary; the Locust CSV files and the server logs stay in the
output folder (--out, default artifacts/load-<time>).
"""

import argparse
import csv
import importlib.util
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOAD_VENV = ROOT / ".venv-load"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_load"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--web", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--task-workers", type=int, default=1)
    parser.add_argument("--affiliates", type=int, default=1000)
    parser.add_argument("--proposals", type=int, default=20000)
    parser.add_argument("--reuse", action="store_true", help="keep the database")
    parser.add_argument(
        "--prepare-only", action="store_true", help="make the database, then stop"
    )
    parser.add_argument("--skip-bare", action="store_true")
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def locust_venv() -> Path:
    locust = LOAD_VENV / "bin" / "locust"
    requirements = ROOT / "bench" / "load" / "requirements.txt"
    stamp = LOAD_VENV / ".installed"
    if not stamp.exists() or stamp.stat().st_mtime < requirements.stat().st_mtime:
        log("setting up .venv-load (Locust)")
        subprocess.run([sys.executable, "-m", "venv", str(LOAD_VENV)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [str(LOAD_VENV / "bin" / "pip"), "install", "-q", "-r", str(requirements)],
            check=True,
        )
        stamp.touch()
    return locust


def serve_module():
    """deploy/serve.py, which `make serve` runs: the same processes, started and
    stopped the same way."""
    spec = importlib.util.spec_from_file_location("serve", ROOT / "deploy" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SERVE = serve_module()


def environment(args, out: Path) -> dict:
    """`make serve`'s environment, on the bench's own database, Redis database,
    files and port."""
    return SERVE.environment(
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        REDIS_URL="redis://127.0.0.1:6379/15",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        EMAIL_URL="dummymail://",
        PORTAL_PRIVATE_ROOT=str(out / "private"),
        PORT=str(args.port),
        BIND=f"127.0.0.1:{args.port}",
        PORTAL_BASE_URL=f"http://127.0.0.1:{args.port}",
        WAGTAILADMIN_BASE_URL=f"http://127.0.0.1:{args.port}",
        WEB_CONCURRENCY=str(args.web),
        TASK_WORKERS=str(args.task_workers),
        # No worker recycling in the middle of the measurement (production
        # replaces a worker after about 1,000 requests; see gunicorn.conf.py).
        GUNICORN_CMD_ARGS="--max-requests 0",
    )


def manage(env, *command, **kwargs):
    return subprocess.run(  # noqa: S603 (our own commands)
        [str(BIN / "python"), "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        **kwargs,
    )


def prepare_database(args, env) -> None:
    import psycopg
    from psycopg import sql

    url = env["DATABASE_URL"]
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(url, dbname="postgres", autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and args.reuse:
            log(f"reusing the database {name}")
        else:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name))
            )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")
    if not (exists and args.reuse):
        log(f"generating {args.affiliates} affiliates and {args.proposals} proposals")
        started = time.monotonic()
        manage(
            env,
            "generate_load_data",
            "--force",
            f"--affiliates={args.affiliates}",
            f"--proposals={args.proposals}",
        )
        log(f"generated in {time.monotonic() - started:.0f} s")
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("VACUUM ANALYZE")
    collect_static(env)


def collect_static(env) -> None:
    """collectstatic (it compresses every file: minutes on a small machine) unless
    nothing changed under a static folder since the last time."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if manifest.exists():
        newest = max(
            (p.stat().st_mtime for p in ROOT.glob("*/static/**/*") if p.is_file()),
            default=0,
        )
        if newest < manifest.stat().st_mtime:
            return
    log("collectstatic")
    manage(env, "collectstatic", "--noinput", "-v0")


def flush_cache() -> None:
    import redis

    redis.Redis.from_url("redis://127.0.0.1:6379/15").flushdb()


class MemoryWatch(threading.Thread):
    """The highest resident memory (VmHWM) of each process of a group, read every
    second (a gunicorn worker's own peak is kept even after it exits)."""

    def __init__(self, roots: dict[str, int]):
        super().__init__(daemon=True)
        self.roots = roots  # role -> pid whose children (or itself) we watch
        self.peak: dict[str, int] = {}
        self.seen: dict[str, set] = {}
        self.running = True

    @staticmethod
    def children(pid: int) -> list[int]:
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    @staticmethod
    def high_water_kib(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self):
        while self.running:
            for role, root in self.roots.items():
                pids = self.children(root) if role == "app process" else [root]
                for pid in pids:
                    self.seen.setdefault(role, set()).add(pid)
                    self.peak[role] = max(
                        self.peak.get(role, 0), self.high_water_kib(pid)
                    )
            time.sleep(1)


def wait_until_up(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {path} within {timeout} s")


def run_locust(locust: Path, args, out: Path, label: str, extra_env: dict) -> None:
    env = {**os.environ, **extra_env}
    command = [
        str(locust),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{int(args.minutes * 60)}s",
        "--host",
        f"http://127.0.0.1:{args.port}",
        "--csv",
        str(out / label),
        "--only-summary",
        "--stop-timeout",
        "20",
        "--exit-code-on-error",
        "0",
    ]
    with open(out / f"{label}-locust.log", "w") as locust_log:
        subprocess.run(  # noqa: S603 (our own command)
            command, env=env, stdout=locust_log, stderr=locust_log, check=True
        )


def stats(out: Path, label: str) -> list[dict]:
    with open(out / f"{label}_stats.csv") as source:
        return list(csv.DictReader(source))


def table(rows: list[dict], seconds: float) -> str:
    lines = [
        f"{'endpoint':34} {'requests':>8} {'fail':>5} {'p50':>6} {'p95':>6} "
        f"{'p99':>6} {'req/s':>6}"
    ]
    for row in rows:
        lines.append(
            f"{row['Name'][:34]:34} {int(row['Request Count']):8d} "
            f"{int(row['Failure Count']):5d} {row['50%']:>6} {row['95%']:>6} "
            f"{row['99%']:>6} {float(row['Request Count']) / seconds:6.1f}"
        )
    return "\n".join(lines)


def server_log(logfile: Path) -> tuple[int, int, list[float]]:
    """(requests logged, answers with status 500 or more, the server's durations
    in ms, sorted) from the portal's JSON request log."""
    errors = 0
    durations = []
    for line in logfile.read_text(errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "status" in record and "duration_ms" in record:
            durations.append(record["duration_ms"])
            errors += record["status"] >= 500
    return len(durations), errors, sorted(durations)


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))] if values else 0


def measure(args, env, locust, out, label, app=None, bare=False):
    flush_cache()
    logfile = open(out / f"{label}-server.log", "w")  # noqa: SIM115
    processes = SERVE.start(
        {**env, "TASK_WORKERS": "0"} if bare else env, app=app, output=logfile
    )
    try:
        wait_until_up(args.port, "/bare/" if bare else "/healthz")
        roots = {"app process": processes["gunicorn"].pid}
        for name, process in processes.items():
            if name.startswith("db_worker"):
                roots["task worker"] = process.pid
        watch = MemoryWatch(roots)
        watch.start()
        started = time.time()
        log(f"{label}: {args.users} users for {args.minutes:g} min")
        run_locust(
            locust,
            args,
            out,
            label,
            {
                "LOAD_PERSONAS": str(out / "personas.json"),
                "LOAD_WRITES": str(out / f"{label}-writes.json"),
                "LOAD_BARE": "1" if bare else "0",
            },
        )
        seconds = time.time() - started
        watch.running = False
    finally:
        SERVE.stop(processes)
        logfile.close()
    return started, seconds, watch


def main() -> int:
    args = arguments()
    out = args.out or ROOT / "artifacts" / f"load-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    locust = locust_venv()
    env = environment(args, out)
    prepare_database(args, env)
    if args.prepare_only:
        return 0
    subprocess.run(  # noqa: S603
        [str(BIN / "python"), "bench/load/personas.py", str(out / "personas.json")],
        cwd=ROOT,
        env=env,
        check=True,
    )
    started, seconds, watch = measure(args, env, locust, out, "portal")
    rows = stats(out, "portal")
    total = next(r for r in rows if r["Name"] == "Aggregated")
    logged, errors, durations = server_log(out / "portal-server.log")
    verify = subprocess.run(  # noqa: S603
        [
            str(BIN / "python"),
            "bench/load/verify.py",
            str(out / "portal-writes.json"),
            str(started),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    report = [
        f"# Load test, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores",
        f"{args.users} users (spawn {args.spawn_rate:g}/s), {args.minutes:g} min; "
        f"{args.web} app processes, {args.task_workers} task worker(s); "
        f"{args.affiliates} affiliates, {args.proposals} proposals",
        "",
        "## Portal",
        table(rows, seconds),
        f"server: {logged} requests logged, {errors} answered 500 or more; "
        f"time in the app process p50 {percentile(durations, 0.5):.0f} ms, "
        f"p95 {percentile(durations, 0.95):.0f} ms, p99 "
        f"{percentile(durations, 0.99):.0f} ms (the rest of the client's wait is "
        "the queue for a free process)",
        "peak resident memory: "
        + ", ".join(
            f"{role} {kib / 1024:.0f} MiB ({len(watch.seen.get(role, ()))} seen)"
            for role, kib in watch.peak.items()
        ),
        "",
        "## Lost updates",
        verify.stdout.strip() or verify.stderr.strip(),
    ]
    if not args.skip_bare:
        _s, bare_seconds, _w = measure(
            args, env, locust, out, "bare", app="bench.load.bare:application", bare=True
        )
        bare_rows = stats(out, "bare")
        bare_total = next(r for r in bare_rows if r["Name"] == "Aggregated")
        report += [
            "",
            "## Bare view (same users, waits and request count per task)",
            table(bare_rows, bare_seconds),
            "",
            "## Portal over bare view",
            f"median {total['50%']} / {bare_total['50%']} ms = "
            f"{float(total['50%']) / max(float(bare_total['50%']), 1):.1f}×; "
            f"p95 {total['95%']} / {bare_total['95%']} ms = "
            f"{float(total['95%']) / max(float(bare_total['95%']), 1):.1f}×; "
            f"requests per second {float(total['Request Count']) / seconds:.1f} / "
            f"{float(bare_total['Request Count']) / bare_seconds:.1f}",
        ]
    text = "\n".join(report)
    (out / "report.md").write_text(text + "\n")
    print(text)
    failed = errors or int(total["Failure Count"]) or verify.returncode
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
