"""Request bodies are bounded: depth and size give a clear 4xx, never a 500."""

import json

import pytest

from portal import limits
from portal.api.parsers import json_depth_exceeds


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [limits.JSON_MAX_DEPTH + 1, 1000, 100_000])
def test_deeply_nested_json_is_a_clear_400(api, member_a, depth):
    response = api(member_a).generic(
        "POST",
        "/api/v1/proposals/",
        deep_json(depth),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_nesting_within_the_limit_reaches_the_serializer(api, member_a):
    body = json.loads(deep_json(limits.JSON_MAX_DEPTH))
    response = api(member_a).post("/api/v1/proposals/", body, format="json")
    assert response.status_code == 400
    assert "nested" not in json.dumps(response.json())


def test_depth_message_is_translated(api, member_a):
    response = api(member_a).generic(
        "POST",
        "/api/v1/proposals/",
        deep_json(1000),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    assert "anidado" in response.json()["detail"]


def test_oversized_body_is_a_json_413(api, member_a):
    body = json.dumps({"title": "x" * (limits.JSON_MAX_BYTES + 10)})
    response = api(member_a).generic(
        "POST", "/api/v1/proposals/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "2.0 MB" in response.json()["detail"]


def test_invalid_json_and_constants_are_400(api, member_a):
    for body in ("{", '{"amount": NaN}', b"\xff\xfe"):
        response = api(member_a).generic(
            "POST", "/api/v1/proposals/", body, content_type="application/json"
        )
        assert response.status_code == 400, body


def test_only_json_bodies_are_accepted(api, member_a):
    response = api(member_a).post(
        "/api/v1/proposals/", {"title": "x"}, format="multipart"
    )
    assert response.status_code == 415


def test_depth_check_walks_without_recursion():
    value: list = []
    for _ in range(50_000):
        value = [value]
    assert json_depth_exceeds(value, limits.JSON_MAX_DEPTH)
    assert not json_depth_exceeds({"a": [{"b": [1, 2]}]}, 4)
    assert json_depth_exceeds({"a": [{"b": [1, 2]}]}, 3)
