"""Benchmark: the round ranking with 200 proposals and 5 reviews each.

Run:  .venv/bin/python bench/ranking.py [--proposals 200] [--reviews 5]
Builds a throwaway SQLite database (or $BENCH_DATABASE_URL), fills one round, and
prints the SQL query count and median time of the ranking endpoint for staff and for
a committee member, at the full size and at a tenth of it. Target (issue 14): under
100 ms at 200 x 5, under 1 s at 2,000 x 5 (`--proposals 2000`).
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


def build_round(n_proposals: int, n_reviews: int, label: str):
    """One round with its own committee; reviews written straight to the tables."""
    import datetime
    import random
    from decimal import Decimal

    from django.utils import timezone

    from grants.choices import ProposalStatus, ReviewStatus
    from grants.models import (
        Committee,
        CommitteeMember,
        ProposalDeclaration,
        Review,
        Score,
    )
    from tests.factories import (
        AffiliateFactory,
        ProposalFactory,
        RoundFactory,
        RubricCriterionFactory,
        RubricFactory,
        UserFactory,
    )

    rng = random.Random(11)
    committee = Committee.objects.create(name=f"Committee {label}", quorum=3)
    rubric = RubricFactory(scale_min=1, scale_max=10)
    criteria = [
        RubricCriterionFactory(rubric=rubric, weight=Decimal(w)) for w in (3, 2, 3, 2)
    ]
    today = timezone.localdate()
    round_ = RoundFactory(
        program=rubric.program,
        committee=committee,
        rubric=rubric,
        opens_on=today - datetime.timedelta(50),
        closes_on=today - datetime.timedelta(20),
        comment_period_ends_on=today - datetime.timedelta(5),
        scoring_deadline=today + datetime.timedelta(20),
    )
    reviewers = [UserFactory() for _ in range(15)]
    for user in reviewers:
        CommitteeMember.objects.create(committee=committee, user=user)
    affiliates = [AffiliateFactory() for _ in range(40)]
    reviews, scores, declarations = [], [], []
    for _ in range(n_proposals):
        proposal = ProposalFactory(
            affiliate=rng.choice(affiliates),
            round=round_,
            program=round_.program,
            status=ProposalStatus.COMMITTEE_REVIEW,
        )
        for reviewer in rng.sample(reviewers, n_reviews):
            reviews.append(
                Review(
                    proposal=proposal,
                    reviewer=reviewer,
                    rubric=rubric,
                    status=ReviewStatus.SUBMITTED,
                    recommendation="fund",
                )
            )
        declarations.append(
            ProposalDeclaration(
                user=reviewers[0], proposal=proposal, has_conflict=False
            )
        )
    Review.objects.bulk_create(reviews)  # a benchmark fixture: no history needed
    ProposalDeclaration.objects.bulk_create(declarations)
    for review in Review.objects.filter(proposal__round=round_):
        for criterion in criteria:
            na = rng.random() < 0.1
            scores.append(
                Score(
                    review=review,
                    criterion=criterion,
                    not_applicable=na,
                    value=None if na else rng.randint(1, 10),
                )
            )
    Score.objects.bulk_create(scores)
    return round_, reviewers[0]


def measure(client, url):
    timings = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), statistics.median(timings), response.json()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=200)
    parser.add_argument("--reviews", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    from tests.conftest import client_for
    from tests.factories import StaffFactory

    staff = StaffFactory(username="bench-staff")
    print(f"{'size':>10} {'reader':10} {'rows':>5} {'queries':>8} {'median ms':>10}")
    for n in (max(args.proposals // 10, 1), args.proposals):
        round_, member = build_round(n, args.reviews, str(n))
        url = f"/api/v1/rounds/{round_.pk}/ranking/"
        for reader, user in (("staff", staff), ("committee", member)):
            queries, seconds, body = measure(client_for(user), url)
            print(
                f"{n:>5}x{args.reviews:<4} {reader:10} {len(body['ranking']):>5} "
                f"{queries:>8} {seconds * 1000:>10.1f}"
            )


if __name__ == "__main__":
    main()
