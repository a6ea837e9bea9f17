"""What a committee reads together: the round ranking and the record of recusals.

Both are shaped for the reader (recusal and blind-review rules from permissions.py)
and shared by the API and the PDF exports.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import get_language

from affiliates.permissions import is_staff

from . import permissions, scoring
from .choices import ProposalStatus
from .models import CommitteeMember, Proposal, Recusal


def committee_ids_for(user) -> set[int] | None:
    """Ids of proposals whose committee data the user may see (one query)."""
    if is_staff(user) or not user.is_authenticated:
        return None
    return set(
        Proposal.objects.filter(permissions.committee_access_q(user)).values_list(
            "pk", flat=True
        )
    )


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
    rubric = round_.rubric or round_.program.current_rubric
    if rubric is None:
        raise Http404
    proposals = list(
        Proposal.objects.filter(round=round_, status__in=RANKED_STATUSES).order_by("pk")
    )
    open_ids = committee_ids_for(user)
    recused = (
        set()
        if is_staff(user)
        else set(
            Proposal.objects.filter(round=round_)
            .filter(permissions.recused_q(user))
            .values_list("pk", flat=True)
        )
    )
    visible = [p for p in proposals if open_ids is None or p.pk in open_ids]
    summaries = scoring.aggregate(visible, rubric)
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
        if not (round_.hide_applicant_identity and not is_staff(user)):
            row["affiliate"] = proposal.affiliate_id
        rows.append(row)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["proposal"]))
    withheld = [
        {
            "proposal": p.pk,
            "title": p.title,
            "why": "recused" if p.pk in recused else "declaration_needed",
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


def recusal_record(user, proposal, recused: set[int] | None = None) -> list[dict]:
    """Committee members recused from the proposal, and why (type only).
    `recused`: the recused members' ids, when the caller has them already."""
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
    users = get_user_model().objects.in_bulk(list(recused))
    show_names = is_staff(user) or not proposal.round.hide_reviewer_identities
    result = []
    for uid in sorted(recused):
        if uid in staff_types:
            row = {"source": "staff", "conflict_type": staff_types[uid]}
        elif uid in declared_types:
            row = {"source": "declared", "conflict_type": declared_types[uid]}
        elif uid in memberships:
            kind = "board" if memberships[uid] else "member"
            row = {"source": "automatic", "conflict_type": kind}
        else:
            row = {"source": "automatic", "conflict_type": "other"}
        if show_names:
            row["user"] = users[uid]
        result.append(row)
    return result
