"""Every (state, transition) pair: allowed ones move the proposal, others do nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grants.choices import ProposalStatus
from grants.models import Proposal
from grants.services import proposals as svc
from grants.services.proposals import PROPOSAL_TRANSITIONS
from portal.exceptions import TransitionNotAllowed
from tests.factories import ProposalFactory

# The extra arguments a transition service needs.
EXTRA = {
    "send_back": {"reason": "Please add the venue costs."},
    "decline": {"reason": "Out of scope for this fund."},
    "approve_with_conditions": {"conditions": "Send the partner letters."},
}
ALL_PAIRS = [(state, name) for state in ProposalStatus for name in PROPOSAL_TRANSITIONS]


def _actor(name, admin_a, staff):
    return admin_a if name == "submit" else staff


@pytest.mark.parametrize(("state", "name"), ALL_PAIRS)
def test_transition_table_is_enforced(state, name, affiliate_a, admin_a, staff):
    proposal = ProposalFactory(affiliate=affiliate_a, status=state)
    service = getattr(svc, f"proposal_{name}")
    transition = PROPOSAL_TRANSITIONS[name]
    before = Proposal.objects.get(pk=proposal.pk)
    history_rows = proposal.history.count()

    if state in transition.sources:
        result = service(
            actor=_actor(name, admin_a, staff), proposal=proposal, **EXTRA.get(name, {})
        )
        assert result.status == transition.target
        assert Proposal.objects.get(pk=proposal.pk).status == transition.target
        assert proposal.history.count() == history_rows + 1
        assert proposal.history.latest().history_user == _actor(name, admin_a, staff)
    else:
        with pytest.raises(TransitionNotAllowed):
            service(
                actor=_actor(name, admin_a, staff),
                proposal=proposal,
                **EXTRA.get(name, {}),
            )
        after = Proposal.objects.get(pk=proposal.pk)
        assert after.status == before.status
        assert after.updated_at == before.updated_at
        assert proposal.history.count() == history_rows


def test_every_status_is_reachable_and_final_states_are_final():
    targets = {t.target for t in PROPOSAL_TRANSITIONS.values()}
    assert targets | {ProposalStatus.DRAFT} == set(ProposalStatus)
    sources = set().union(*(t.sources for t in PROPOSAL_TRANSITIONS.values()))
    assert sources.isdisjoint(
        {ProposalStatus.CLOSED, ProposalStatus.WITHDRAWN, ProposalStatus.DECLINED}
    )


def test_forbidden_transition_over_api_is_409_and_changes_nothing(
    api, staff, affiliate_a
):
    proposal = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.DRAFT)
    response = api(staff).post(
        f"/api/v1/proposals/{proposal.pk}/approve/", {}, format="json"
    )
    assert response.status_code == 409
    assert "Draft" in response.json()["detail"]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.amount_approved is None


@pytest.mark.parametrize(
    ("name", "state", "user_fixture"),
    [
        ("submit", ProposalStatus.DRAFT, "member_a"),  # members prepare, admins submit
        ("submit", ProposalStatus.DRAFT, "staff"),
        ("submit", ProposalStatus.DRAFT, "admin_b"),
        ("submit", ProposalStatus.DRAFT, "pending_a"),
        ("start_eligibility_check", ProposalStatus.SUBMITTED, "admin_a"),
        ("approve", ProposalStatus.COMMITTEE_REVIEW, "admin_a"),
        ("withdraw", ProposalStatus.SUBMITTED, "member_a"),
        ("withdraw", ProposalStatus.SUBMITTED, "admin_b"),
    ],
)
def test_transition_needs_the_right_role(
    name, state, user_fixture, request, affiliate_a
):
    proposal = ProposalFactory(affiliate=affiliate_a, status=state)
    user = request.getfixturevalue(user_fixture)
    with pytest.raises(PermissionDenied):
        getattr(svc, f"proposal_{name}")(
            actor=user, proposal=proposal, **EXTRA.get(name, {})
        )
    assert Proposal.objects.get(pk=proposal.pk).status == state


def test_approval_freezes_the_exchange_rate_and_records_amounts(staff, affiliate_a):
    proposal = ProposalFactory(
        affiliate=affiliate_a, status=ProposalStatus.COMMITTEE_REVIEW
    )
    svc.proposal_approve(
        actor=staff,
        proposal=proposal,
        amount_approved=Decimal("25000"),
        exchange_rate=Decimal("12.5"),
        reason="Trimmed travel",
    )
    proposal.refresh_from_db()
    assert proposal.exchange_rate_frozen_at is not None
    assert proposal.amount_approved == Decimal("25000.00")
    assert proposal.amount_approved_usd == Decimal("2000.00")
    assert proposal.history.latest().history_change_reason == "Trimmed travel"


def test_send_back_and_decline_need_a_reason(staff, affiliate_a):
    proposal = ProposalFactory(
        affiliate=affiliate_a, status=ProposalStatus.COMMITTEE_REVIEW
    )
    for service in (svc.proposal_send_back, svc.proposal_decline):
        with pytest.raises(ValidationError):
            service(actor=staff, proposal=proposal, reason="  ")
    assert (
        Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.COMMITTEE_REVIEW
    )


def test_every_transition_has_an_api_action():
    from grants.api.views import ProposalViewSet

    actions = {a.__name__ for a in ProposalViewSet.get_extra_actions()}
    assert set(PROPOSAL_TRANSITIONS) <= actions
