"""Proposal, committee dossier and grant report documents.

Each builder shows what the reader rules (grants/readers.py) let the reader see, as
the API does, and returns plain values. The number of queries does not depend on the
number of budget lines, metrics, reviews, scores, declarations or comments.
"""

import functools
import hashlib
import json
import operator
from decimal import Decimal

from django.db.models import Max, Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grants import permissions, readers, scoring
from grants.choices import ConflictType, RecommendationChoice, RecusalSource
from grants.committee import recused_members
from grants.models import (
    BudgetLine,
    CommitteeMember,
    GrantReport,
    Proposal,
    ProposalComment,
    ProposalDeclaration,
    Score,
)
from portal.users import display_name

from .base import Document, content_lang, doc_meta, supported_language


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def proposal_queryset():
    return Proposal.objects.select_related(
        "affiliate", "program", "round__committee", "round__rubric"
    ).prefetch_related(
        "target_metrics",
        Prefetch(
            "budget_lines", queryset=BudgetLine.objects.order_by("position", "id")
        ),
    )


def proposal_section(proposal, *, show_private: bool, hide_applicant: bool):
    """The proposal as the reader may see it (the API's rules)."""
    lines, total, total_usd = [], Decimal("0.00"), Decimal("0.00")
    rate = proposal.exchange_rate
    if show_private:
        for line in proposal.budget_lines.all():
            usd = line.total_usd
            lines.append(
                {
                    "activity": line.activity,
                    "category": line.get_category_display(),
                    "description": line.description,
                    "unit": line.unit,
                    "quantity": format(line.quantity.normalize(), "f"),
                    "unit_cost": line.unit_cost,
                    "total": line.total,
                    "total_usd": usd,
                }
            )
            total += line.total
            total_usd += usd or Decimal("0")
    return {
        "id": proposal.pk,
        "reference": proposal.reference,
        "title": proposal.title,
        "text": content_lang(proposal.language),
        "summary": proposal.summary,
        "description": proposal.description,
        "affiliate": None if hide_applicant else proposal.affiliate.name,
        "program": proposal.program.name,
        "round": proposal.round.name if proposal.round_id else "",
        "status": proposal.get_status_display(),
        "language": proposal.language,
        "start_date": _date(proposal.start_date),
        "end_date": _date(proposal.end_date),
        "currency": proposal.currency,
        "amount_requested": proposal.amount_requested,
        "amount_requested_usd": proposal.amount_requested_usd,
        "amount_approved": proposal.amount_approved,
        "amount_approved_usd": proposal.amount_approved_usd,
        "exchange_rate": rate,
        "rate_frozen": _date(proposal.exchange_rate_frozen_at),
        "conditions": proposal.conditions,
        "submitted_at": _date(proposal.submitted_at) if show_private else "",
        "decided_at": _date(proposal.decided_at),
        "show_private": show_private,
        "budget_lines": lines,
        "budget_total": total,
        "budget_total_usd": total_usd.quantize(Decimal("0.01")),
        "metrics": [
            {"label": m.label, "target": m.target}
            for m in proposal.target_metrics.all()
        ],
    }


def proposal_document(user, proposal, *, fallback_language: str) -> Document:
    """The proposal for its applicant and the public record, labelled in the
    proposal's own language when the portal speaks it."""
    language = supported_language(proposal.language, fallback_language)
    view = readers.proposal_view(user, proposal)
    with translation.override(language):
        title = _("Grant proposal")
        context = {
            "doc": doc_meta(
                title=title,
                reference=proposal.reference,
                language=language,
                actor=user,
            ),
            "proposal": proposal_section(
                proposal, show_private=view.private, hide_applicant=view.hide_applicant
            ),
        }
    return Document(
        template="exports/proposal.html",
        context=context,
        title=f"{title} {proposal.reference}: {proposal.title}",
        filename=f"{proposal.reference}.pdf",
        language=language,
        reference=proposal.reference,
    )


# Committee dossier -----------------------------------------------------------------


def _member_label(index: int) -> str:
    return _("Member %(n)s") % {"n": index}


def _reviewer_label(index: int) -> str:
    return _("Reviewer %(letter)s") % {"letter": chr(ord("A") + index % 26)}


