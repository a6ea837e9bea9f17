"""The site-wide figures of the funded grants page, kept in the shared cache.

Unfiltered, the page shows every awarded grant: how many, in which years, the USD
total, per programme and per region. Adding these up reads every awarded grant, a
cost that grows with the portal (100,000 proposals: tens of thousands of grants on
each visit). They change only when a grant is awarded, so they are computed once
and kept in the cache (Redis or the database in production, shared by every
process) under a version that the award service replaces once its transaction
commits (`awards_changed`): the next visitor computes them again.

What is kept does not depend on the reader. Totals are kept per programme id and
per affiliate id, so that renaming a programme or moving an affiliate to another
region needs no new version (names and regions are read on each visit, a small
query). Readers from whom a blind round hides some applicants (committee members)
get those grants taken off the per-affiliate figures, exactly as the page's
`permissions.without_blind` did before.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import permissions
from .charts import ZERO, awarded_usd_by
from .models import Proposal

VERSION_KEY = "grants:funded-summary:version"
# A safety net for changes that bypass the award service (the shell, a data
# migration): they show within this time. Awards show at once.
TIMEOUT = 60 * 60


@dataclass(frozen=True)
class FundedSummary:
    count: int
    years: list[int]
    # programme id → USD awarded
    per_program: dict[int, Decimal]
    # affiliate id → (grants, USD awarded)
    per_affiliate: dict[int, tuple[int, Decimal]]

    @property
    def total_usd(self) -> Decimal:
        return sum(self.per_program.values(), ZERO)


def awards_changed() -> None:
    """Call in the transaction that awards a grant (or otherwise changes the set of
    awarded grants, their amounts or their rates): once it commits, the kept
    figures are dropped. Not before: a visitor in between would keep the old ones
    under the new version."""
    transaction.on_commit(forget_site_summary)


def forget_site_summary() -> None:
    """Drop the kept figures now (the next visitor adds up again)."""
    # A fresh random token, never a counter: a counter that the cache evicted would
    # start again at a number whose old figures may still be kept.
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def awarded_grants():
    return Proposal.objects.filter(status__in=permissions.AWARDED_STATUSES)


def _compute() -> FundedSummary:
    grants = awarded_grants()
    # One aggregate per (affiliate, programme): a few thousand rows at most.
    pairs = awarded_usd_by(grants, ("affiliate_id", "program_id"))
    per_program: dict[int, Decimal] = {}
    per_affiliate: dict[int, tuple[int, Decimal]] = {}
    for (affiliate_id, program_id), (count, usd) in pairs.items():
        per_program[program_id] = per_program.get(program_id, ZERO) + usd
        grants_before, usd_before = per_affiliate.get(affiliate_id, (0, ZERO))
        per_affiliate[affiliate_id] = (grants_before + count, usd_before + usd)
    years = sorted(
        {d.year for d in grants.order_by().datetimes("decided_at", "year")},
        reverse=True,
    )
    return FundedSummary(
        count=sum(count for count, _usd in per_affiliate.values()),
        years=years,
        per_program=per_program,
        per_affiliate=per_affiliate,
    )


def site_summary() -> FundedSummary:
    """Every awarded grant's figures, from the cache when they are there."""
    # Years are cut in the current time zone.
    key = f"grants:funded-summary:{_version()}:{timezone.get_current_timezone_name()}"
    summary = cache.get(key)
    if summary is None:
        summary = _compute()
        cache.set(key, summary, TIMEOUT)
    return summary


def findable_per_affiliate(user, summary: FundedSummary) -> dict:
    """`summary.per_affiliate` less the grants whose applicant is hidden from this
    reader (`permissions.blind_to`), affiliates left with none dropped."""
    hidden = permissions.blind_to(user, awarded_grants())
    if hidden.query.is_empty():  # staff and visitors: no query
        return summary.per_affiliate
    per_affiliate = dict(summary.per_affiliate)
    for (affiliate_id,), (count, usd) in awarded_usd_by(
        hidden, ("affiliate_id",)
    ).items():
        grants_before, usd_before = per_affiliate.get(affiliate_id, (0, ZERO))
        per_affiliate[affiliate_id] = (grants_before - count, usd_before - usd)
    return {key: value for key, value in per_affiliate.items() if value[0] > 0}
