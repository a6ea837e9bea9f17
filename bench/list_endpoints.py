"""Benchmark: queries and time per list endpoint as data grows.

Run:  .venv/bin/python bench/list_endpoints.py [--affiliates 300] [--proposals 2000]
It builds its own throwaway SQLite database (or uses $BENCH_DATABASE_URL, e.g. a
PostgreSQL database it may drop and recreate), fills it with factory data, and prints
for each list endpoint the number of SQL queries and the median time of five requests
at page sizes 50 and 200, as staff and as an affiliate admin.
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
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)

ENDPOINTS = [
    "affiliates",
    "memberships",
    "affiliate-reports",
    "deferments",
    "programs",
    "rounds",
    "proposals",
    "reports",
    "coi-declarations",
    "interest-declarations",
]


def seed(n_affiliates: int, n_proposals: int):
    import datetime
    import random

    from django.utils import timezone

    from affiliates.choices import MembershipRole
    from grants.choices import ProposalStatus
    from grants.models import GrantReport
    from tests.factories import (
        AffiliateFactory,
        AffiliateReportFactory,
        DefermentFactory,
        InterestDeclarationFactory,
        MembershipFactory,
        ProposalDeclarationFactory,
        ProposalFactory,
        RoundFactory,
        RubricCriterionFactory,
        StaffFactory,
        UserFactory,
    )

    random.seed(7)
    staff = StaffFactory(username="bench-staff")
    admin = UserFactory(username="bench-admin")
    affiliates = [AffiliateFactory() for _ in range(n_affiliates)]
    MembershipFactory(user=admin, affiliate=affiliates[0], role=MembershipRole.ADMIN)
    today = timezone.localdate()
    for index, affiliate in enumerate(affiliates):
        MembershipFactory(affiliate=affiliate)
        AffiliateReportFactory(
            affiliate=affiliate, due_date=today - datetime.timedelta(days=index % 60)
        )
        if index % 10 == 0:
            DefermentFactory(affiliate=affiliate, granted_by=staff)
    rounds = [RoundFactory() for _ in range(5)]
    for _ in range(5):
        RubricCriterionFactory()
    statuses = list(ProposalStatus)
    for index in range(n_proposals):
        affiliate = affiliates[0] if index % 20 == 0 else random.choice(affiliates)
        status = statuses[index % len(statuses)]
        proposal = ProposalFactory(
            affiliate=affiliate, round=random.choice(rounds), status=status
        )
        if status in (ProposalStatus.FUNDED, ProposalStatus.REPORTING):
            GrantReport.objects.create(proposal=proposal, kind="final", due_date=today)
        if index % 4 == 0 and status != ProposalStatus.DRAFT:
            ProposalDeclarationFactory(user=staff, proposal=proposal)
    for year in range(2000, 2030):
        InterestDeclarationFactory(user=staff, year=year)
    return staff, admin


def measure(client, url, page_size):
    timings = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, {"page_size": page_size})
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:300]
    return (
        len(ctx.captured_queries),
        statistics.median(timings),
        response.json()["count"],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--affiliates", type=int, default=300)
    parser.add_argument("--proposals", type=int, default=2000)
    args = parser.parse_args()

    setup_test_environment()  # the test client's host, as in the test suite
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    staff, admin = seed(args.affiliates, args.proposals)
    print(
        f"seeded in {time.perf_counter() - started:.1f}s "
        f"({args.affiliates} affiliates, {args.proposals} proposals)"
    )
    from tests.conftest import client_for

    print(
        f"{'endpoint':24} {'role':6} {'rows':>6} {'q@50':>5} {'q@200':>6} "
        f"{'ms@50':>7} {'ms@200':>7}"
    )
    for name in ENDPOINTS:
        for role, user in (("staff", staff), ("admin", admin)):
            client = client_for(user)
            url = f"/api/v1/{name}/"
            q50, t50, count = measure(client, url, 50)
            q200, t200, _ = measure(client, url, 200)
            print(
                f"{name:24} {role:6} {count:>6} {q50:>5} {q200:>6} "
                f"{t50 * 1000:>7.1f} {t200 * 1000:>7.1f}"
            )


if __name__ == "__main__":
    main()