def dossier_context(user, proposal, language: str, *, stamped: bool) -> dict:
    """Everything a committee reads about one proposal, as this reader may see it.

    Recused reviewers' reviews and scores never appear; declaration explanations are
    shown to staff only; in blind rounds committee members see neither the applicant
    nor the names of reviewers and members.
    """
    round_ = proposal.round
    blind_people = not readers.shows_people(user, round_)
    hide_applicant = permissions.hides_applicant_from(user, proposal)
    rubric = round_.rubric

    seats = list(
        CommitteeMember.objects.filter(committee=round_.committee_id)
        .select_related("user__profile")
        .order_by("id")
    )
    seat_user_ids = [s.user_id for s in seats]
    recused = permissions.recused_user_ids(proposal, seat_user_ids)
    declarations = {
        d.user_id: d
        for d in ProposalDeclaration.objects.filter(
            proposal=proposal, user_id__in=seat_user_ids
        )
    }
    recusal_rows = recused_members(user, proposal, recused)
    # The committee reads counts and the recusal record; the per-member table of
    # declarations is for those the reader rules allow (staff).
    members = []
    if readers.sees_member_declarations(user):
        for seat in seats:
            declaration = declarations.get(seat.user_id)
            if declaration is None:
                declared = _("Not declared")
            elif declaration.has_conflict:
                declared = _("Conflict: %(type)s") % {
                    "type": declaration.get_conflict_type_display()
                }
            else:
                declared = _("No conflict")
            members.append(
                {
                    "name": display_name(seat.user),
                    "voting": seat.is_voting,
                    "active": seat.is_active,
                    "declared": declared,
                    "explanation": declaration.explanation if declaration else "",
                    "recused": seat.user_id in recused,
                }
            )
    active = [s for s in seats if s.is_active]
    seat_counts = {
        "members": len(active),
        "clear": sum(
            1
            for s in active
            if s.user_id in declarations
            and not declarations[s.user_id].has_conflict
            and s.user_id not in recused
        ),
        "recused": sum(1 for s in active if s.user_id in recused),
    }

    summary, criteria = None, []
    if rubric is not None:
        criteria_rows = list(rubric.criteria.all())
        summary = scoring.aggregate([proposal], rubric)[proposal.pk]
        names = {c.pk: c.localized(language)[0] for c in criteria_rows}
        weights = {c.pk: c.weight for c in criteria_rows}
        for row in summary["criteria"]:
            criteria.append(
                {
                    **row,
                    "name": names[row["criterion"]],
                    "weight": weights[row["criterion"]],
                }
            )

    # Submitted reviews by reviewers who are not recused: the ones that count.
    reviews = []
    review_rows = (
        scoring.counted_reviews([proposal.pk])
        .select_related("reviewer__profile")
        .prefetch_related(
            Prefetch("scores", queryset=Score.objects.order_by("criterion__position"))
        )
        .order_by("submitted_at", "id")
    )
    names = {c["criterion"]: c["name"] for c in criteria}
    for index, review in enumerate(review_rows):
        reviews.append(
            {
                "reviewer": _reviewer_label(index)
                if blind_people
                else display_name(review.reviewer),
                "recommendation": review.get_recommendation_display(),
                "submitted_at": _date(review.submitted_at),
                "comment_to_applicant": review.comment_to_applicant,
                "note_to_committee": review.note_to_committee,
                "scores": [
                    {
                        "criterion": names.get(score.criterion_id, ""),
                        "value": _("n/a") if score.not_applicable else score.value,
                        "comment": score.comment,
                    }
                    for score in review.scores.all()
                ],
            }
        )

    comments = []
    # The reader rule for comments, with what each row's naming needs (one query).
    for comment in readers.comments_for_reader(
        user, ProposalComment.objects.filter(proposal=proposal)
    ).order_by("created_at", "id"):
        view = readers.comment_view(user, comment)
        comments.append(
            {
                # As the comments page names them: a member of an affiliate that
                # hides its members is "a member of …" unless they chose otherwise.
                "author": _("Applicant") if view.author_hidden else view.author_name,
                "is_reply": bool(comment.parent_id),
                "at": _date(comment.created_at),
                "body": "" if view.body_hidden else comment.body,
                "hidden": comment.is_hidden,
            }
        )

    decision = None
    record = getattr(proposal, "decision", None)
    if record is not None:
        votes = list(record.votes.select_related("member__profile").order_by("id"))
        decision = {
            "outcome": record.get_outcome_display(),
            "amount_approved": record.amount_approved,
            "amount_approved_usd": proposal.amount_approved_usd,
            "currency": proposal.currency,
            "conditions": record.conditions,
            "rationale": record.rationale,
            "decided_at": _date(record.decided_at),
            "votes": [
                {
                    "member": _member_label(i)
                    if blind_people
                    else display_name(vote.member),
                    "choice": vote.get_choice_display(),
                }
                for i, vote in enumerate(votes, start=1)
            ],
        }

    return {
        "doc": doc_meta(
            title=_("Committee dossier"),
            reference=proposal.reference,
            language=language,
            actor=None if stamped else user,
            confidential=True,
            stamped=stamped,
        ),
        "proposal": proposal_section(
            proposal, show_private=True, hide_applicant=hide_applicant
        ),
        "members": members,
        "seat_counts": seat_counts,
        "recusals": [
            {
                "name": display_name(row["user"]) if "user" in row else "",
                "source": str(RecusalSource(row["source"]).label),
                "conflict_type": str(ConflictType(row["conflict_type"]).label),
            }
            for row in recusal_rows
        ],
        "scale": (rubric.scale_min, rubric.scale_max) if rubric else None,
        "summary": summary
        and {
            "reviews": summary["reviews"],
            "weighted_total": summary["weighted_total"],
            "divergent": summary["divergent"],
            "recommendations": [
                (str(RecommendationChoice(key).label), count)
                for key, count in sorted(summary["recommendations"].items())
                if key
            ],
        },
        "criteria": criteria,
        "reviews": reviews,
        "comments": comments,
        "decision": decision,
    }


