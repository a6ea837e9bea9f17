"""Joining is a request; admins and staff decide; nobody gets in by knowing a link."""

import pytest

from affiliates.choices import MembershipRole, MembershipStatus
from affiliates.models import Membership

URL = "/api/v1/memberships/"


def test_join_request_is_pending_and_grants_nothing(api, outsider, affiliate_a):
    response = api(outsider).post(
        URL,
        {"affiliate": affiliate_a.pk, "message": "I ran the last workshop"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    assert response.json()["role"] == "member"
    assert api(outsider).get("/api/v1/affiliate-reports/").json()["count"] == 0


def test_cannot_request_twice_or_choose_own_role(api, pending_a, affiliate_a):
    response = api(pending_a).post(
        URL,
        {"affiliate": affiliate_a.pk, "role": "admin", "status": "active"},
        format="json",
    )
    assert response.status_code == 400
    membership = Membership.objects.get(user=pending_a)
    assert membership.status == MembershipStatus.PENDING
    assert membership.role == MembershipRole.MEMBER


@pytest.mark.parametrize("decider", ["member_a", "admin_b", "pending_a"])
def test_only_admins_of_the_affiliate_or_staff_approve(
    api, request, decider, pending_a, affiliate_a
):
    membership = Membership.objects.get(user=pending_a)
    user = request.getfixturevalue(decider)
    response = api(user).post(f"{URL}{membership.pk}/approve/", {}, format="json")
    assert response.status_code in {403, 404}
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.PENDING


def test_admin_approves_rejects_and_history_records_the_decider(
    api, admin_a, pending_a, outsider, affiliate_a
):
    membership = Membership.objects.get(user=pending_a)
    response = api(admin_a).post(
        f"{URL}{membership.pk}/approve/",
        {
            "role": "admin",
            "is_board": True,
            "change_reason": "Elected at the general assembly",
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    record = membership.history.latest()
    assert record.history_user == admin_a
    assert record.history_change_reason == "Elected at the general assembly"

    api(outsider).post(URL, {"affiliate": affiliate_a.pk}, format="json")
    request_ = Membership.objects.get(user=outsider)
    response = api(admin_a).post(f"{URL}{request_.pk}/reject/", {}, format="json")
    assert response.json()["status"] == "rejected"
    # A rejected person may ask again later.
    response = api(outsider).post(URL, {"affiliate": affiliate_a.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "pending"


def test_last_admin_cannot_leave_or_be_demoted(api, admin_a, affiliate_a):
    membership = Membership.objects.get(user=admin_a)
    response = api(admin_a).post(f"{URL}{membership.pk}/remove/", {}, format="json")
    assert response.status_code == 400
    response = api(admin_a).post(
        f"{URL}{membership.pk}/set-role/", {"role": "member"}, format="json"
    )
    assert response.status_code == 400
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.ACTIVE


def test_member_leaves_and_loses_access(api, member_a, affiliate_a):
    from tests.factories import ProposalFactory

    proposal = ProposalFactory(affiliate=affiliate_a)
    client = api(member_a)
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 200
    membership = Membership.objects.get(user=member_a)
    assert (
        client.post(f"{URL}{membership.pk}/remove/", {}, format="json").status_code
        == 200
    )
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404


def test_join_message_is_only_for_admins_and_requester(
    api, pending_a, member_a, admin_a, staff
):
    membership = Membership.objects.get(user=pending_a)
    membership.message = "My phone number is private"
    membership.save()
    for user, sees in [(admin_a, True), (staff, True), (pending_a, True)]:
        body = api(user).get(f"{URL}{membership.pk}/").json()
        assert ("message" in body) is sees
    assert api(member_a).get(f"{URL}{membership.pk}/").status_code == 404


def test_hidden_member_list_is_private(api, affiliate_a, member_a):
    assert affiliate_a.hide_members
    rows = api().get(URL, {"affiliate": affiliate_a.pk}).json()["results"]
    assert rows == []
    affiliate_a.hide_members = False
    affiliate_a.save()
    rows = api().get(URL, {"affiliate": affiliate_a.pk}).json()["results"]
    assert [r["user"]["id"] for r in rows] == [member_a.pk]
    assert "email" not in rows[0]["user"]
