"""The request log: one JSON line per request, a request id passed through, nothing
secret from the URL."""

import io
import json
import logging

import pytest

from portal.logging import JsonFormatter, PlainFormatter, RequestIdFilter
from tests.production_process import run_production


@pytest.fixture
def json_log():
    """What the request logger writes, formatted as production formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("portal.requests")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_one_json_line_per_request_with_its_fields(client, db, json_log):
    response = client.get("/accounts/login/")
    [entry] = json_log()
    assert entry["level"] == "INFO"
    assert entry["logger"] == "portal.requests"
    assert entry["method"] == "GET"
    assert entry["path"] == "/accounts/login/"
    assert entry["status"] == response.status_code == 200
    assert entry["user_id"] is None
    assert isinstance(entry["duration_ms"], float)
    assert entry["request_id"] == response["X-Request-ID"]
    assert len(entry["request_id"]) == 32


def test_the_signed_in_user_is_named_by_id(client, member_a, json_log):
    client.force_login(member_a)
    client.get("/home/")
    assert json_log()[-1]["user_id"] == member_a.pk


def test_an_api_token_user_is_named_by_id(db, member_a, json_log):
    from django.core.management import call_command
    from rest_framework.test import APIClient

    out = io.StringIO()
    call_command("create_api_token", member_a.username, stdout=out)
    key = out.getvalue().strip().split()[-1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/affiliates/").status_code == 200
    assert json_log()[-1]["user_id"] == member_a.pk


def test_an_incoming_request_id_is_passed_through(client, db, json_log):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42:abc")
    assert response["X-Request-ID"] == "lb-7f3a.42:abc"
    assert json_log()[-1]["request_id"] == "lb-7f3a.42:abc"


@pytest.mark.parametrize(
    "bad",
    ["", "x" * 101, "id with spaces", 'inject"\n{"level":"ERROR"}', "<script>"],
)
def test_a_bad_request_id_is_replaced(client, db, json_log, bad):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=bad)
    new = response["X-Request-ID"]
    assert new != bad
    assert len(new) == 32 and new.isalnum()
    assert json_log()[-1]["request_id"] == new


def test_the_query_string_is_not_logged(client, db, json_log):
    client.get("/accounts/login/?next=/home/&token=hunter2-secret")
    [entry] = json_log()
    assert entry["path"] == "/accounts/login/"
    assert "hunter2" not in json.dumps(entry)


def test_the_calendar_key_is_not_logged(client, db, json_log):
    key = "Zq8wT0pSecretCalendarKey123"
    client.get(f"/notifications/calendar/{key}.ics")
    lines = json_log()
    assert lines[-1]["path"] == "/notifications/calendar/<key>.ics"
    assert key not in json.dumps(lines)


def test_other_records_during_a_request_carry_its_id(client, db, caplog):
    """A line written by a view (Django's 404 warning here) has the request id."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get(
            "/notifications/calendar/AnotherSecretKey99.ics",
            HTTP_X_REQUEST_ID="trace-1234",
        )
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entries, "Django logs a 404"
    assert all(entry["request_id"] == "trace-1234" for entry in entries)
    assert "AnotherSecretKey99" not in stream.getvalue()
    assert "<key>" in entries[0]["message"]


def test_health_checks_are_logged_at_debug_only(client, db, json_log):
    client.get("/healthz")
    client.get("/readyz")
    assert [entry["level"] for entry in json_log()] == ["DEBUG", "DEBUG"]


def test_plain_lines_outside_production():
    record = logging.LogRecord(
        "portal.requests", logging.INFO, __file__, 1, "GET %s 200", ("/x/",), None
    )
    line = PlainFormatter().format(record)
    assert line == "INFO portal.requests [None] GET /x/ 200"


def test_a_json_line_stays_one_line():
    record = logging.LogRecord(
        "portal", logging.ERROR, __file__, 1, "two\nlines é", None, None
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line)["message"] == "two\nlines é"


def test_production_logs_json_lines():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('portal.requests').info('GET /x/ 200', "
        "extra={'status': 200})"
    )
    result = run_production("-c", code, EMAIL_URL="consolemail://")
    [line] = result.stderr.strip().splitlines()
    entry = json.loads(line)
    assert entry["message"] == "GET /x/ 200"
    assert entry["status"] == 200
    assert entry["request_id"] is None
