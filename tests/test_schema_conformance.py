"""A bounded schemathesis run over /api/v1/schema/ inside the suite.

Generated requests (valid and invalid) go to every operation, authenticated as staff
and as an affiliate admin. No response may be a server error, and every documented
response must match the schema.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from accounts.services import api_token_create
from grants.choices import ProposalStatus
from portal import limits
from tests.factories import (
    AffiliateReportFactory,
    InterestDeclarationFactory,
    ProposalDeclarationFactory,
    ProposalFactory,
    RubricCriterionFactory,
)

EXAMPLES_PER_OPERATION = 12
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def wsgi_app():
    """The real WSGI app, keeping the test's database connection open between calls.

    Django closes connections when a request finishes; inside a test transaction (as
    on PostgreSQL) that would cut the test off. Django's own test client does the
    same disconnection.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(affiliate_a, admin_a, staff):
    """A few rows with low ids, so generated ids sometimes hit real objects."""
    RubricCriterionFactory()
    for status in (
        ProposalStatus.DRAFT,
        ProposalStatus.COMMITTEE_REVIEW,
        ProposalStatus.FUNDED,
    ):
        ProposalFactory(affiliate=affiliate_a, status=status)
    AffiliateReportFactory(affiliate=affiliate_a)
    ProposalDeclarationFactory(user=admin_a)
    InterestDeclarationFactory(user=admin_a)


@pytest.mark.parametrize("role", ["staff", "admin_a"])
def test_api_never_fails_and_matches_its_schema(request, wsgi_app, seeded, role):
    user = request.getfixturevalue(role)
    _token, key = api_token_create(actor=None, user=user, name="schemathesis")
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()


def nested(depth: int):
    value: list | dict = []
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def test_deep_and_oversized_bodies_are_refused_never_crash(wsgi_app, seeded, staff):
    """Every operation that takes a body, sent one nested far past the limit and one
    past the size limit: a 4xx with a message, never a server error."""
    _token, key = api_token_create(actor=None, user=staff, name="schemathesis")
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    with_body = [op for op in operations if list(op.body)]
    assert len(with_body) > 30
    statuses = {"deep": set(), "large": set()}
    bodies = {
        "deep": nested(limits.JSON_MAX_DEPTH * 8),
        "large": {"title": "x" * (limits.JSON_MAX_BYTES + 1)},
    }
    for operation in with_body:
        path_parameters = {p.name: 1 for p in operation.path_parameters}
        for kind, body in bodies.items():
            case = operation.Case(
                path_parameters=path_parameters,
                body=body,
                media_type="application/json",
            )
            response = case.call_and_validate(
                headers=headers, checks=[not_a_server_error]
            )
            statuses[kind].add(response.status_code)
            assert response.headers["content-type"][0].startswith("application/json")
    assert 400 in statuses["deep"]
    assert 413 in statuses["large"]
    assert max(statuses["deep"] | statuses["large"]) < 500
