"""Records carry their version; a write based on an old version changes nothing."""

import pytest

from grants.models import Proposal
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(affiliate_a):
    return ProposalFactory(affiliate=affiliate_a, title="Workshops in Tamale")


def url(proposal):
    return f"/api/v1/proposals/{proposal.pk}/"


def test_a_record_answers_with_its_version(api, admin_a, draft):
    response = api(admin_a).get(url(draft))
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and len(response["ETag"]) > 10


def test_a_write_with_the_current_version_passes_and_returns_the_new_one(
    api, admin_a, draft
):
    client = api(admin_a)
    etag = client.get(url(draft))["ETag"]
    response = client.patch(
        url(draft),
        {"title": "Workshops in Tamale and Wa"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] != etag
    assert client.get(url(draft))["ETag"] == response["ETag"]


def test_a_write_based_on_an_old_version_answers_412_and_changes_nothing(
    api, admin_a, member_a, draft
):
    first, second = api(admin_a), api(member_a)
    etag = first.get(url(draft))["ETag"]
    assert second.get(url(draft))["ETag"] == etag
    assert (
        first.patch(
            url(draft), {"title": "First"}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )

    response = second.patch(
        url(draft), {"title": "Second"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    assert "changed this record" in response.json()["detail"]
    assert Proposal.objects.get(pk=draft.pk).title == "First"


def test_a_change_to_a_budget_line_changes_the_proposals_version(api, admin_a, draft):
    client = api(admin_a)
    before = client.get(url(draft))
    lines = before.json()["budget_lines"]
    lines[0]["quantity"] = str(float(lines[0]["quantity"]) + 1)
    lines[0]["unit_cost"] = lines[0]["unit_cost"]
    response = client.patch(
        url(draft),
        {"budget_lines": lines},
        format="json",
        HTTP_IF_MATCH=before["ETag"],
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] != before["ETag"]
    assert Proposal.objects.get(pk=draft.pk).title == "Workshops in Tamale"


def test_a_state_change_on_an_old_version_is_refused(api, admin_a, member_a, draft):
    etag = api(admin_a).get(url(draft))["ETag"]
    api(member_a).patch(url(draft), {"summary": "Changed meanwhile."}, format="json")
    response = api(admin_a).post(
        f"{url(draft)}withdraw/", {}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    assert Proposal.objects.get(pk=draft.pk).status == "draft"


def test_the_schema_documents_versions(api):
    schema = api().get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    patch = schema["paths"]["/api/v1/proposals/{id}/"]["patch"]
    assert "If-Match" in [p["name"] for p in patch["parameters"]]
    assert "412" in patch["responses"]
    assert "ETag" in patch["responses"]["200"]["headers"]
