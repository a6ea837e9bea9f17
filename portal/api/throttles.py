"""API rate limits: per client address when anonymous, per user when signed in, and a
stricter one for writes.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], read when each request is
checked (DRF reads them once at import), so that tests can switch them on; a scope
without a rate is not limited. Counters live in the shared cache (see CACHES).
Over the limit: 429 with Retry-After and DRF's translated message.
"""

from django.conf import settings
from rest_framework.throttling import (
    AnonRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from portal.signin import client_address


class _RatesFromSettings:
    def get_rate(self):
        rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES") or {}
        return rates.get(self.scope)

    def get_ident(self, request):
        return client_address(request)  # the same address as the sign-in limits


class AnonThrottle(_RatesFromSettings, AnonRateThrottle):
    scope = "anon"


class UserThrottle(_RatesFromSettings, UserRateThrottle):
    scope = "user"


class WriteThrottle(_RatesFromSettings, SimpleRateThrottle):
    """POST, PUT, PATCH and DELETE: per user, or per address when anonymous."""

    scope = "write"

    def get_cache_key(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
