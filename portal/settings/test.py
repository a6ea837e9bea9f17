"""Test settings: fast hashing, tasks run immediately, no throttling surprises."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, REST_FRAMEWORK, STORAGES

DEBUG = False
SECRET_KEY = "test-only-secret-not-for-production-use-0123456789"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if os.environ.get("PORTAL_TEST_TASKS") == "database":
    # Worker processes started by tests/exports/test_worker_crash.py.
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# API throttles are off (no rates) except in the tests that set rates.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Generated PDFs go to a throw-away folder per test run.
STORAGES = {
    **STORAGES,
    "exports": {
        "BACKEND": "exports.storage.PrivateStorage",
        # Worker processes started by a test share the test's folder.
        "OPTIONS": {
            "location": os.environ.get("PORTAL_PRIVATE_ROOT")
            or tempfile.mkdtemp(prefix="portal-private-")
        },
    },
}
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# Browser tests sign in many times from 127.0.0.1; each test starts with an empty
# cache (tests/browser/conftest.py), so allauth's real limits still apply within one.
# WhiteNoise serves static files from the apps' folders (the live server of the
# browser tests too); nothing needs collecting first.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: concurrency tests need connections that really are separate
    # (an in-memory test database is one connection shared by every thread).
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(
            tempfile.gettempdir(), f"portal-test-{os.getpid()}.sqlite3"
        )
    }
