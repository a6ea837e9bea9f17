"""Benchmark: the staff compliance overview with 1,000 affiliates.

Run:  .venv/bin/python bench/compliance.py [--affiliates 1000] [--budget-ms 300]
Builds a throwaway SQLite database (or $BENCH_DATABASE_URL, a database it may
flush), fills it with affiliates in every compliance status (a third past due with
one to three overdue reports, some deferred, some suspended) and a few deferment
requests waiting, then requests /affiliates/compliance/ as staff through Django's
test client in this process (the server's time, no network): the first page, a
filtered page and a later page, at a tenth of the size and at the full size. It
prints the median of the repeats and the query count, and exits 1 if a median passes
the budget or the query count grows with the affiliates.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
_tmp = tempfile.mkdtemp(prefix="portal-bench-")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3"
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)

URL = "/affiliates/compliance/"


def add_affiliates(start: int, count: int, staff, rng) -> None:
    """Affiliates and their reports, deferments and requests, written straight to
    the tables (a benchmark fixture: no history rows needed)."""
    import datetime

    from django.utils import timezone

    from affiliates.choices import (
        AffiliateReportKind,
        AffiliateStatus,
        AffiliateType,
        Region,
    )
    from affiliates.models import (
        Affiliate,
        AffiliateReport,
        Deferment,
        DefermentRequest,
    )

    today = timezone.localdate()
    types = list(AffiliateType.values)
    regions = list(Region.values)
    affiliates = Affiliate.objects.bulk_create(
        Affiliate(
            name=f"Bench affiliate {i:05d}",
            slug=f"bench-{i}",
            type=rng.choice(types),
            region=rng.choice(regions),
            country="GH",
            recognition_date=today - datetime.timedelta(days=1500),
            status=(
                AffiliateStatus.SUSPENDED if i % 17 == 0 else AffiliateStatus.ACTIVE
            ),
        )
        for i in range(start, start + count)
    )
    reports, deferments, requests = [], [], []
    for index, affiliate in enumerate(affiliates):
        for year in (2023, 2024, 2025):
            for kind in AffiliateReportKind.values:
                late = index % 3 == 0 and year >= 2026 - rng.randint(1, 3)
                reports.append(
                    AffiliateReport(
                        affiliate=affiliate,
                        fiscal_year=year,
                        kind=kind,
                        due_date=datetime.date(year + 1, 4, 30),
                        status="draft" if late else "accepted",
                        submitted_at=None
                        if late
                        else timezone.now() - datetime.timedelta(days=400),
                        summary="" if late else "Done.",
                    )
                )
        if index % 5 == 0:
            deferments.append(
                Deferment(
                    affiliate=affiliate,
                    cause="disaster",
                    explanation="Floods.",
                    valid_from=today - datetime.timedelta(days=30),
                    until=today + datetime.timedelta(days=100),
                    granted_by=staff,
                )
            )
        if index % 200 == 3:
            requests.append(
                DefermentRequest(
                    affiliate=affiliate,
                    requested_by=staff,
                    cause="war",
                    until=today + datetime.timedelta(days=100),
                    explanation="The office is closed.",
                )
            )
    AffiliateReport.objects.bulk_create(reports)
    Deferment.objects.bulk_create(deferments)
    DefermentRequest.objects.bulk_create(requests)


def measure(client, url, params, repeat):
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, params)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), statistics.median(timings), max(timings)


def main():
    import random

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--affiliates", type=int, default=1000)
    parser.add_argument("--budget-ms", type=float, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    from tests.factories import StaffFactory, with_two_factor

    staff = StaffFactory(username="bench-staff")
    with_two_factor(staff)
    client = Client()
    client.force_login(staff)
    rng = random.Random(7)
    pages = [
        ("first page", {}),
        ("past due, chapters", {"status": "past_due", "type": "chapter"}),
        ("page 3", {"page": "3"}),
    ]
    header = f"{'affiliates':>10} {'page':22} {'queries':>8} {'median ms':>10}"
    print(f"{header} {'max ms':>8}")
    failed = False
    counts: dict[int, list[int]] = {}
    built = 0
    for size in (max(args.affiliates // 10, 1), args.affiliates):
        add_affiliates(built, size - built, staff, rng)
        built = size
        for label, params in pages:
            client.get(URL, params)  # warm the templates and caches
            queries, median, slowest = measure(client, URL, params, args.repeat)
            print(
                f"{size:>10} {label:22} {queries:>8} {median * 1000:>10.1f} "
                f"{slowest * 1000:>8.1f}"
            )
            failed |= median * 1000 > args.budget_ms
            counts.setdefault(size, []).append(queries)
    # Two of the queries (the reasons) are left out for a page without past-due or
    # deferred rows; the count may vary with the rows shown, never with the size.
    small, full = (max(counts[size]) for size in counts)
    if full > small:
        print(f"query count grew with the affiliates: {small} → {full}")
        failed = True
    print("over budget or growing" if failed else f"within {args.budget_ms:.0f} ms")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
