"""Audit history: who changed what, when and why, through the API and the admin."""

import pytest
from django.contrib.auth import get_user_model

from grants.choices import ProposalStatus
from grants.models import Proposal, ProposalDeclaration
from tests.factories import (
    ProposalDeclarationFactory,
    ProposalFactory,
    with_two_factor,
)


def test_proposal_history_has_field_diffs_reasons_and_nested_lines(
    api, member_a, admin_a, affiliate_a
):
    proposal = ProposalFactory(affiliate=affiliate_a)
    line = proposal.budget_lines.first()
    client = api(member_a)
    response = client.patch(
        f"/api/v1/proposals/{proposal.pk}/",
        {
            "title": "Edit-a-thon series",
            "amount_requested": "31000.00",
            "budget_lines": [
                {
                    "id": line.pk,
                    "activity": line.activity,
                    "category": line.category,
                    "unit": line.unit,
                    "unit_cost": "4000.00",
                    "quantity": "6.25",
                },
            ],
            "change_reason": "Budget revised after the venue quote",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    api(admin_a).post(
        f"/api/v1/proposals/{proposal.pk}/withdraw/",
        {"change_reason": "Merged into another proposal"},
        format="json",
    )

    entries = api(admin_a).get(f"/api/v1/proposals/{proposal.pk}/history/").json()
    rows = entries["results"]
    newest = rows[0]
    assert newest["type"] == "changed"
    assert newest["model"] == "proposal"
    assert newest["reason"] == "Merged into another proposal"
    assert newest["user"]["display_name"] == "admin_a"  # public name, not legal
    assert {"field": "status", "old": "draft", "new": "withdrawn"} in newest["changes"]

    edit = next(
        r
        for r in rows
        if r["model"] == "proposal"
        and r["reason"] == "Budget revised after the venue quote"
    )
    assert {"field": "title", "old": proposal.title, "new": "Edit-a-thon series"} in (
        edit["changes"]
    )
    assert edit["user"]["id"] == member_a.pk

    line_change = next(
        r for r in rows if r["model"] == "budgetline" and r["type"] == "changed"
    )
    assert {"field": "quantity", "old": "6.00", "new": "6.25"} in line_change["changes"]
    deleted = next(
        r for r in rows if r["model"] == "budgetline" and r["type"] == "deleted"
    )
    assert deleted["reason"] == "Budget revised after the venue quote"
    assert {"field": "activity", "old": "Coordination", "new": None} in deleted[
        "changes"
    ]
    # Newest first.
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates, reverse=True)


def test_history_cannot_be_written_through_the_api(api, staff, affiliate_a):
    proposal = ProposalFactory(affiliate=affiliate_a)
    url = f"/api/v1/proposals/{proposal.pk}/history/"
    client = api(staff)
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(url, {}, format="json").status_code == 405
    assert proposal.history.count() == 1


def test_deleting_a_user_keeps_history_and_protects_declarations(
    staff, affiliate_a, member_a
):
    from django.db.models import ProtectedError

    proposal = ProposalFactory(affiliate=affiliate_a)
    from grants.services import proposals

    proposals.proposal_update(
        actor=member_a, proposal=proposal, title="New title", reason="Clearer title"
    )
    declaration = ProposalDeclarationFactory(user=member_a)
    with pytest.raises(ProtectedError):
        member_a.delete()
    assert ProposalDeclaration.objects.filter(pk=declaration.pk).exists()

    declaration.delete()
    user_id = member_a.pk
    get_user_model().objects.filter(pk=user_id).delete()
    record = Proposal.history.filter(
        id=proposal.pk, history_change_reason="Clearer title"
    )
    assert record.exists()
    assert record.get().history_user is None  # the row stays; the person is gone


@pytest.fixture
def superuser(db):
    user = get_user_model().objects.create_superuser(
        "root", "root@example.org", "pw-for-tests-123"
    )
    with_two_factor(user)  # required of staff before the admin opens
    return user


def _form_data(response):
    """The POST body the admin page would send back, from its own context."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    return data


def test_staff_revert_configuration_in_the_admin(client, superuser, staff, affiliate_a):
    from affiliates.services import affiliate_update

    affiliate_update(
        actor=staff,
        affiliate=affiliate_a,
        public_contact="new@x.org",
        reason="New address",
    )
    client.force_login(superuser)
    assert (
        client.get(f"/admin/affiliates/affiliate/{affiliate_a.pk}/history/").status_code
        == 200
    )
    first = affiliate_a.history.earliest()
    url = f"/admin/affiliates/affiliate/{affiliate_a.pk}/history/{first.history_id}/"
    page = client.get(url)
    assert page.status_code == 200
    data = _form_data(page)
    assert data["public_contact"] == ""
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    affiliate_a.refresh_from_db()
    assert affiliate_a.public_contact == ""
    latest = affiliate_a.history.latest()
    assert latest.history_user == superuser
    assert latest.history_change_reason == "Reverted to an earlier version in the admin"


def test_workflow_records_are_browse_only_in_the_admin(client, superuser, affiliate_a):
    proposal = ProposalFactory(affiliate=affiliate_a)
    client.force_login(superuser)
    assert (
        client.get(f"/admin/grants/proposal/{proposal.pk}/history/").status_code == 200
    )
    record = proposal.history.earliest()
    url = f"/admin/grants/proposal/{proposal.pk}/history/{record.history_id}/"
    version = client.get(url)
    assert version.status_code == 200  # a past version can be read ...
    assert "Revert" not in version.content.decode()  # ... not restored
    assert client.post(url, {"title": "Rewritten"}).status_code == 403
    assert (
        client.post(
            f"/admin/grants/proposal/{proposal.pk}/change/", {"status": "approved"}
        ).status_code
        == 403
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT
