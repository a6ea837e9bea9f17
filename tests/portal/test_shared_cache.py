"""Counters that several app processes must share (API throttles, sign-in limits)
live in Redis when REDIS_URL is set: two separate processes count together.

Needs the Redis server at PORTAL_TEST_REDIS_URL (redis://127.0.0.1:6379/14); where
there is none, the test is skipped unless PORTAL_REQUIRE_REDIS is set, as .ci/run
does after starting Redis itself.
"""

import json
import os
import socket
import uuid
from urllib.parse import urlsplit

import pytest

from tests.production_process import run_production

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def redis_answers() -> bool:
    address = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((address.hostname, address.port or 6379), 1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not redis_answers() and not os.environ.get("PORTAL_REQUIRE_REDIS"),
    reason=f"no Redis server at {REDIS_URL}",
)

# One app process: the anonymous API throttle asked `times` times for one address,
# with the cache the production settings build from REDIS_URL.
CHECKS = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import RequestFactory, override_settings
from rest_framework.request import Request

address, times = sys.argv[1], int(sys.argv[2])
rates = {"anon": "3/minute", "user": None, "write": None}
with override_settings(
    REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
):
    from portal.api.throttles import AnonThrottle

    answers = []
    for _ in range(times):
        request = RequestFactory().get("/api/v1/stories/", REMOTE_ADDR=address)
        answers.append(AnonThrottle().allow_request(Request(request), None))
print(json.dumps(answers))
"""


def app_process(address: str, times: int) -> list[bool]:
    result = run_production("-c", CHECKS, address, str(times), REDIS_URL=REDIS_URL)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_app_processes_count_one_clients_requests_together():
    # A fresh documentation address each run: counters from earlier runs stay
    # in Redis for a minute.
    address = f"192.0.2.{uuid.uuid4().int % 250 + 1}"
    other = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    first = app_process(address, 2)
    second = app_process(address, 2)
    elsewhere = app_process(other, 1)
    assert first == [True, True]
    # The third request of the minute is refused by the other process, which
    # learnt of the first two from Redis alone.
    assert second == [True, False]
    assert elsewhere == [True]
