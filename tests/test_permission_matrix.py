"""Who sees what: every role against every list, detail and history endpoint.

Roles: anonymous, a member of A, an admin of A, a pending requester to A, a member of
B, and staff. Nothing of one affiliate may leak to another's members through lists,
filters, search, ordering, nested fields, counts or history.
"""

import pytest
from django.utils import timezone

from affiliates.choices import MembershipStatus
from affiliates.models import Membership
from grants.choices import ProposalStatus
from grants.models import GrantReport
from tests.factories import (
    AffiliateReportFactory,
    DefermentFactory,
    InterestDeclarationFactory,
    ProposalDeclarationFactory,
    ProposalFactory,
)

ROLES = ["anonymous", "member_a", "admin_a", "pending_a", "member_b", "staff"]


@pytest.fixture
def world(
    affiliate_a, affiliate_b, admin_a, member_a, pending_a, member_b, admin_b, staff
):
    affiliate_b.hide_members = False
    affiliate_b.save()
    users = {
        "member_a": member_a,
        "admin_a": admin_a,
        "pending_a": pending_a,
        "member_b": member_b,
        "staff": staff,
        "anonymous": None,
    }
    objects = {
        "a_draft": ProposalFactory(affiliate=affiliate_a, title="A secret draft"),
        "a_submitted": ProposalFactory(
            affiliate=affiliate_a, status=ProposalStatus.ELIGIBILITY_CHECK
        ),
        "a_funded": ProposalFactory(
            affiliate=affiliate_a, status=ProposalStatus.FUNDED
        ),
        "b_draft": ProposalFactory(affiliate=affiliate_b),
        "b_community": ProposalFactory(
            affiliate=affiliate_b, status=ProposalStatus.COMMUNITY_REVIEW
        ),
    }
    today = timezone.localdate()
    objects["a_grant_report"] = GrantReport.objects.create(
        proposal=objects["a_funded"], kind="final", due_date=today
    )
    objects["a_annual"] = AffiliateReportFactory(affiliate=affiliate_a)
    objects["b_annual"] = AffiliateReportFactory(affiliate=affiliate_b)
    objects["a_deferment"] = DefermentFactory(affiliate=affiliate_a, granted_by=staff)
    objects["b_deferment"] = DefermentFactory(affiliate=affiliate_b, granted_by=staff)
    objects["a_coi"] = ProposalDeclarationFactory(
        user=member_a, proposal=objects["b_community"]
    )
    objects["b_coi"] = ProposalDeclarationFactory(
        user=member_b, proposal=objects["a_submitted"]
    )
    objects["a_interests"] = InterestDeclarationFactory(user=member_a)
    objects["b_interests"] = InterestDeclarationFactory(user=member_b)
    for name, user in users.items():
        if user is not None:
            for membership in Membership.objects.filter(user=user):
                objects[f"ms_{name}"] = membership
    objects["ms_admin_b"] = Membership.objects.get(user=admin_b)
    objects["a"], objects["b"] = affiliate_a, affiliate_b
    return users, objects


# endpoint: {role: labels of objects listed}
EXPECTED = {
    "/api/v1/proposals/": {
        "anonymous": {"a_funded"},
        "pending_a": {"a_funded", "b_community"},
        "member_b": {"a_funded", "b_community", "b_draft"},
        "member_a": {"a_funded", "b_community", "a_draft", "a_submitted"},
        "admin_a": {"a_funded", "b_community", "a_draft", "a_submitted"},
        "staff": {"a_funded", "b_community", "a_draft", "a_submitted", "b_draft"},
    },
    "/api/v1/reports/": {
        "anonymous": None,
        "pending_a": set(),
        "member_b": set(),
        "member_a": {"a_grant_report"},
        "admin_a": {"a_grant_report"},
        "staff": {"a_grant_report"},
    },
    "/api/v1/affiliate-reports/": {
        "anonymous": None,
        "pending_a": set(),
        "member_b": {"b_annual"},
        "member_a": {"a_annual"},
        "admin_a": {"a_annual"},
        "staff": {"a_annual", "b_annual"},
    },
    "/api/v1/deferments/": {
        "anonymous": None,
        "pending_a": set(),
        "member_b": {"b_deferment"},
        "member_a": {"a_deferment"},
        "admin_a": {"a_deferment"},
        "staff": {"a_deferment", "b_deferment"},
    },
    "/api/v1/coi-declarations/": {
        "anonymous": None,
        "pending_a": set(),
        "member_b": {"b_coi"},
        "member_a": {"a_coi"},
        "admin_a": set(),
        "staff": {"a_coi", "b_coi"},
    },
    "/api/v1/interest-declarations/": {
        "anonymous": None,
        "pending_a": set(),
        "member_b": {"b_interests"},
        "member_a": {"a_interests"},
        "admin_a": set(),
        "staff": {"a_interests", "b_interests"},
    },
    "/api/v1/memberships/": {
        # B publishes its member list; A hides it.
        "anonymous": {"ms_member_b", "ms_admin_b"},
        "pending_a": {"ms_member_b", "ms_admin_b", "ms_pending_a"},
        "member_b": {"ms_member_b", "ms_admin_b"},
        "member_a": {"ms_member_b", "ms_admin_b", "ms_member_a", "ms_admin_a"},
        "admin_a": {
            "ms_member_b",
            "ms_admin_b",
            "ms_member_a",
            "ms_admin_a",
            "ms_pending_a",
        },
        "staff": {
            "ms_member_b",
            "ms_admin_b",
            "ms_member_a",
            "ms_admin_a",
            "ms_pending_a",
        },
    },
    "/api/v1/affiliates/": {role: {"a", "b"} for role in ROLES},
}


