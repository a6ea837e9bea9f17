"""Every user gets a profile; failed sign-ins are logged for the security record."""

import logging

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

security_log = logging.getLogger("portal.security")


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_profile(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .services import profile_for

        profile_for(instance)


def client_ip(request) -> str:
    """The address the request came from. Behind a proxy, REMOTE_ADDR is the proxy:
    configure the proxy to set it (e.g. a WSGI server's forwarded-allow-ips)."""
    if request is None:
        return "-"
    return request.META.get("REMOTE_ADDR", "-")


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    """allauth signs people in through django.contrib.auth.authenticate, which sends
    this signal on every wrong username, e-mail address or password."""
    identifier = (
        credentials.get("username")
        or credentials.get("email")
        or credentials.get("login")
        or ""
    )
    security_log.warning(
        "sign-in failed at=%s ip=%s login=%r",
        timezone.now().isoformat(timespec="seconds"),
        client_ip(request),
        str(identifier)[:100],
    )
