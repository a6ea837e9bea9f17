"""Simultaneous writes through the API: the loser of a race gets a 409, never a 500.

Each request runs in its own thread of the live server with its own database
connection (SQLite from a file, or PostgreSQL), as in production with several app
processes. SQLite queues writers (IMMEDIATE transactions, busy timeout); PostgreSQL
services lock the row (select_for_update).
"""

import datetime
import threading

import pytest
import requests

from affiliates.choices import MembershipRole
from cms import services as story_services
from cms.site import setup_site
from grants.choices import ProposalStatus
from grants.models import Proposal
from tests.factories import (
    AffiliateFactory,
    MembershipFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
THREADS = 6


def race(calls) -> list[int]:
    """Run the calls at the same moment; return their status codes."""
    barrier = threading.Barrier(len(calls))
    codes: list[int] = [0] * len(calls)

    def run(index, call):
        barrier.wait()
        codes[index] = call().status_code

    threads = [
        threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return codes


@pytest.fixture
def admin_token():
    affiliate = AffiliateFactory()
    admin = MembershipFactory(
        user=UserFactory(), affiliate=affiliate, role=MembershipRole.ADMIN
    ).user
    return affiliate, {"Authorization": f"Token {token_for(admin)}"}


def test_simultaneous_submits_one_wins_the_others_get_409(live_server, admin_token):
    affiliate, headers = admin_token
    proposal = ProposalFactory(affiliate=affiliate, status=ProposalStatus.DRAFT)
    url = f"{live_server.url}/api/v1/proposals/{proposal.pk}/submit/"
    codes = race(
        [lambda: requests.post(url, json={}, headers=headers, timeout=60)] * THREADS
    )
    assert sorted(codes) == [200] + [409] * (THREADS - 1)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.history.filter(status=ProposalStatus.SUBMITTED).count() == 1


def test_simultaneous_edits_all_succeed_one_after_the_other(live_server, admin_token):
    affiliate, headers = admin_token
    proposal = ProposalFactory(affiliate=affiliate, status=ProposalStatus.DRAFT)
    url = f"{live_server.url}/api/v1/proposals/{proposal.pk}/"

    def patch(n):
        return lambda: requests.patch(
            url, json={"title": f"Edit {n}"}, headers=headers, timeout=60
        )

    codes = race([patch(n) for n in range(THREADS)])
    assert codes == [200] * THREADS
    title = Proposal.objects.get(pk=proposal.pk).title
    assert title in {f"Edit {n}" for n in range(THREADS)}
    assert proposal.history.count() == THREADS + 1


def test_simultaneous_story_submits_one_wins_the_others_get_409(live_server):
    setup_site()
    affiliate = AffiliateFactory()
    author = MembershipFactory(user=UserFactory(), affiliate=affiliate).user
    story = story_services.story_create(
        actor=author,
        affiliate=affiliate,
        locale="en",
        title="Racing to the board",
        summary="Two clicks at once.",
        region="lac",
        date=datetime.date(2026, 5, 1),
        original_language="en",
    )
    headers = {"Authorization": f"Token {token_for(author)}"}
    url = f"{live_server.url}/api/v1/my-stories/{story.pk}/submit/"
    codes = race(
        [lambda: requests.post(url, json={}, headers=headers, timeout=60)] * THREADS
    )
    assert sorted(codes) == [200] + [409] * (THREADS - 1)
    assert story.workflow_states.count() == 1


def token_for(user) -> str:
    from accounts.services import api_token_create

    _token, key = api_token_create(actor=None, user=user, name="concurrency")
    return key
