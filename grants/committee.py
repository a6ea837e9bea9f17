"""What a committee reads together: the round ranking and the record of recusals.

Both are shaped for the reader by the reader rules (readers.py) and shared by the
API, the pages and the PDF exports.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import get_language, gettext

from . import permissions, readers, scoring
from .choices import ConflictType, ProposalStatus, RecusalSource
from .models import CommitteeMember, Decision, Proposal, Recusal

RANKED_STATUSES = [
    ProposalStatus.COMMITTEE_REVIEW,
    ProposalStatus.APPROVED,
    ProposalStatus.APPROVED_WITH_CONDITIONS,
    ProposalStatus.DECLINED,
    ProposalStatus.FUNDED,
    ProposalStatus.REPORTING,
    ProposalStatus.CLOSED,
]


def round_ranking(user, round_) -> dict:
    """The round's ranking as the user may see it; recused rows carry no numbers."""
    if not permissions.can_view_ranking(user, round_):
        raise PermissionDenied
    rubric = round_.rubric
    if rubric is None:
        raise Http404
    in_round = Proposal.objects.filter(round=round_, status__in=RANKED_STATUSES)
    # Only what the rows and the reader rules use; every row shares this round object.
    proposals = list(
        permissions.with_reader_flags(
            user,
            in_round.only("pk", "title", "affiliate_id", "round_id", "created_at"),
        ).order_by("pk")
    )
    for proposal in proposals:
        proposal.round = round_
    # The reader flags carry the committee-access rule already: no second query.
    open_ids = (
        None
        if permissions.is_staff(user)
        else {p.pk for p in proposals if p.committee_access}
    )
    recused = (
        set()
        if open_ids is None
        else set(
            in_round.filter(permissions.recused_q(user)).values_list("pk", flat=True)
        )
    )
    visible = [p for p in proposals if open_ids is None or p.pk in open_ids]
    summaries = scoring.aggregate(
        visible,
        rubric,
        within=permissions.committee_proposals(user, in_round),
    )
    ranks = scoring.rank(summaries, round_.min_reviews)
    rows = []
    for proposal in visible:
        summary = summaries[proposal.pk]
        row = {
            "proposal": proposal.pk,
            "title": proposal.title,
            "rank": ranks[proposal.pk],
            "enough_reviews": summary["reviews"] >= round_.min_reviews,
            **summary,
        }
        if not permissions.hides_applicant_from(user, proposal):
            row["affiliate"] = proposal.affiliate_id
        rows.append(row)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["proposal"]))
    withheld = [
        {
            "proposal": p.pk,
            "title": p.title,
            "why": readers.withheld_reason(user, p.pk, recused),
        }
        for p in proposals
        if open_ids is not None and p.pk not in open_ids
    ]
    language = get_language()
    criteria = []
    for criterion in rubric.criteria.all():
        name, guidance = criterion.localized(language)
        criteria.append(
            {
                "id": criterion.pk,
                "name": name,
                "guidance": guidance,
                "weight": criterion.weight,
            }
        )
    return {
        "round": round_.pk,
        "scale_min": rubric.scale_min,
        "scale_max": rubric.scale_max,
        "min_reviews": round_.min_reviews,
        "criteria": criteria,
        "ranking": rows,
        "withheld": withheld,
    }


def recused_members(user, proposal, recused: set[int] | None = None) -> list[dict]:
    """The record of committee members recused from the proposal, and why (type
    only), named where the reader rules allow (never where the applicant is hidden
    from the reader). `recused`: the recused members' ids,
    when the caller has them already."""
    from django.contrib.auth import get_user_model

    from affiliates.models import Membership

    from .models import ProposalDeclaration

    if recused is None:
        seats = CommitteeMember.objects.filter(committee=proposal.round.committee_id)
        recused = permissions.recused_user_ids(
            proposal, seats.values_list("user_id", flat=True)
        )
    staff_types = dict(
        Recusal.objects.filter(proposal=proposal, user_id__in=recused).values_list(
            "user_id", "conflict_type"
        )
    )
    declared_types = dict(
        ProposalDeclaration.objects.filter(
            proposal=proposal, user_id__in=recused, has_conflict=True
        ).values_list("user_id", "conflict_type")
    )
    memberships = dict(
        Membership.objects.filter(
            affiliate=proposal.affiliate_id, user_id__in=recused
        ).values_list("user_id", "is_board")
    )
    users = get_user_model().objects.select_related("profile").in_bulk(list(recused))
    # Who is recused for being linked to the applicant points at the applicant: in a
    # round that hides the applicant from this reader, the record names nobody.
    show_names = readers.shows_people(
        user, proposal.round
    ) and not permissions.hides_applicant_from(user, proposal)
    result = []
    for uid in sorted(recused):
        if uid in staff_types:
            row = {"source": RecusalSource.STAFF, "conflict_type": staff_types[uid]}
        elif uid in declared_types:
            row = {
                "source": RecusalSource.DECLARED,
                "conflict_type": declared_types[uid],
            }
        elif uid in memberships:
            kind = ConflictType.BOARD if memberships[uid] else ConflictType.MEMBER
            row = {"source": RecusalSource.AUTOMATIC, "conflict_type": kind}
        else:
            row = {
                "source": RecusalSource.AUTOMATIC,
                "conflict_type": ConflictType.OTHER,
            }
        if show_names:
            row["user"] = users[uid]
        result.append(row)
    return result


def decision_for_reader(user, proposal) -> dict | None:
    """The recorded decision as `user` may read it (None if there is none, or not
    for them): the applicant reads outcome, conditions and rationale; the committee
    and staff also the tally and the votes, with names unless the round hides them.
    Used by the committee page and the applicant's proposal page."""
    from portal.users import display_name

    from .services import decisions as decision_services

    decision = (
        Decision.objects.filter(proposal=proposal)
        .select_related("decided_by__profile")
        .prefetch_related("votes__member__profile")
        .first()
    )
    if decision is None or not permissions.can_view_decision(user, proposal):
        return None
    view = readers.decision_view(user, proposal)
    votes = list(decision.votes.all())
    return {
        "decision": decision,
        "show_votes": view.votes,
        "tally": decision_services.vote_tally(v.choice for v in votes),
        "votes": [
            {
                "name": (
                    display_name(v.member)
                    if view.names
                    else gettext("Member %(n)s") % {"n": i}
                ),
                "choice": v.get_choice_display(),
            }
            for i, v in enumerate(votes, start=1)
        ],
    }
