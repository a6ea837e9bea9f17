"""Background tasks: e-mails leave here, never in the request that caused them."""

from django_tasks import task

from . import delivery


@task()
def send_notification_emails(ids: list[int]) -> None:
    delivery.send_now(ids)