def dossier_document(user, proposal, language: str) -> Document:
    with translation.override(language):
        context = dossier_context(user, proposal, language, stamped=False)
        title = _("Committee dossier")
    return Document(
        template="exports/dossier.html",
        context=context,
        title=f"{title} {proposal.reference}: {proposal.title}",
        filename=f"{proposal.reference}-dossier.pdf",
        language=language,
        reference=proposal.reference,
    )


# Grant reports ---------------------------------------------------------------------


def report_queryset():
    return GrantReport.objects.select_related(
        "proposal__affiliate", "proposal__program", "proposal__round", "submitted_by"
    ).prefetch_related(
        "metric_results__metric",
        "spending__budget_line",
        "proposal__target_metrics",
        "proposal__budget_lines",
    )


def report_document(user, report, language: str) -> Document:
    """Targets against actuals and spending against the budget, with variances."""
    proposal = report.proposal
    with translation.override(language):
        title = report.get_kind_display()
        results = {r.metric_id: r for r in report.metric_results.all()}
        metrics = []
        for metric in proposal.target_metrics.all():
            result = results.get(metric.pk)
            actual = result.actual if result else None
            metrics.append(
                {
                    "label": metric.label,
                    "target": metric.target,
                    "actual": actual,
                    "percent": round(100 * actual / metric.target)
                    if actual is not None and metric.target
                    else None,
                    "comment": result.comment if result else "",
                }
            )
        spent = {s.budget_line_id: s for s in report.spending.all()}
        spending, budgeted_total, spent_total = [], Decimal("0"), Decimal("0")
        for line in sorted(
            proposal.budget_lines.all(), key=lambda item: (item.position, item.pk)
        ):
            row = spent.get(line.pk)
            amount = row.spent if row else None
            budgeted_total += line.total
            spent_total += amount or Decimal("0")
            spending.append(
                {
                    "activity": line.activity,
                    "budgeted": line.total,
                    "spent": amount,
                    "variance": row.variance if row else None,
                    "percent": round(100 * amount / line.total)
                    if amount is not None and line.total
                    else None,
                    "flag": bool(row and row.needs_explanation()),
                    "explanation": row.explanation if row else "",
                }
            )
        context = {
            "doc": doc_meta(
                title=title,
                reference=proposal.reference,
                language=language,
                actor=user,
            ),
            "report": {
                "kind": title,
                "status": report.get_status_display(),
                "due_date": _date(report.due_date),
                "submitted_at": _date(report.submitted_at),
                "submitted_by": display_name(report.submitted_by),
                "reviewed_at": _date(report.reviewed_at),
                "review_comment": report.review_comment,
                "narrative": report.narrative,
                "learnings": report.learnings,
            },
            "proposal": {
                "reference": proposal.reference,
                "title": proposal.title,
                "affiliate": proposal.affiliate.name,
                "program": proposal.program.name,
                "currency": proposal.currency,
                "text": content_lang(proposal.language),
                "amount_approved": proposal.amount_approved,
            },
            "metrics": metrics,
            "spending": spending,
            "budgeted_total": budgeted_total,
            "spent_total": spent_total,
            "variance_total": budgeted_total - spent_total,
        }
    return Document(
        template="exports/grant_report.html",
        context=context,
        title=f"{title} {proposal.reference}: {proposal.title}",
        filename=f"{proposal.reference}-report-{report.pk}.pdf",
        language=language,
        reference=proposal.reference,
    )


