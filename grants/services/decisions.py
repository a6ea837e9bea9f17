"""The committee's decision on a proposal, with each voting member's vote."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from notifications import events
from portal.audit import save_audited

from .. import permissions
from ..choices import DecisionOutcome, VoteChoice
from ..models import CommitteeMember, Decision, Proposal, ProposalDeclaration, Vote
from . import proposals as proposal_services
from .committees import staff_only


@dataclass(frozen=True)
class Electorate:
    """Who may vote on a proposal: ids of the voting, active members of the round's
    committee (`eligible`), those of them recused, and those who declared no
    conflict. A vote counts only from `voters` (eligible, declared, not recused)."""

    eligible: frozenset[int]
    recused: frozenset[int]
    declared: frozenset[int]

    @property
    def voters(self) -> frozenset[int]:
        return (self.eligible & self.declared) - self.recused


def voting_electorate(proposal) -> Electorate:
    """The electorate of a proposal (three queries), for the service and the form."""
    eligible = set(
        CommitteeMember.objects.filter(
            committee=proposal.round.committee_id, is_voting=True, is_active=True
        ).values_list("user_id", flat=True)
    )
    recused = permissions.recused_user_ids(proposal, eligible)
    declared = set(
        ProposalDeclaration.objects.filter(
            proposal=proposal, user_id__in=eligible, has_conflict=False
        ).values_list("user_id", flat=True)
    )
    return Electorate(frozenset(eligible), frozenset(recused), frozenset(declared))


def vote_tally(choices) -> dict[str, int]:
    """{choice: count} over every vote choice, for an iterable of choices."""
    tally = {choice: 0 for choice in VoteChoice.values}
    for choice in choices:
        tally[choice] += 1
    return tally


def quorum_refusal(tally: dict[str, int], quorum: int) -> str | None:
    """Why these votes are not enough for a decision, or None when quorum holds."""
    cast = sum(tally.values())
    if cast < quorum:
        return _("%(cast)s votes cast; the quorum is %(quorum)s.") % {
            "cast": cast,
            "quorum": quorum,
        }
    return None


def carried_outcome(tally: dict[str, int]) -> bool:
    """Whether the vote carries an approval (more for than against)."""
    return tally[VoteChoice.FOR] > tally[VoteChoice.AGAINST]


@transaction.atomic
def decision_record(
    *,
    actor,
    proposal: Proposal,
    outcome: str,
    votes,
    rationale: str,
    amount_approved=None,
    exchange_rate=None,
    conditions: str = "",
    reason: str = "",
) -> Decision:
    """Record the committee's decision and move the proposal on.

    Votes count only from voting, active, non-recused members of the round's
    committee; fewer votes than the quorum, or a vote that does not carry the
    outcome, is refused and nothing changes.
    """
    staff_only(actor)
    proposal = Proposal.objects.select_related("round__committee").get(pk=proposal.pk)
    committee = proposal.round.committee
    if committee is None:
        raise ValidationError({"proposal": _("This round has no committee.")})
    electorate = voting_electorate(proposal)
    tally = {choice: 0 for choice in VoteChoice.values}
    seen = set()
    for vote in votes:
        member = vote["member"]
        if member.pk not in electorate.eligible:
            raise ValidationError(
                {
                    "votes": _("%(name)s is not a voting member of the committee.")
                    % {"name": member.get_username()}
                }
            )
        if member.pk in electorate.recused:
            raise ValidationError(
                {
                    "votes": _("%(name)s is recused and cannot vote.")
                    % {"name": member.get_username()}
                }
            )
        if member.pk not in electorate.declared:
            raise ValidationError(
                {
                    "votes": _("%(name)s has not declared on this proposal.")
                    % {"name": member.get_username()}
                }
            )
        if member.pk in seen:
            raise ValidationError({"votes": _("Each member votes once.")})
        seen.add(member.pk)
        tally[vote["choice"]] += 1
    refusal = quorum_refusal(tally, committee.quorum)
    if refusal:
        raise ValidationError({"votes": refusal})
    carried = carried_outcome(tally)
    if carried != (outcome != DecisionOutcome.DECLINED):
        raise ValidationError(
            {
                "outcome": _(
                    "The vote (%(f)s for, %(a)s against) does not carry this outcome."
                )
                % {"f": tally[VoteChoice.FOR], "a": tally[VoteChoice.AGAINST]}
            }
        )
    decision = save_audited(
        Decision(
            proposal=proposal,
            outcome=outcome,
            rationale=rationale,
            amount_approved=amount_approved,
            conditions=conditions,
            decided_by=actor,
        ),
        actor=actor,
        reason=reason or rationale,
    )
    for vote in votes:
        save_audited(
            Vote(decision=decision, member=vote["member"], choice=vote["choice"]),
            actor=actor,
            reason=reason or rationale,
        )
    why = reason or rationale
    if outcome == DecisionOutcome.DECLINED:
        proposal_services.proposal_decline(actor=actor, proposal=proposal, reason=why)
    elif outcome == DecisionOutcome.APPROVED_WITH_CONDITIONS:
        proposal_services.proposal_approve_with_conditions(
            actor=actor,
            proposal=proposal,
            conditions=conditions,
            amount_approved=amount_approved,
            exchange_rate=exchange_rate,
            reason=why,
        )
    else:
        proposal_services.proposal_approve(
            actor=actor,
            proposal=proposal,
            amount_approved=amount_approved,
            exchange_rate=exchange_rate,
            reason=why,
        )
    proposal.refresh_from_db()
    decision.amount_approved = proposal.amount_approved
    save_audited(decision, actor=actor, reason=why)
    events.decision_recorded(decision, actor)
    return decision
