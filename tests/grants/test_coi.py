"""Conflict-of-interest declarations: validated, personal, audited."""

import pytest

from grants.choices import ProposalStatus
from grants.models import InterestDeclaration, ProposalDeclaration
from tests.factories import ProposalFactory

URL = "/api/v1/coi-declarations/"


@pytest.fixture
def in_review(affiliate_b):
    return ProposalFactory(
        affiliate=affiliate_b, status=ProposalStatus.COMMUNITY_REVIEW
    )


def test_declaring_a_conflict_needs_type_and_explanation(api, outsider, in_review):
    client = api(outsider)
    response = client.post(
        URL, {"proposal": in_review.pk, "has_conflict": True}, format="json"
    )
    assert response.status_code == 400
    assert {"conflict_type", "explanation"} <= set(response.json())
    response = client.post(
        URL,
        {"proposal": in_review.pk, "has_conflict": False, "conflict_type": "family"},
        format="json",
    )
    assert response.status_code == 400
    assert not ProposalDeclaration.objects.exists()
    response = client.post(
        URL,
        {
            "proposal": in_review.pk,
            "has_conflict": True,
            "conflict_type": "family",
            "explanation": "My sister leads this project.",
            "change_reason": "Declared before reading",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    declaration = ProposalDeclaration.objects.get()
    assert declaration.history.get().history_change_reason == "Declared before reading"


def test_cannot_declare_on_a_proposal_one_cannot_see(api, outsider, affiliate_a):
    draft = ProposalFactory(affiliate=affiliate_a)
    response = api(outsider).post(
        URL, {"proposal": draft.pk, "has_conflict": False}, format="json"
    )
    assert response.status_code == 400
    assert "proposal" in response.json()


def test_one_declaration_per_person_and_proposal_and_only_the_declarant_edits(
    api, outsider, member_b, staff, in_review
):
    client = api(outsider)
    first = client.post(
        URL, {"proposal": in_review.pk, "has_conflict": False}, format="json"
    )
    assert first.status_code == 201
    again = client.post(
        URL, {"proposal": in_review.pk, "has_conflict": False}, format="json"
    )
    assert again.status_code == 400
    pk = first.json()["id"]
    assert (
        api(staff)
        .patch(f"{URL}{pk}/", {"has_conflict": False}, format="json")
        .status_code
        == 403
    )
    assert api(member_b).get(f"{URL}{pk}/").status_code == 404
    response = client.patch(
        f"{URL}{pk}/",
        {
            "has_conflict": True,
            "conflict_type": "financial",
            "explanation": "Paid to translate their report.",
        },
        format="json",
    )
    assert response.status_code == 200


def test_yearly_declaration_with_interests(api, outsider, affiliate_a):
    client = api(outsider)
    response = client.post(
        "/api/v1/interest-declarations/",
        {
            "year": 2026,
            "no_interests": True,
            "interests": [{"kind": "paid_work", "affiliate": affiliate_a.pk}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "interests" in response.json()
    response = client.post(
        "/api/v1/interest-declarations/",
        {
            "year": 2026,
            "interests": [
                {
                    "kind": "paid_work",
                    "affiliate": affiliate_a.pk,
                    "role": "Translator",
                    "started_on": "2025-02-01",
                    "ended_on": "2025-05-01",
                },
                {"kind": "close_relationship", "organisation": "A friend on B's board"},
                {"kind": "other"},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "interests" in response.json()
    assert not InterestDeclaration.objects.exists()
    response = client.post(
        "/api/v1/interest-declarations/",
        {
            "year": 2026,
            "interests": [
                {
                    "kind": "paid_work",
                    "affiliate": affiliate_a.pk,
                    "role": "Translator",
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["interests"][0]["affiliate"] == affiliate_a.pk
    again = client.post(
        "/api/v1/interest-declarations/",
        {"year": 2026, "no_interests": True},
        format="json",
    )
    assert again.status_code == 400
