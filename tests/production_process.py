"""Run Python in a fresh process under the production settings, for tests of what
those settings build from the environment (a separate process: the settings are
read once per process)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The environment production needs, with values fit for tests.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "DJANGO_SECRET_KEY": "long-random-secret-for-the-production-tests-0123456789",
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
}
# Settings of this shell that would leak into the process: left out.
LEFT_OUT = {"EMAIL_URL", "DEFAULT_FROM_EMAIL", "REDIS_URL"}


def run_production(*args: str, **env) -> subprocess.CompletedProcess:
    """`python ARGS` from the project root with PRODUCTION_ENV updated by `env`; the
    test fails if the process does."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in LEFT_OUT
    }
    environment.update(PRODUCTION_ENV, **env)
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result
