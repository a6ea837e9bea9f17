"""Test settings: fast hashing, tasks run immediately, no throttling surprises."""

import tempfile

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, STORAGES

DEBUG = False
SECRET_KEY = "test-only-secret-not-for-production-use-0123456789"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
# Generated PDFs go to a throw-away folder per test run.
STORAGES = {
    **STORAGES,
    "exports": {
        "BACKEND": "exports.storage.PrivateStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="portal-private-")},
    },
}
