"""Settings from the environment, production safety, and both ways to authenticate."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.production_process import run_production

ROOT = Path(__file__).resolve().parents[2]


def _run_check(env_overrides, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in {"EMAIL_URL", "DEFAULT_FROM_EMAIL"}
    }
    env.update(
        {"DJANGO_SETTINGS_MODULE": "portal.settings.production", **env_overrides}
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_check({"DJANGO_ALLOWED_HOSTS": "portal.example.org"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_deploy_check_is_clean():
    result = _run_check(
        {
            "DJANGO_SECRET_KEY": "long-random-secret-for-the-deploy-check-0123456789",
            "DJANGO_ALLOWED_HOSTS": "portal.example.org",
            "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.org:587",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_mail_server():
    result = _run_check(
        {
            "DJANGO_SECRET_KEY": "long-random-secret-for-the-deploy-check-0123456789",
            "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        }
    )
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr


def test_mail_settings_come_from_one_email_url():
    code = (
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
        "s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL)"
    )
    result = run_production(
        "manage.py",
        "shell",
        "-c",
        code,
        EMAIL_URL="smtp+tls://mailer:s3cret@mail.example.org:587",
    )
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        "587",
        "mailer",
        "s3cret",
        "True",
        "Grants",
        "portal",
        "<noreply@portal.example.org>",
    ]


def test_token_authentication_works_with_create_api_token(db, member_a):
    out = io.StringIO()
    call_command("create_api_token", member_a.username, "--name", "CI", stdout=out)
    key = out.getvalue().strip()
    client = APIClient()
    assert client.get("/api/v1/reports/").status_code in {401, 403}
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/reports/").status_code == 200


def test_session_authentication_enforces_csrf(db, member_a, affiliate_b):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member_a)
    assert client.get("/api/v1/memberships/").status_code == 200
    response = client.post(
        "/api/v1/memberships/", {"affiliate": affiliate_b.pk}, format="json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/", "/"])
def test_public_pages_answer(client, db, path):
    assert client.get(path).status_code == 200


def test_docs_load_no_third_party_assets(client, db):
    html = client.get("/api/v1/docs/").content.decode()
    assert "cdn.jsdelivr" not in html and "unpkg" not in html
