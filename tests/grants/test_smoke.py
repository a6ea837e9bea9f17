from tests.factories import ProposalFactory


def test_member_reads_own_draft(api, admin_a, affiliate_a):
    proposal = ProposalFactory(affiliate=affiliate_a)
    response = api(admin_a).get(f"/api/v1/proposals/{proposal.pk}/")
    assert response.status_code == 200, response.content
    assert response.json()["budget_total"] == "30000.00"
    response = api(admin_a).post(f"/api/v1/proposals/{proposal.pk}/submit/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    response = api(admin_a).get(f"/api/v1/proposals/{proposal.pk}/history/")
    assert response.status_code == 200, response.content
    print(response.json())
