from django.core.management.base import BaseCommand

from cms.site import setup_site


class Command(BaseCommand):
    help = "Create each locale's home, story index and about pages, and the workflow."

    def handle(self, *args, **options):
        indexes = setup_site()
        self.stdout.write(f"Story indexes: {', '.join(sorted(indexes))}")
