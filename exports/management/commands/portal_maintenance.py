from django.core.management.base import BaseCommand

from exports import maintenance


class Command(BaseCommand):
    help = (
        "Take up round packets whose worker died (or fail them with a message), "
        "mark task rows of dead workers failed, and delete expired packet files, "
        "unused cached dossiers and old task rows. Audit records stay. Safe to run "
        "at any frequency, even twice at once; every 5 minutes suits."
    )

    def add_arguments(self, parser):
        only = parser.add_mutually_exclusive_group()
        only.add_argument(
            "--sweep-only", action="store_true", help="Only the recovery sweep."
        )
        only.add_argument(
            "--retention-only", action="store_true", help="Only the retention."
        )

    def handle(self, *args, **options):
        counts = maintenance.run(
            do_sweep=not options["retention_only"],
            do_retention=not options["sweep_only"],
        )
        for name, value in counts.as_dict().items():
            self.stdout.write(f"{name.replace('_', ' ')}: {value}")
