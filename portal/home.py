"""The signed-in home: what needs this person now (drafts, reports due, join requests,
comments on their proposals, stories sent back)."""

from portal.placeholders import not_built as home  # noqa: F401 (replaced by the page)
