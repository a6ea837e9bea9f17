"""Benchmark: the main lists and pages at 1,000 and at 100,000 proposals, on PostgreSQL.

Run:  .venv/bin/python bench/scale.py [--small 1000] [--large 100000] [--repeat 7]
It uses $BENCH_DATABASE_URL, or creates (drops and recreates) the database
portal_scale on postgres://postgres@127.0.0.1:5432. It generates 1,000 affiliates and
`--small` proposals (grants.load_data), measures each endpoint through Django's test
client in this process (the server's time, no network: median of the repeats and the
query count), grows the data to `--large` proposals, measures again, and prints a table
with the ratio per endpoint (goal: within 1.5×). For every endpoint over the goal it
prints the plan (EXPLAIN ANALYZE) of its slowest query. At the large size it also
times the proposal search (API `search=` and the funded grants page `q=`).

`--measure-only` measures the data already there (after a migration, say).
`--compare SMALL_DB LARGE_DB` measures two such databases (names on the same server)
in turns, request by request, so that other work on the machine weighs on both sizes
alike, and prints the same table.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_scale"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)

GOAL = 1.5
# label, path, parameters, who: staff and/or member (an affiliate admin).
ENDPOINTS = [
    ("API proposals", "/api/v1/proposals/", {}, ("staff", "member")),
    ("API reports", "/api/v1/reports/", {}, ("staff", "member")),
    ("proposal list page", "/grants/proposals/", {}, ("staff", "member")),
    ("funded grants page", "/grants/funded/", {}, ("staff", "visitor")),
    ("staff inbox", "/grants/staff/", {}, ("staff",)),
    ("compliance overview", "/affiliates/compliance/", {}, ("staff",)),
]
SEARCHES = [
    ("API proposals search", "/api/v1/proposals/", {"search": "heritage"}),
    ("funded grants q=", "/grants/funded/", {"q": "heritage"}),
    ("API search, no match", "/api/v1/proposals/", {"search": "zzqx"}),
]


def create_database() -> None:
    """Drop and create the default bench database (never one given by the caller)."""
    import psycopg

    if os.environ.get("BENCH_DATABASE_URL"):
        return
    server = DEFAULT_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS portal_scale")
        admin.execute("CREATE DATABASE portal_scale")


def readers():
    from django.contrib.auth import get_user_model

    from affiliates.choices import MembershipRole, MembershipStatus
    from affiliates.models import Membership
    from tests.factories import StaffFactory, with_two_factor

    User = get_user_model()
    staff = User.objects.filter(username="bench-staff").first()
    if staff is None:
        staff = StaffFactory(username="bench-staff")
        with_two_factor(staff)
    member = (
        Membership.objects.filter(
            affiliate__slug="load-1",
            role=MembershipRole.ADMIN,
            status=MembershipStatus.ACTIVE,
        )
        .select_related("user")
        .first()
        .user
    )
    # Pages would redirect to the member's own language prefix: read them in English.
    member.profile.language = "en"
    member.profile.save(update_fields=["language"])
    return {"staff": staff, "member": member, "visitor": None}


def measure(who, user, path, params, repeat):
    client = Client()
    if user is not None:
        client.force_login(user)
    client.get(path, params)  # warm templates, caches and the connection
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(path, params)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, who, response.status_code)
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]), default=None)
    return statistics.median(timings) * 1000, len(ctx.captured_queries), slowest


def measure_all(repeat):
    people = readers()
    results = {}
    for label, path, params, whom in ENDPOINTS:
        for who in whom:
            results[(label, who)] = measure(who, people[who], path, params, repeat)
            ms, queries, _slow = results[(label, who)]
            print(f"  {label:24} {who:8} {ms:8.1f} ms {queries:4d} queries", flush=True)
    return results


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def grow(affiliates: int, proposals: int, seed: int) -> None:
    from grants.load_data import generate

    started = time.perf_counter()
    counts = generate(
        affiliates=affiliates,
        proposals=proposals,
        seed=seed,
        log=lambda line: print(f"    {line}", flush=True),
    )
    rows = sum(counts.rows.values())
    print(
        f"generated {affiliates} affiliates, {proposals} proposals: {rows} rows, "
        f"{counts.history} history rows in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    with connection.cursor() as cursor:
        # As autovacuum would in a while: statistics, and the visibility map that
        # lets index-only scans skip the table.
        cursor.execute("VACUUM ANALYZE")


def proposal_count() -> int:
    from grants.models import Proposal

    return Proposal.objects.count()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--affiliates", type=int, default=1000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--compare", nargs=2, metavar=("SMALL_DB", "LARGE_DB"))
    args = parser.parse_args()
    setup_test_environment()
    if args.compare:
        compare(*args.compare, repeat=args.repeat)
        return

    if args.measure_only:
        print(f"measuring {proposal_count()} proposals", flush=True)
        results = measure_all(args.repeat)
        search(args.repeat)
        return

    create_database()
    connection.close()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
    grow(args.affiliates, args.small, seed=1)
    print(f"measuring {proposal_count()} proposals", flush=True)
    small = measure_all(args.repeat)
    grow(0, args.large - args.small, seed=2)
    print(f"measuring {proposal_count()} proposals", flush=True)
    results = measure_all(args.repeat)

    print()
    print(
        f"{'endpoint':24} {'who':8} {'ms@small':>9} {'q':>4} {'ms@large':>9} {'q':>4} "
        f"{'ratio':>6}"
    )
    over = []
    for key, (ms_large, q_large, slowest) in results.items():
        ms_small, q_small, _ = small[key]
        ratio = ms_large / ms_small
        flag = "" if ratio <= GOAL else "  over"
        print(
            f"{key[0]:24} {key[1]:8} {ms_small:9.1f} {q_small:4d} {ms_large:9.1f} "
            f"{q_large:4d} {ratio:6.2f}{flag}"
        )
        if ratio > GOAL and slowest:
            over.append((key, slowest))
    for (label, who), slowest in over:
        print(f"\n== {label} ({who}): slowest query, {slowest['time']} s")
        print(slowest["sql"][:3000])
        print(explain(slowest["sql"]))
    search(args.repeat)


def compare(small: str, large: str, repeat: int) -> None:
    from django.core.cache import cache

    names = {"small": small, "large": large}

    def switch(size):
        connection.close()
        connection.settings_dict["NAME"] = names[size]
        cache.clear()  # the same ids mean other rows in the other database

    people, counts = {}, {}
    for size in names:
        switch(size)
        people[size] = readers()
        counts[size] = proposal_count()
    print(
        f"{'endpoint':24} {'who':8} {'ms@' + str(counts['small']):>10} {'sql ms':>7} "
        f"{'q':>4} {'ms@' + str(counts['large']):>10} {'sql ms':>7} {'q':>4} "
        f"{'ratio':>6}",
        flush=True,
    )
    searches = [(*entry, ("staff", "visitor")) for entry in SEARCHES]
    over = []
    for label, path, params, whom in ENDPOINTS + searches:
        for who in whom:
            clients = {}
            for size in names:
                switch(size)
                clients[size] = Client()
                if people[size][who] is not None:
                    clients[size].force_login(people[size][who])
            timings = {size: [] for size in names}
            sql = {size: [] for size in names}
            queries, slowest = {}, {}
            for _ in range(repeat):
                for size in names:
                    switch(size)
                    clients[size].get(path, params)  # warm after the switch
                    with CaptureQueriesContext(connection) as ctx:
                        start = time.perf_counter()
                        response = clients[size].get(path, params)
                        timings[size].append(time.perf_counter() - start)
                    assert response.status_code == 200, (path, who, size)
                    queries[size] = len(ctx.captured_queries)
                    sql[size].append(
                        sum(float(q["time"]) for q in ctx.captured_queries)
                    )
                    slowest[size] = max(
                        ctx.captured_queries, key=lambda q: float(q["time"])
                    )
            ms = {size: statistics.median(timings[size]) * 1000 for size in names}
            db = {size: statistics.median(sql[size]) * 1000 for size in names}
            ratio = ms["large"] / ms["small"]
            print(
                f"{label:24} {who:8} {ms['small']:10.1f} {db['small']:7.1f} "
                f"{queries['small']:4d} {ms['large']:10.1f} {db['large']:7.1f} "
                f"{queries['large']:4d} {ratio:6.2f}"
                f"{'  over' if ratio > GOAL else ''}",
                flush=True,
            )
            if ratio > GOAL:
                over.append((label, who, slowest["large"]))
    switch("large")
    for label, who, query in over:
        print(
            f"\n== {label} ({who}): slowest query at the large size, {query['time']} s"
        )
        print(query["sql"][:2000])
        print(explain(query["sql"]))


def search(repeat):
    people = readers()
    print()
    for label, path, params in SEARCHES:
        for who in ("staff", "visitor"):
            ms, queries, slowest = measure(who, people[who], path, params, repeat)
            print(f"{label:24} {who:8} {ms:8.1f} ms {queries:4d} queries", flush=True)
            if ms > 200 and slowest:
                print(f"   slowest query {slowest['time']} s:")
                print(explain(slowest["sql"]))


if __name__ == "__main__":
    main()