# What a dossier is made of, by version -------------------------------------------


def _newest_by(history, group: str, ids) -> dict[int, int]:
    """{id in `group`: newest history id} over the history rows of those ids."""
    rows = (
        history.filter(**{f"{group}__in": ids})
        .order_by()
        .values(group)
        .annotate(newest=Max("history_id"))
    )
    return {row[group]: row["newest"] for row in rows}


def dossier_input_keys(user, proposals, language: str, template: str) -> dict:
    """{proposal id: key} of what each proposal's dossier for this reader is built
    from, by version instead of by content: a few queries for the whole set, with no
    dossier built. Equal keys mean equal dossiers, so a rendered dossier recorded
    under a key (`ExportPart.inputs_key`) can be reused without building its
    content; a different key only means "build it and compare its content".

    The versions are the audit history's (portal/versions.py): every save and delete
    of an audited record adds a history row, so the newest history id of each kind
    of row a dossier reads changes whenever that row does. Rows of one proposal
    (its own, budget lines, targets, reviews, scores, declarations, recusals,
    comments, decision, votes) count per proposal; rows the whole round shares
    (round, programme, rubric, committee and seats, assignments, interests,
    affiliates, memberships, profiles) count for every dossier. What has no history
    is read as it is: the reader (who, staff, active), the names and flags of the
    people who appear, today's date (rules about periods) and the templates,
    translations and fonts (`renderer_version`). Whoever changes what
    `dossier_context` reads must add it here.
    """
    from django.contrib.auth import get_user_model

    from accounts.models import Profile
    from affiliates.models import Affiliate, Membership
    from affiliates.permissions import is_staff
    from grants.models import (
        Committee,
        Decision,
        DeclaredInterest,
        FundProgram,
        InterestDeclaration,
        Recusal,
        Review,
        ReviewerAssignment,
        Round,
        Rubric,
        RubricCriterion,
        TargetMetric,
        Vote,
    )

    from .base import renderer_version

    ids = sorted({p.pk for p in proposals})
    if not ids:
        return {}
    per_proposal = [
        _newest_by(Proposal.history, "id", ids),
        _newest_by(BudgetLine.history, "proposal_id", ids),
        _newest_by(TargetMetric.history, "proposal_id", ids),
        _newest_by(Review.history, "proposal_id", ids),
        _newest_by(Score.history, "review__proposal_id", ids),
        _newest_by(ProposalDeclaration.history, "proposal_id", ids),
        _newest_by(Recusal.history, "proposal_id", ids),
        _newest_by(ProposalComment.history, "proposal_id", ids),
        _newest_by(Decision.history, "proposal_id", ids),
        _newest_by(Vote.history, "decision__proposal_id", ids),
    ]
    shared = [
        model.history.aggregate(newest=Max("history_id"))["newest"] or 0
        for model in (
            Round,
            FundProgram,
            Rubric,
            RubricCriterion,
            Committee,
            CommitteeMember,
            ReviewerAssignment,
            InterestDeclaration,
            DeclaredInterest,
            Affiliate,
            Membership,
            Profile,
        )
    ]
    # People named in the dossiers: their user names (the fallback display name)
    # and account flags have no history.
    committees = Proposal.objects.filter(pk__in=ids).values("round__committee_id")
    named = [
        Review.objects.filter(proposal__in=ids).values("reviewer"),
        ProposalComment.objects.filter(proposal__in=ids).values("author"),
        CommitteeMember.objects.filter(committee__in=committees).values("user"),
        Recusal.objects.filter(proposal__in=ids).values("user"),
        Vote.objects.filter(decision__proposal__in=ids).values("member"),
    ]
    people = (
        get_user_model()
        .objects.filter(functools.reduce(operator.or_, (Q(pk__in=q) for q in named)))
        .order_by("pk")
        .values_list("pk", "username", "is_active", "is_staff")
    )
    signed_in = user is not None and user.is_authenticated
    common = [
        renderer_version(),
        template,
        language,
        str(timezone.localdate()),
        [user.pk, is_staff(user), user.is_active] if signed_in else None,
        shared,
        [list(row) for row in people],
    ]
    keys = {}
    for pk in ids:
        versions = [newest.get(pk, 0) for newest in per_proposal]
        payload = json.dumps([common, pk, versions])
        keys[pk] = hashlib.sha256(payload.encode()).hexdigest()
    return keys
