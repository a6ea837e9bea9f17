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
