"""The database out of reach for a moment: 503 with Retry-After (JSON on the API, a
page of its own for browsers), nothing half-written, and the next request works.

On PostgreSQL the connection is really cut (pg_terminate_backend from a second
connection) in the middle of a request that writes; on every database a cursor
that fails stands in for it."""

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client

from grants.models import BudgetLine, Proposal
from grants.services import proposals as proposal_services
from portal.db_errors import server_error
from tests.grants.test_proposals_api import URL, payload
from tests.grants.test_proposals_api import round_ as round_fixture

round_ = round_fixture

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="cuts a real PostgreSQL connection",
)


def written() -> tuple[int, int, int]:
    return (
        Proposal.objects.count(),
        Proposal.history.model.objects.count(),
        BudgetLine.objects.count(),
    )


def cut_my_connection() -> None:
    """Terminate this process's database session from a second connection, as a
    database restart would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


class FailingCursors:
    """Every query fails as if the server had gone away, while switched on."""

    def __init__(self, monkeypatch):
        self.on = False
        execute = CursorWrapper.execute

        def failing(cursor, *args, **kwargs):
            if self.on:
                raise OperationalError("server closed the connection unexpectedly")
            return execute(cursor, *args, **kwargs)

        monkeypatch.setattr(CursorWrapper, "execute", failing)


@pytest.fixture
def failing_cursors(monkeypatch):
    return FailingCursors(monkeypatch)


def break_after_children(monkeypatch, breaker):
    """The draft, its history row and its budget lines are written; then the
    database goes away before the request ends."""
    write_children = proposal_services._write_children

    def and_then_break(*args, **kwargs):
        write_children(*args, **kwargs)
        assert Proposal.objects.count() == 1  # written, not committed
        breaker()
        Proposal.objects.count()

    monkeypatch.setattr(proposal_services, "_write_children", and_then_break)


def assert_api_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert "cannot reach its database" in body["detail"]


def test_persistent_connections_are_checked_before_reuse():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["ATOMIC_REQUESTS"] is True


# Transactional: the request's own transaction is the outermost, as in production.
@pytest.mark.django_db(transaction=True)
def test_api_write_that_loses_the_database_answers_503_and_writes_nothing(
    api, member_a, affiliate_a, round_, monkeypatch, failing_cursors
):
    before = written()

    def go_away():
        failing_cursors.on = True

    break_after_children(monkeypatch, go_away)
    client = api(member_a)
    # Later middleware reads the database again on the way out and fails too: that
    # one reaches the 500 handler, which answers 503 as well (the test client would
    # re-raise it).
    client.raise_request_exception = False
    response = client.post(URL, payload(affiliate_a, round_), format="json")
    failing_cursors.on = False
    assert_api_503(response)
    assert written() == before
    monkeypatch.undo()
    again = api(member_a).post(URL, payload(affiliate_a, round_), format="json")
    assert again.status_code == 201, again.content


@pytest.mark.django_db
def test_a_page_gets_a_page_of_its_own_and_htmx_a_message(client, failing_cursors):
    failing_cursors.on = True
    page = client.get("/affiliates/")
    htmx = client.get("/affiliates/", headers={"HX-Request": "true"})
    failing_cursors.on = False
    assert page.status_code == htmx.status_code == 503
    assert page["Retry-After"] == "5"
    body = page.content.decode()
    assert "<html" in body and "Unavailable for a moment" in body
    assert "cannot reach its database" in body
    assert "<script" not in body and "style=" not in body  # CSP: nothing inline
    assert "<html" not in htmx.content.decode()
    assert "cannot reach its database" in htmx.content.decode()
    assert client.get("/affiliates/").status_code == 200


@pytest.mark.django_db
def test_an_outage_inside_middleware_is_a_503_too(member_a, failing_cursors):
    # Signed in: the session and the user's language are read by middleware,
    # before any view runs.
    client = Client(raise_request_exception=False)
    client.force_login(member_a)
    failing_cursors.on = True
    response = client.get("/affiliates/")
    api = client.get("/api/v1/affiliates/")
    failing_cursors.on = False
    assert response.status_code == 503
    assert "Unavailable for a moment" in response.content.decode()
    assert_api_503(api)
    assert client.get("/affiliates/").status_code == 200


def test_the_500_handler_answers_an_outage_503_and_anything_else_500(rf):
    request = rf.get("/affiliates/")
    try:
        raise ValueError("a bug, not an outage")
    except ValueError:
        assert server_error(request).status_code == 500
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "5"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_connection_cut_in_the_middle_of_a_write_on_postgresql(
    api, member_a, affiliate_a, round_, monkeypatch
):
    before = written()
    break_after_children(monkeypatch, cut_my_connection)
    response = api(member_a).post(URL, payload(affiliate_a, round_), format="json")
    assert_api_503(response)
    monkeypatch.undo()
    assert written() == before  # the database rolled the transaction back
    again = api(member_a).post(URL, payload(affiliate_a, round_), format="json")
    assert again.status_code == 201, again.content
    assert written()[0] == before[0] + 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_page_after_a_database_restart_answers_503_then_recovers(member_a):
    client = Client(raise_request_exception=False)
    client.force_login(member_a)
    assert client.get("/affiliates/").status_code == 200
    cut_my_connection()  # between two requests, as a restart does
    response = client.get("/affiliates/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Unavailable for a moment" in response.content.decode()
    assert client.get("/affiliates/").status_code == 200
