from django.core.management.base import BaseCommand

from affiliates.tasks import schedule_affiliate_reports


class Command(BaseCommand):
    help = "Queue the task that creates annual reports owed for ended fiscal years."

    def handle(self, *args, **options):
        result = schedule_affiliate_reports.enqueue()
        self.stdout.write(f"Queued task {result.id}.")
