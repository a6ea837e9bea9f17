"""The round packet's own pages: cover, contents, ranking; and its footer layer."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grants.choices import WithheldReason
from portal.users import display_name

from ..rendering import direction
from .base import doc_meta, page_label_parts


def cover_context(*, round_, user, language: str, dossiers: int) -> dict:
    """The cover: for whom and when the packet was made (never cached)."""
    with translation.override(language):
        return {
            "doc": doc_meta(
                title=_("Round packet"),
                reference=round_.name,
                language=language,
                confidential=True,
                stamped=True,
            ),
            "round": {
                "name": round_.name,
                "program": round_.program.name,
                "committee": round_.committee.name if round_.committee_id else "",
                "scoring_deadline": round_.scoring_deadline.strftime("%Y-%m-%d")
                if round_.scoring_deadline
                else "",
                "blind_reviewers": round_.hide_reviewer_identities,
                "blind_applicants": round_.hide_applicant_identity,
            },
            "generated_for": display_name(user),
            "generated_at": timezone.now().strftime("%Y-%m-%d %H:%M"),
            "dossiers": dossiers,
        }


def contents_context(
    *,
    round_,
    entries: list[dict],
    withheld: list[dict],
    language,
    ranking_page: int,
) -> dict:
    """The contents: only what they show, so that they are cached like the
    dossiers. `entries`: one per dossier, in packet order, with its first page;
    `ranking_page`: the ranking's first page (it follows the contents)."""
    with translation.override(language):
        reasons = {
            WithheldReason.RECUSED: _("You are recused from this proposal."),
            WithheldReason.DECLARATION_NEEDED: _(
                "Declare your conflicts of interest for this proposal to see it."
            ),
            WithheldReason.NO_ACCESS: _(
                "Your access changed while the packet was built."
            ),
        }
        return {
            "doc": _front_meta(round_, language),
            "entries": entries,
            "ranking_page": ranking_page,
            "withheld": [{**w, "why": reasons[w["why"]]} for w in withheld],
        }


def ranking_context(*, round_, ranking: dict, language) -> dict:
    """The ranking of the dossiers in the packet (`ranking["ranking"]`): no page
    numbers in it, so it can be rendered while the dossiers are (and is cached)."""
    with translation.override(language):
        rows = [
            {
                "rank": row["rank"],
                "proposal": row["proposal"],
                "title": row["title"],
                "reviews": row["reviews"],
                "enough_reviews": row["enough_reviews"],
                "weighted_total": row["weighted_total"],
                "divergent": row["divergent"],
                "means": [c["mean"] for c in row["criteria"]],
            }
            for row in ranking["ranking"]
        ]
        return {
            "doc": _front_meta(round_, language),
            "criteria": ranking["criteria"],
            "scale": (ranking["scale_min"], ranking["scale_max"]),
            "min_reviews": ranking["min_reviews"],
            "ranking": rows,
        }


def _front_meta(round_, language) -> dict:
    return doc_meta(
        title=_("Round packet"),
        reference=round_.name,
        language=language,
        confidential=True,
        stamped=True,
    )


def page_numbers_context(*, pages: int, language: str) -> dict:
    """`pages` empty pages whose margin carries "page X of Y": the same for every
    packet of that length and language, so it is cached."""
    with translation.override(language):
        before, middle, after = page_label_parts()
        return {
            "doc": {
                "language": language,
                "dir": direction(language),
                "page_before": before,
                "page_middle": middle,
                "page_after": after,
            },
            "pages": pages,
        }


def footer_context(*, title: str, user, language: str) -> dict:
    """The one footer line of every packet page: when, by whom, confidential."""
    with translation.override(language):
        return {
            "doc": {
                "title": title,
                "language": language,
                "dir": direction(language),
                "generated_at": timezone.now().strftime("%Y-%m-%d %H:%M"),
                "generated_by": display_name(user),
            },
        }
