"""The round packet's own pages: cover, contents, ranking; and its footer layer."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.users import display_name

from ..rendering import direction
from .base import content_lang, doc_meta, page_label_parts


def front_context(
    *, round_, ranking: dict, entries: list[dict], withheld: list[dict], user, language
) -> dict:
    """`entries`: one per dossier, in packet order, with its first page number."""
    with translation.override(language):
        title = _("Round packet")
        rows = []
        for row in ranking["ranking"]:
            rows.append(
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
            )
        reasons = {
            "recused": _("You are recused from this proposal."),
            "declaration_needed": _(
                "Declare your conflicts of interest for this proposal to see it."
            ),
            "no_access": _("Your access changed while the packet was built."),
        }
        return {
            "doc": {
                **doc_meta(
                    title=title,
                    reference=round_.name,
                    language=language,
                    confidential=True,
                    stamped=True,
                ),
                "author": display_name(user),
            },
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
            "criteria": ranking["criteria"],
            "scale": (ranking["scale_min"], ranking["scale_max"]),
            "min_reviews": ranking["min_reviews"],
            "ranking": rows,
            "entries": entries,
            "withheld": [{**w, "why": reasons[w["why"]]} for w in withheld],
        }


def stamp_context(*, pages: int, title: str, user, language: str) -> dict:
    """One empty page per packet page: the margin boxes carry the footer."""
    with translation.override(language):
        before, middle, after = page_label_parts()
        return {
            "doc": {
                "title": title,
                "language": language,
                "dir": direction(language),
                "generated_at": timezone.now().strftime("%Y-%m-%d %H:%M"),
                "generated_by": display_name(user),
                "page_before": before,
                "page_middle": middle,
                "page_after": after,
            },
            "pages": range(pages),
            "text": content_lang(language),
        }