MODEL_OF = {
    "/api/v1/proposals/": "Proposal",
    "/api/v1/reports/": "GrantReport",
    "/api/v1/affiliate-reports/": "AffiliateReport",
    "/api/v1/deferments/": "Deferment",
    "/api/v1/coi-declarations/": "ProposalDeclaration",
    "/api/v1/interest-declarations/": "InterestDeclaration",
    "/api/v1/memberships/": "Membership",
    "/api/v1/affiliates/": "Affiliate",
}


def _listed(client, url, objects, params=None):
    response = client.get(url, {"page_size": 200, **(params or {})})
    if response.status_code in (401, 403):
        return None
    assert response.status_code == 200, response.content
    body = response.json()
    ids = [row["id"] for row in body["results"]]
    assert body["count"] == len(ids)
    model_labels = {
        (type(obj).__name__, obj.pk): label for label, obj in objects.items()
    }
    model = MODEL_OF[url]
    return {model_labels[(model, pk)] for pk in ids}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_lists_show_exactly_what_the_role_may_see(world, api, url, role):
    users, objects = world
    assert _listed(api(users[role]), url, objects) == EXPECTED[url][role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", sorted(EXPECTED))
def test_details_and_history_follow_the_lists(world, api, url, role):
    """Every object: its detail is 200 exactly when listed; else 404 (or 401)."""
    users, objects = world
    client = api(users[role])
    visible = EXPECTED[url][role] or set()
    model = MODEL_OF[url]
    for label, obj in objects.items():
        if type(obj).__name__ != model:
            continue
        response = client.get(f"{url}{obj.pk}/")
        if label in visible:
            assert response.status_code == 200, (label, response.content)
        else:
            assert response.status_code in (
                {401, 403, 404} if role == "anonymous" else {404}
            )
        history = client.get(f"{url}{obj.pk}/history/")
        if label not in visible:
            assert history.status_code in {401, 403, 404}
        for row in history.json()["results"] if history.status_code == 200 else []:
            assert row["object_id"] is not None


# Whose history: private records only for their affiliate's members and staff.
HISTORY_ALLOWED = {
    "a_funded": {"member_a", "admin_a", "staff"},
    "b_community": {"member_b", "staff"},
    "a": {"member_a", "admin_a", "staff"},
    "b": {"member_b", "staff"},
    "a_annual": {"member_a", "admin_a", "staff"},
    "a_coi": {"member_a", "staff"},
    "ms_member_a": {"member_a", "admin_a", "staff"},
    "ms_pending_a": {"pending_a", "admin_a", "staff"},
}
HISTORY_URL = {
    "a_funded": "proposals",
    "b_community": "proposals",
    "a": "affiliates",
    "b": "affiliates",
    "a_annual": "affiliate-reports",
    "a_coi": "coi-declarations",
    "ms_member_a": "memberships",
    "ms_pending_a": "memberships",
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", sorted(HISTORY_ALLOWED))
def test_history_only_for_those_who_see_private_data(world, api, role, label):
    users, objects = world
    response = api(users[role]).get(
        f"/api/v1/{HISTORY_URL[label]}/{objects[label].pk}/history/"
    )
    if role in HISTORY_ALLOWED[label]:
        assert response.status_code == 200
    else:
        assert response.status_code in {401, 403, 404}


@pytest.mark.parametrize("role", ROLES)
def test_private_fields_only_for_own_affiliate(world, api, role):
    users, objects = world
    rows = (
        api(users[role]).get("/api/v1/proposals/", {"page_size": 200}).json()["results"]
    )
    own = {
        "member_a": {objects["a"].pk},
        "admin_a": {objects["a"].pk},
        "member_b": {objects["b"].pk},
    }.get(role, set())
    for row in rows:
        private = role == "staff" or row["affiliate"] in own
        assert ("budget_lines" in row) is private
        assert ("allowed_actions" in row) is private
    affiliates = api(users[role]).get("/api/v1/affiliates/").json()["results"]
    for row in affiliates:
        private = role == "staff" or row["id"] in own
        assert ("compliance" in row) is private


@pytest.mark.parametrize(
    "params",
    [
        {"search": "secret"},
        {"affiliate": "PK_A"},
        {"status": "draft"},
        {"ordering": "-amount_requested"},
        {"language": "en"},
    ],
)
def test_filters_search_and_ordering_never_reveal_hidden_proposals(world, api, params):
    users, objects = world
    params = {k: (objects["a"].pk if v == "PK_A" else v) for k, v in params.items()}
    for role in ("member_b", "pending_a", "anonymous"):
        labels = _listed(api(users[role]), "/api/v1/proposals/", objects, params)
        assert not labels & {"a_draft", "a_submitted"}, (role, params, labels)


def test_compliance_filter_cannot_probe_other_affiliates(world, api):
    users, objects = world
    response = api(users["member_b"]).get(
        "/api/v1/affiliates/", {"compliance": "past_due"}
    )
    ids = {row["id"] for row in response.json()["results"]}
    assert objects["a"].pk not in ids


def test_pending_member_sees_nothing_private_until_approved(world, api):
    users, objects = world
    client = api(users["pending_a"])
    assert client.get(f"/api/v1/proposals/{objects['a_draft'].pk}/").status_code == 404
    membership = objects["ms_pending_a"]
    response = api(users["admin_a"]).post(
        f"/api/v1/memberships/{membership.pk}/approve/",
        {"role": "member", "change_reason": "Knows the team"},
        format="json",
    )
    assert response.status_code == 200
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.ACTIVE
    assert client.get(f"/api/v1/proposals/{objects['a_draft'].pk}/").status_code == 200


@pytest.mark.parametrize("role", ["member_a", "member_b", "pending_a", "anonymous"])
def test_non_staff_cannot_approve_or_write_staff_things(world, api, role):
    users, objects = world
    client = api(users[role])
    assert client.post(
        f"/api/v1/proposals/{objects['a_submitted'].pk}/start-community-review/",
        {},
        format="json",
    ).status_code in {401, 403, 404}
    assert client.post(
        "/api/v1/deferments/",
        {
            "affiliate": objects["a"].pk,
            "cause": "war",
            "explanation": "x",
            "valid_from": "2026-01-01",
            "until": "2026-02-01",
        },
        format="json",
    ).status_code in {400, 401, 403}
    assert client.patch(
        f"/api/v1/affiliates/{objects['a'].pk}/", {"status": "suspended"}, format="json"
    ).status_code in {400, 401, 403}
    objects["a"].refresh_from_db()
    assert objects["a"].status == "active"


def test_affiliate_admin_edits_profile_but_not_standing(world, api):
    users, objects = world
    client = api(users["admin_a"])
    url = f"/api/v1/affiliates/{objects['a'].pk}/"
    response = client.patch(url, {"public_contact": "hello@example.org"}, format="json")
    assert response.status_code == 200
    response = client.patch(url, {"status": "suspended"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    assert (
        api(users["member_a"])
        .patch(url, {"public_contact": "x"}, format="json")
        .status_code
        == 403
    )


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_set_up_programs_and_rounds(world, api, role):
    users, objects = world
    client = api(users[role])
    response = client.post(
        "/api/v1/programs/",
        {
            "name": "Language Fund",
            "slug": "language-fund",
            "min_amount_usd": "100",
            "max_amount_usd": "900",
            "eligible_types": ["user_group"],
            "change_reason": "New fund for oral languages",
        },
        format="json",
    )
    if role == "staff":
        assert response.status_code == 201, response.json()
        program_id = response.json()["id"]
        history = client.get(f"/api/v1/programs/{program_id}/history/").json()
        assert history["results"][0]["reason"] == "New fund for oral languages"
        bad = client.post(
            "/api/v1/rounds/",
            {
                "program": program_id,
                "name": "R1",
                "opens_on": "2027-02-01",
                "closes_on": "2027-01-01",
                "comment_period_ends_on": "2027-03-01",
                "scoring_deadline": "2027-04-01",
            },
            format="json",
        )
        assert bad.status_code == 400
        assert "closes_on" in bad.json()
    else:
        assert response.status_code in {401, 403}
