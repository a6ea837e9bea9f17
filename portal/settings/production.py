"""Production: refuses to start without a secret key; secure cookies and HSTS."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, STORAGES, env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set in the environment to run in production."
    )
DEBUG = False
if "locmem" in CACHES["default"]["BACKEND"]:
    raise ImproperlyConfigured(
        "Production needs a cache shared by every process (REDIS_URL or the database)."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
if "EMAIL_URL" not in env.ENVIRON:
    raise ImproperlyConfigured(
        "EMAIL_URL must be set in production (smtp+tls://user:password@host:587)."
    )
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default=f"Grants portal <noreply@{ALLOWED_HOSTS[0]}>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Static files: fingerprinted and compressed at collectstatic, served by WhiteNoise.
STORAGES = {
    **STORAGES,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
PORTAL_DEMO_DATA_ALLOWED = False

# One JSON object a line on standard error, each with the request's id; the
# request log replaces the server's access log (deploy/gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "portal.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json",
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Their own level, so that DJANGO_LOG_LEVEL=WARNING keeps the request log.
        "portal.requests": {
            "level": env("PORTAL_REQUEST_LOG_LEVEL", default="INFO"),
        },
        # Each step of every PDF at INFO: too much for a production log.
        "weasyprint": {"level": "WARNING"},
    },
}
