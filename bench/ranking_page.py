"""Benchmark: the committee's ranking PAGE of a round of 200 proposals, 3 reviews each.

Run:  .venv/bin/python bench/ranking_page.py [--proposals 200] [--reviews 3]
Same throwaway database and round as bench/ranking.py; prints the SQL query count
and the median time of the whole page (and of the htmx table swap) for staff and a
committee member, at a tenth of the size and at the full size. Target (issue 12):
under 300 ms, with a query count that does not grow with the proposals.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from ranking import build_round  # noqa: E402 - sets up Django first


def measure(client, url, **headers):
    timings = []
    for _ in range(7):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, **headers)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), statistics.median(timings), response


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=200)
    parser.add_argument("--reviews", type=int, default=3)
    args = parser.parse_args()
    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    from tests.factories import StaffFactory, with_two_factor

    staff = StaffFactory(username="bench-staff")
    with_two_factor(staff)
    print(
        f"{'size':>10} {'reader':10} {'variant':8} {'rows':>5} {'queries':>8} "
        f"{'median ms':>10}"
    )
    for n in (max(args.proposals // 10, 1), args.proposals):
        round_, member = build_round(n, args.reviews, str(n))
        with_two_factor(member)
        url = f"/grants/rounds/{round_.pk}/ranking/"
        for reader, user in (("staff", staff), ("committee", member)):
            client = Client()
            client.force_login(user)
            for variant, headers in (
                ("page", {}),
                ("htmx", {"HTTP_HX_REQUEST": "true"}),
            ):
                queries, seconds, response = measure(client, url, **headers)
                rows = response.content.count(b"<tr data-proposal=")
                print(
                    f"{n:>5}x{args.reviews:<4} {reader:10} {variant:8} {rows:>5} "
                    f"{queries:>8} {seconds * 1000:>10.1f}"
                )


if __name__ == "__main__":
    main()
