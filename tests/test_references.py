"""A record one may not see looks exactly like one that does not exist, in writes,
filters and ordering alike."""

import re

import pytest

from grants.models import ProposalComment
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db
MISSING = 10**9


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/assignments/", lambda p, u: {"proposal": p, "reviewer": u}),
        (
            "/api/v1/recusals/",
            lambda p, u: {"proposal": p, "user": u, "conflict_type": "other"},
        ),
        ("/api/v1/committee-members/", lambda p, u: {"committee": p, "user": u}),
    ],
)
def test_staff_only_writes_refuse_before_reading_any_id(
    api, outsider, affiliate_a, url, body
):
    hidden = ProposalFactory(affiliate=affiliate_a)
    someone = UserFactory()
    client = api(outsider)
    seen = client.post(url, body(hidden.pk, someone.pk), format="json")
    missing = client.post(url, body(MISSING, MISSING), format="json")
    assert seen.status_code == missing.status_code == 403
    assert seen.json() == missing.json()


def test_a_hidden_proposal_in_a_review_looks_missing(api, outsider, affiliate_a):
    hidden = ProposalFactory(affiliate=affiliate_a)
    client = api(outsider)
    seen = client.post("/api/v1/reviews/", {"proposal": hidden.pk}, format="json")
    missing = client.post("/api/v1/reviews/", {"proposal": MISSING}, format="json")
    assert seen.status_code == missing.status_code == 400
    assert seen.json()["proposal"][0].replace(str(hidden.pk), "N") == missing.json()[
        "proposal"
    ][0].replace(str(MISSING), "N")


def test_a_story_cannot_name_another_affiliates_draft(
    api, member_a, affiliate_a, affiliate_b
):
    from cms.site import setup_site

    setup_site()
    hidden = ProposalFactory(affiliate=affiliate_b)
    body = {
        "title": "Our story",
        "locale": "en",
        "affiliate": affiliate_a.pk,
        "summary": "A summary.",
        "region": "ssa",
        "date": "2026-05-01",
        "original_language": "en",
    }
    client = api(member_a)
    seen = client.post(
        "/api/v1/my-stories/", {**body, "proposal": hidden.pk}, format="json"
    )
    missing = client.post(
        "/api/v1/my-stories/", {**body, "proposal": MISSING}, format="json"
    )
    assert seen.status_code == missing.status_code == 400
    assert "proposal" in seen.json() and "proposal" in missing.json()


def test_hidden_comments_cannot_be_placed_by_their_text(api, outsider, world):
    for body in ("zzz written first", "aaa written last"):
        ProposalComment.objects.create(
            proposal=world.proposal, author=outsider, body=body, is_hidden=True
        )
    client = api(outsider)
    by_body = client.get("/api/v1/comments/", {"ordering": "body"}).json()
    by_default = client.get("/api/v1/comments/").json()
    assert [c["id"] for c in by_body["results"]] == [
        c["id"] for c in by_default["results"]
    ]
    assert all(c["body"] == "" for c in by_body["results"])


@pytest.fixture
def world(staff, affiliate_a):
    from tests.grants.conftest import ReviewWorld

    return ReviewWorld(staff, affiliate_a)


def test_the_browsable_api_lists_no_records_in_forms(
    outsider, affiliate_a, monkeypatch
):
    """Development turns the browsable API on; its pages carry no HTML form, so no
    drop-down of related records, whoever looks."""
    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIClient

    from grants.api.comments import CommentViewSet
    from grants.api.reviews import ReviewViewSet
    from portal.api.renderers import FormlessBrowsableAPIRenderer

    for viewset in (ReviewViewSet, CommentViewSet):
        monkeypatch.setattr(
            viewset, "renderer_classes", [JSONRenderer, FormlessBrowsableAPIRenderer]
        )
    ProposalFactory(affiliate=affiliate_a, title="SECRET DRAFT TITLE")
    client = APIClient()
    client.force_authenticate(outsider)
    for url in ("/api/v1/reviews/", "/api/v1/comments/"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert not re.search(r'<select[^>]*name="proposal"', page)
        assert "SECRET DRAFT TITLE" not in page
