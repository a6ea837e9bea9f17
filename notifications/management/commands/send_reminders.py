import datetime

from django.core.management.base import BaseCommand, CommandError

from notifications import reminders


class Command(BaseCommand):
    help = (
        "Record today's report and scoring reminders, retry the e-mails that failed "
        "and send the daily digests. Safe to run at any frequency, even twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help=(
                "Work out the reminders as if today were this day (YYYY-MM-DD), for "
                "testing. Retries and digests keep the real time."
            ),
        )

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must look like 2027-03-31.") from None
        counts = reminders.run(today=today)
        for name in ("reports", "scoring"):
            step = counts[name]
            stages = ", ".join(f"{s}: {n}" for s, n in sorted(step.by_stage.items()))
            self.stdout.write(
                f"{name} reminders: {step.due} due today ({stages or 'none'}), "
                f"{step.recorded} recorded now"
            )
        for name in ("retried", "digests"):
            sent = ", ".join(f"{k}: {v}" for k, v in sorted(counts[name].items()))
            self.stdout.write(f"{name} e-mails: {sent or 'none'}")
