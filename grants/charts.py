"""The grants pages' charts, built with portal/charts.py: budget by category on the
proposal page, amounts awarded per programme and per region on the funded-grants page.

Each chart is a table with a one-sentence summary (its text alternative); amounts are
formatted in the reader's language, like `{% money %}`.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import connections
from django.db.models import Count, DecimalField, F, Sum
from django.db.models.functions import Coalesce, Round
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from affiliates.choices import Region
from portal.charts import bar_chart

from .choices import BudgetCategory
from .models import Proposal
from .models.proposals import to_usd

ZERO = Decimal("0.00")


def _amount(value: Decimal, currency: str) -> str:
    return f"{number_format(value, 2, force_grouping=True)} {currency}"


def _percent(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return "0"
    return number_format((part * 100 / whole).quantize(Decimal(1)), 0)


def budget_by_category(proposal, lines):
    """Budget lines summed per expense category, in the proposal's currency and in
    USD. `lines` are the proposal's lines with `line_total` (views/proposals.py)."""
    if not lines:
        return None
    totals = defaultdict(lambda: ZERO)
    for line in lines:
        totals[line.category] += line.line_total
    total = sum(totals.values(), ZERO)
    rows = []
    for category in BudgetCategory:
        if category.value not in totals:
            continue
        value = totals[category.value]
        text = _amount(value, proposal.currency)
        usd = to_usd(value, proposal.exchange_rate)
        if usd is not None and proposal.currency != "USD":
            text = f"{text} ({_amount(usd, 'USD')})"
        rows.append((str(category.label), value, text))
    largest = max(rows, key=lambda row: row[1])
    summary = _(
        "The largest part of the budget is %(category)s: %(percent)s%% of %(total)s."
    ) % {
        "category": largest[0],
        "percent": _percent(largest[1], total),
        "total": _amount(total, proposal.currency),
    }
    return bar_chart(
        title=_("Budget by category"),
        rows=rows,
        summary=summary,
        label_header=_("Expense category"),
        value_header=_("Amount"),
    )


def _awarded_usd(approved, requested, rate) -> Decimal:
    """As the funded page's total: the approved amount (requested where none was
    set yet) at the grant's frozen rate."""
    amount = approved if approved is not None else requested
    return Proposal(amount_approved=amount, exchange_rate=rate).amount_approved_usd or (
        ZERO
    )


def awarded_usd_by(grants, keys: tuple[str, ...]) -> dict:
    """Grants and USD awarded per value of `keys` (field paths) among `grants`, as
    {(value, …): (count, usd)}; each grant rounded to the cent as `_awarded_usd`
    does. On PostgreSQL the database adds up (one query, one row per group sent
    back); elsewhere the rows are added up here, in Decimal."""
    totals = defaultdict(lambda: (0, ZERO))
    if connections[grants.db].vendor == "postgresql":
        usd = Round(
            Coalesce("amount_approved", "amount_requested") / F("exchange_rate"),
            2,
            output_field=DecimalField(max_digits=20, decimal_places=2),
        )
        rows = (
            grants.order_by()
            .values_list(*keys)
            .annotate(grants=Count("pk"), total=Sum(usd))
        )
        for *values, count, total in rows:
            before = totals[tuple(values)]
            totals[tuple(values)] = (before[0] + count, before[1] + (total or ZERO))
        return dict(totals)
    rows = grants.order_by().values_list(
        *keys, "amount_approved", "amount_requested", "exchange_rate"
    )
    for *values, approved, requested, rate in rows:
        before = totals[tuple(values)]
        usd = _awarded_usd(approved, requested, rate)
        totals[tuple(values)] = (before[0] + 1, before[1] + usd)
    return dict(totals)


def awarded_usd_totals(grants, key: str) -> dict:
    """USD awarded per value of `key` (a field path) among `grants`."""
    totals = awarded_usd_by(grants, (key,))
    return {values[0]: usd for values, (_count, usd) in totals.items()}


def _chart(title, label_header, totals: dict, summary) -> object:
    rows = [
        (label, value, _amount(value, "USD"))
        for label, value in sorted(totals.items(), key=lambda item: -item[1])
    ]
    return bar_chart(
        title=title,
        rows=rows,
        summary=summary,
        label_header=label_header,
        value_header=_("Awarded (USD)"),
    )


def programme_chart(totals: dict):
    """The chart of USD awarded per programme name."""
    summary = (
        _("Programmes: %(count)d. The largest amount: %(name)s.")
        % {"count": len(totals), "name": max(totals, key=totals.get)}
        if totals
        else ""
    )
    return _chart(_("Awarded per programme"), _("Programme"), totals, summary)


def region_chart(totals: dict):
    """The chart of USD awarded per region (by region code). Count only grants that
    may be found by their applicant (`permissions.without_blind`): a region could
    point at whom a blind round hides."""
    labels = dict(Region.choices)
    named = defaultdict(lambda: ZERO)
    for region, total in totals.items():
        named[str(labels.get(region, region))] += total
    named = dict(named)
    summary = (
        _("Regions: %(count)d. The largest amount: %(name)s.")
        % {"count": len(named), "name": max(named, key=named.get)}
        if named
        else ""
    )
    return _chart(_("Awarded per region"), _("Region"), named, summary)
