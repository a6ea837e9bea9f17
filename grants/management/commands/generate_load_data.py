"""Generate realistic volumes of data for load tests (grants.load_data)."""

import time

from django.core.management.base import BaseCommand, CommandError

from grants.load_data import LOAD_PASSWORD, LoadDataRefused, generate


class Command(BaseCommand):
    help = (
        "Add generated affiliates, people, programs, proposals, reviews and reports, "
        "with their history, in bulk. For load tests; refused in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--affiliates", type=int, default=100)
        parser.add_argument("--proposals", type=int, default=1000)
        parser.add_argument("--reviews-per-proposal", type=int, default=2)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even where PORTAL_DEMO_DATA_ALLOWED is off (never on a live "
            "portal: every generated account shares one published password).",
        )

    def handle(self, *args, **options):
        for name in ("affiliates", "proposals", "reviews_per_proposal"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        started = time.perf_counter()
        try:
            counts = generate(
                affiliates=options["affiliates"],
                proposals=options["proposals"],
                reviews_per_proposal=options["reviews_per_proposal"],
                seed=options["seed"],
                force=options["force"],
                log=self.stdout.write if options["verbosity"] > 1 else None,
            )
        except LoadDataRefused as exc:
            raise CommandError(f"{exc} Use --force if you really mean it.") from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        for label, count in sorted(counts.rows.items()):
            self.stdout.write(f"{label:32} {count:>9}")
        rows = sum(counts.rows.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"{rows} rows and {counts.history} history rows in {elapsed:.1f} s. "
                f"Every generated account's password is {LOAD_PASSWORD!r}."
            )
        )
