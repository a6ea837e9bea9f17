"""Finding proposals by their words: full text on PostgreSQL, substrings elsewhere.

On PostgreSQL the title and summary are matched word by word (each word of the
search as the start of a word, in any language: the "simple" configuration neither
stems nor drops words), through the GIN index `proposal_text_search` on the very
expression `proposal_text()` builds; 100,000 proposals answer in milliseconds where
a substring search reads every row. The applicant's name is still matched as a
substring, on the small affiliates table. Other databases (SQLite in development and
tests) search substrings, as before.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Q, QuerySet

CONFIG = "simple"
# Letters and digits only: nothing that the tsquery syntax would read as an operator.
WORD = re.compile(r"\w+")
MAX_WORDS = 8


def proposal_text() -> SearchVector:
    """The indexed text of a proposal (Proposal.Meta.indexes uses the same)."""
    return SearchVector("title", "summary", config=CONFIG)


def search_proposals(queryset: QuerySet, text: str) -> QuerySet:
    """The proposals of `queryset` whose title or summary has words starting with
    every word of `text`, or whose applicant's name contains `text`."""
    from affiliates.models import Affiliate

    text = (text or "").strip()
    words = WORD.findall(text)[:MAX_WORDS]
    if not text:
        return queryset
    if not is_postgresql(queryset) or not words:
        return queryset.filter(
            Q(title__icontains=text)
            | Q(summary__icontains=text)
            | Q(affiliate__name__icontains=text)
        )
    # A list of ids rather than a join, so that PostgreSQL can combine the text index
    # with the affiliate index (a join in an OR would read every proposal).
    affiliate_ids = list(
        Affiliate.objects.filter(name__icontains=text).values_list("pk", flat=True)
    )
    query = SearchQuery(
        " & ".join(f"{word}:*" for word in words), config=CONFIG, search_type="raw"
    )
    return queryset.alias(proposal_text=proposal_text()).filter(
        Q(proposal_text=query) | Q(affiliate_id__in=affiliate_ids)
    )


def is_postgresql(queryset: QuerySet) -> bool:
    from django.db import connections

    return connections[queryset.db].vendor == "postgresql"
