"""Background tasks for affiliates (run by a django-tasks worker in production)."""

from django_tasks import task

from .choices import AffiliateStatus
from .models import Affiliate
from .services import affiliate_reports_schedule


@task()
def schedule_affiliate_reports() -> int:
    """Create the annual reports owed for fiscal years that have ended."""
    created = 0
    for affiliate in Affiliate.objects.filter(status=AffiliateStatus.ACTIVE):
        created += len(affiliate_reports_schedule(affiliate=affiliate))
    return created
