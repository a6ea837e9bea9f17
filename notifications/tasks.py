"""Background tasks: e-mails leave here, never in the request that caused them."""

from django_tasks import task

from . import delivery


@task()
def send_notification_emails(ids: list[int]) -> None:
    delivery.send_now(ids)


@task()
def send_reminders() -> dict[str, int]:
    """Today's reminders, the retries and the digests (manage.py send_reminders),
    for deployments that schedule tasks rather than commands."""
    from .reminders import run

    counts = run()
    return {
        "report_reminders": counts["reports"].recorded,
        "scoring_reminders": counts["scoring"].recorded,
        "retried": sum(counts["retried"].values()),
        "digests": sum(counts["digests"].values()),
    }
