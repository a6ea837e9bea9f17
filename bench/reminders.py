"""Benchmark: a reminder run for 10,000 affiliates with 2 admins each.

Run:  .venv/bin/python bench/reminders.py [--affiliates 10000] [--budget-s 60]
Builds a throwaway SQLite database (or $BENCH_DATABASE_URL, an empty database it may
fill), with affiliates that each have two admins with verified addresses (half of
them with a language of their own, the others read the affiliate's), a member, an
annual report due and, for every other affiliate, a grant report due: in 14 days,
tomorrow or overdue. Then it times one reminder run as `manage.py send_reminders`
does it, with the e-mails sent through Django's locmem backend in this process (the
test settings: tasks run at once, after each batch commits), and a second run the
same day (nothing new to send). It prints the wall time, the notifications and
e-mails, and the queries per batch of reminders and per e-mail, and exits 1 over the
budget.
"""

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
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

from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

LANGUAGES = ["", "fr", "es", "ar", "zh-hans", "de", "ru", "en"]


def build(count: int, today) -> None:
    """Affiliates, people and reports written straight to the tables (a benchmark
    fixture: no history rows, no signals)."""
    import datetime
    from decimal import Decimal

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from accounts.models import Profile
    from affiliates.choices import MembershipRole, MembershipStatus
    from affiliates.models import Affiliate, AffiliateReport, Membership
    from grants.choices import ProposalStatus
    from grants.models import GrantReport, Proposal
    from tests.factories import RoundFactory

    User = get_user_model()
    batch = 2000
    round_ = RoundFactory()
    affiliates = Affiliate.objects.bulk_create(
        (
            Affiliate(
                name=f"Bench affiliate {i:05d}",
                slug=f"bench-{i}",
                type="chapter",
                region="ssa",
                country="GH",
                working_languages=[LANGUAGES[1 + i % 7]],
                recognition_date=today - datetime.timedelta(days=1500),
            )
            for i in range(count)
        ),
        batch_size=batch,
    )
    users = User.objects.bulk_create(
        (
            User(
                username=f"bench-{i}-{role}",
                email=f"bench-{i}-{role}@example.org",
                password="!",  # noqa: S106 (unusable)
            )
            for i in range(count)
            for role in ("admin1", "admin2", "member")
        ),
        batch_size=batch,
    )
    Profile.objects.bulk_create(
        (
            Profile(user=user, language=LANGUAGES[n % 8] if n % 2 else "")
            for n, user in enumerate(users)
        ),
        batch_size=batch,
    )
    EmailAddress.objects.bulk_create(
        (
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in users
        ),
        batch_size=batch,
    )
    Membership.objects.bulk_create(
        (
            Membership(
                user=user,
                affiliate=affiliates[n // 3],
                role=MembershipRole.MEMBER if n % 3 == 2 else MembershipRole.ADMIN,
                status=MembershipStatus.ACTIVE,
            )
            for n, user in enumerate(users)
        ),
        batch_size=batch,
    )
    # 14 days, 10 days, tomorrow, overdue by 1 day (first week) or by 9 (second).
    offsets = [14, 10, 1, -1, -9]
    AffiliateReport.objects.bulk_create(
        (
            AffiliateReport(
                affiliate=affiliate,
                fiscal_year=2025,
                kind="activity",
                due_date=today + datetime.timedelta(days=offsets[i % 5]),
            )
            for i, affiliate in enumerate(affiliates)
        ),
        batch_size=batch,
    )
    proposals = Proposal.objects.bulk_create(
        (
            Proposal(
                affiliate=affiliate,
                program=round_.program,
                round=round_,
                title=f"Bench proposal {i}",
                language="en",
                status=ProposalStatus.REPORTING,
                currency="GHS",
                amount_requested=Decimal("30000"),
                exchange_rate=Decimal("12.5"),
            )
            for i, affiliate in enumerate(affiliates)
            if i % 2 == 0
        ),
        batch_size=batch,
    )
    GrantReport.objects.bulk_create(
        (
            GrantReport(
                proposal=proposal,
                kind="final",
                due_date=today + datetime.timedelta(days=offsets[(i + 2) % 5]),
            )
            for i, proposal in enumerate(proposals)
        ),
        batch_size=batch,
    )


class QueryCounter:
    """Counts the queries of each phase (recording reminders, sending e-mails)."""

    def __init__(self):
        self.phase = "record"
        self.counts = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.counts[self.phase] += 1
        return execute(sql, params, many, context)


def timed_run(today, counter):
    from notifications import delivery, reminders

    send_now = delivery.send_now
    spent = {"delivery": 0.0}

    def counted_send_now(ids):
        counter.phase = "delivery"
        start = time.perf_counter()
        try:
            return send_now(ids)
        finally:
            spent["delivery"] += time.perf_counter() - start
            counter.phase = "record"

    delivery.send_now = counted_send_now
    try:
        start = time.perf_counter()
        with connection.execute_wrapper(counter):
            counts = reminders.run(today=today)
        return time.perf_counter() - start, spent["delivery"], counts
    finally:
        delivery.send_now = send_now


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--affiliates", type=int, default=10000)
    parser.add_argument("--budget-s", type=float, default=60)
    args = parser.parse_args()
    setup_test_environment()  # the locmem e-mail backend
    call_command("migrate", verbosity=0, interactive=False)
    from django.utils import timezone

    from notifications.models import Notification

    today = timezone.localdate()
    start = time.perf_counter()
    build(args.affiliates, today)
    print(f"database: {connection.vendor}")
    print(
        f"built {args.affiliates} affiliates with {2 * args.affiliates} admins "
        f"in {time.perf_counter() - start:.1f} s"
    )
    failed = False
    for label in ("first run", "second run"):
        mail.outbox = []
        counter = QueryCounter()
        wall, sending, counts = timed_run(today, counter)
        reports = counts["reports"]
        emails = len(mail.outbox)
        print(f"{label}:")
        print(f"  wall time          {wall:8.1f} s (sending e-mails {sending:.1f} s)")
        print(
            f"  reminders due      {reports.due:8d} "
            f"({', '.join(f'{s} {n}' for s, n in sorted(reports.by_stage.items()))})"
        )
        print(f"  recorded now       {reports.recorded:8d}")
        print(f"  e-mails sent       {emails:8d}")
        print(
            f"  batches            {reports.batches:8d}, "
            f"{counter.counts['record'] / max(reports.batches, 1):.1f} queries each "
            "(recording)"
        )
        if emails:
            print(
                f"  delivery queries   {counter.counts['delivery']:8d} "
                f"({counter.counts['delivery'] / emails:.3f} per e-mail)"
            )
        failed |= wall > args.budget_s
    print(f"notifications in the table: {Notification.objects.count()}")
    print("over budget" if failed else f"within {args.budget_s:.0f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
