"""Bad input is a field error (never a 500), hidden records look like missing ones,
and what was submitted stays on record."""

import pytest

from affiliates.models import Deferment
from grants.choices import ProposalStatus
from grants.models import FundProgram, Proposal
from tests.factories import (
    DefermentFactory,
    ProposalDeclarationFactory,
    ProposalFactory,
)


def test_filter_by_hidden_proposal_looks_like_no_such_proposal(
    api, outsider, affiliate_a
):
    draft = ProposalFactory(affiliate=affiliate_a, title="SECRET DRAFT")
    client = api(outsider)
    hidden = client.get("/api/v1/coi-declarations/", {"proposal": draft.pk})
    missing = client.get("/api/v1/coi-declarations/", {"proposal": 999999})
    assert hidden.status_code == missing.status_code == 200
    assert hidden.json() == missing.json()
    page = client.get("/api/v1/coi-declarations/", HTTP_ACCEPT="text/html")
    assert "SECRET DRAFT" not in page.content.decode()


def test_a_proposal_once_submitted_is_withdrawn_not_deleted(
    api, admin_a, staff, outsider, affiliate_a
):
    proposal = ProposalFactory(
        affiliate=affiliate_a, status=ProposalStatus.COMMUNITY_REVIEW
    )
    ProposalDeclarationFactory(user=outsider, proposal=proposal)
    proposal.submitted_at = proposal.created_at
    proposal.save()
    api(staff).post(
        f"/api/v1/proposals/{proposal.pk}/send-back/",
        {"change_reason": "Revise the budget"},
        format="json",
    )
    response = api(admin_a).delete(f"/api/v1/proposals/{proposal.pk}/")
    assert response.status_code == 403
    assert "withdraw" in response.json()["detail"]
    assert Proposal.objects.filter(pk=proposal.pk).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_date": "9999-06-01", "end_date": "9999-07-01"}, "start_date"),
        (
            {
                "budget_lines": [
                    {
                        "activity": "A",
                        "category": "other",
                        "unit": "u",
                        "unit_cost": "999999999999.99",
                        "quantity": "1000",
                    }
                ]
            },
            "budget_lines",
        ),
    ],
)
def test_absurd_values_are_field_errors(api, member_a, affiliate_a, changes, field):
    proposal = ProposalFactory(affiliate=affiliate_a)
    response = api(member_a).patch(
        f"/api/v1/proposals/{proposal.pk}/", changes, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_closed_program_takes_no_proposals(api, admin_a, affiliate_a):
    proposal = ProposalFactory(affiliate=affiliate_a)
    FundProgram.objects.filter(pk=proposal.program_id).update(is_active=False)
    response = api(admin_a).post(
        f"/api/v1/proposals/{proposal.pk}/submit/", {}, format="json"
    )
    assert response.status_code == 400
    assert "program" in response.json()
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


def test_deferment_stays_with_its_affiliate(api, staff, affiliate_a, affiliate_b):
    deferment = DefermentFactory(affiliate=affiliate_a, granted_by=staff)
    response = api(staff).patch(
        f"/api/v1/deferments/{deferment.pk}/",
        {"affiliate": affiliate_b.pk},
        format="json",
    )
    assert response.status_code == 200
    assert Deferment.objects.get(pk=deferment.pk).affiliate == affiliate_a


def test_malformed_eligible_types_is_a_field_error(api, staff):
    response = api(staff).post(
        "/api/v1/programs/",
        {
            "name": "X",
            "slug": "x",
            "min_amount_usd": "1",
            "eligible_types": [["chapter"]],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "eligible_types" in response.json()


def test_declarant_can_put_the_same_proposal_back(api, outsider, affiliate_b):
    proposal = ProposalFactory(
        affiliate=affiliate_b, status=ProposalStatus.COMMUNITY_REVIEW
    )
    declaration = ProposalDeclarationFactory(user=outsider, proposal=proposal)
    proposal.status = ProposalStatus.DRAFT
    proposal.save()
    response = api(outsider).put(
        f"/api/v1/coi-declarations/{declaration.pk}/",
        {"proposal": proposal.pk, "has_conflict": False},
        format="json",
    )
    assert response.status_code == 200, response.json()
