"""Repeated failed sign-ins lock the username and the address out for a while.

One mechanism for every sign-in form (allauth's, which the Django and Wagtail admins
send people to, and any other that signs in through `authenticate`), on top of
allauth's own rate limits:

- every failure (Django's `user_login_failed` signal) is counted per username and per
  client address in the shared cache, and logged with the address and the time (never
  the password);
- `SignInLimitBackend`, the first authentication backend, refuses to check any
  password while the username or the address is locked out, so a guess cannot
  succeed even through a form this module does not know;
- `SignInLimitMiddleware` answers a locked-out POST to the sign-in page (in any
  language) itself: 429, `Retry-After`, and a page in the site's layout saying when
  to try again.

The counters live in Django's cache, which in production is shared by every process
(Redis, or the database cache): see CACHES in settings.
"""

import hashlib
import logging
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger("portal.security")

# Form fields that carry the username: Django's and Wagtail's forms, allauth's.
USERNAME_FIELDS = ("username", "login", "email")


@dataclass(frozen=True)
class SignInLimits:
    per_username: int
    per_address: int
    window_seconds: int


def limits() -> SignInLimits:
    conf = settings.PORTAL_SIGN_IN_LIMITS
    return SignInLimits(
        per_username=conf["PER_USERNAME"],
        per_address=conf["PER_ADDRESS"],
        window_seconds=conf["WINDOW_SECONDS"],
    )


def client_address(request) -> str:
    """The client's address; behind PORTAL_NUM_PROXIES proxies, the one they saw."""
    proxies = getattr(settings, "PORTAL_NUM_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if request else ""
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return (request.META.get("REMOTE_ADDR") if request else None) or "unknown"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"portal:signin:{kind}:{digest}"


def _keys(username: str | None, address: str) -> list[tuple[str, int]]:
    conf = limits()
    keys = [(_key("address", address), conf.per_address)]
    if username:
        keys.append((_key("username", username), conf.per_username))
    return keys


def retry_after(username: str | None, address: str) -> int:
    """Seconds until this username and address may try again (0: now)."""
    now = time.time()
    wait = 0.0
    for key, limit in _keys(username, address):
        if (cache.get(key) or 0) >= limit:
            reset = cache.get(f"{key}:reset") or now
            wait = max(wait, reset - now)
    return math.ceil(wait)


def record_failure(username: str | None, address: str) -> None:
    window = limits().window_seconds
    now = time.time()
    for key, _limit in _keys(username, address):
        if cache.add(key, 0, window):
            cache.set(f"{key}:reset", now + window, window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            cache.set(f"{key}:reset", now + window, window)


def _username_from(credentials: dict) -> str | None:
    for field in USERNAME_FIELDS:
        value = credentials.get(field)
        if isinstance(value, str) and value:
            return value[:254]
    return None


@receiver(user_login_failed, dispatch_uid="portal.signin.count_failure")
def count_failure(sender, credentials, request=None, **kwargs):
    if getattr(request, "_portal_signin_locked", False):
        return  # refused while locked out: no password was checked
    username = _username_from(credentials)
    address = client_address(request)
    record_failure(username, address)
    logger.warning(
        "sign-in failed at=%s ip=%s login=%r",
        timezone.now().isoformat(timespec="seconds"),
        address,
        username,
    )


class SignInLimitBackend:
    """First in AUTHENTICATION_BACKENDS: while locked out, no backend checks the
    password (PermissionDenied stops `authenticate`).

    It signs nobody in, so it has no `get_user`: sessions name the backend that did.
    """

    def authenticate(self, request, **credentials):
        username = _username_from(credentials)
        if retry_after(username, client_address(request)) > 0:
            if request is not None:
                request._portal_signin_locked = True
            raise PermissionDenied
        return None


class SignInLimitMiddleware:
    """A locked-out POST to a sign-in page gets a 429 page instead of the form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and re.match(
            settings.SIGN_IN_PATH_PATTERN, request.path_info
        ):
            username = _username_from(request.POST)
            wait = retry_after(username, client_address(request))
            if wait > 0:
                return too_many_sign_ins(request, wait)
        return self.get_response(request)


def too_many_sign_ins(request, wait: int):
    minutes = max(1, math.ceil(wait / 60))
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(wait)
    return response
