"""Charts drawn on the server, readable without the picture.

A chart is a table: screen readers, text browsers and copy-paste get the labels and
numbers; the bars are SVG decoration (`aria-hidden`), drawn from inline-start so that
they run right to left in Arabic. No JavaScript, nothing from a CDN, nothing the
Content-Security-Policy would block (sizes are SVG attributes, not `style=`).

Build one in a view and render it with `{% load portal_charts %}{% chart c %}`:

- `bar_chart(title=…, rows=[(label, value, display_text), …])`: one bar per row, as
  long as its value relative to the largest (counts, amounts);
- `distribution(title=…, scale=[…], series=[(row_label, {scale_label: count}), …])`:
  for each row (a rubric criterion, say) how many answers fell on each point of a
  scale, as small columns.

Colours only repeat what the words say (`tone`, as for status badges).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

TONES = {"neutral", "info", "success", "warning", "danger"}
ITEM = _("Item")
VALUE = _("Value")
CRITERION = _("Criterion")


def _share(value, largest) -> float:
    """The bar's length in percent of the largest; a tiny but visible bar for any
    value above zero."""
    if not largest or not value or value <= 0:
        return 0.0
    return round(max(float(Decimal(value) / Decimal(largest)) * 100, 1.0), 2)


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    display: str
    share: float
    tone: str


@dataclass(frozen=True)
class BarChart:
    title: str
    summary: str
    label_header: str
    value_header: str
    bars: tuple[Bar, ...]
    template = "components/charts/bars.html"


def bar_chart(
    *,
    title,
    rows: Iterable,
    summary="",
    label_header=ITEM,
    value_header=VALUE,
) -> BarChart:
    """`rows`: `(label, value, display_text)` or `(label, value, display_text,
    tone)`; the value is a number (None counts as 0), the display text is what the
    reader sees (formatted in their language by the caller)."""
    rows = [tuple(row) for row in rows]
    values = [Decimal(row[1] or 0) for row in rows]
    largest = max(values, default=0)
    bars = tuple(
        Bar(
            label=row[0],
            value=value,
            display=row[2],
            share=_share(value, largest),
            tone=row[3] if len(row) > 3 and row[3] in TONES else "info",
        )
        for row, value in zip(rows, values, strict=True)
    )
    return BarChart(
        title=title,
        summary=summary,
        label_header=label_header,
        value_header=value_header,
        bars=bars,
    )


@dataclass(frozen=True)
class Column:
    count: int
    height: float

    @property
    def top(self) -> float:
        """Where the column starts, measured from the top of its 100-unit box."""
        return round(100 - self.height, 2)


@dataclass(frozen=True)
class DistributionRow:
    label: str
    columns: tuple[Column, ...]
    total: int


@dataclass(frozen=True)
class Distribution:
    title: str
    summary: str
    label_header: str
    scale: tuple[str, ...]
    rows: tuple[DistributionRow, ...]
    template = "components/charts/distribution.html"


def distribution(
    *,
    title,
    scale: Iterable,
    series: Iterable,
    summary="",
    label_header=CRITERION,
) -> Distribution:
    """`scale`: the points of the scale in order (labels, e.g. "1" … "5" or "n/a");
    `series`: `(row_label, {scale_label: count})`. Column heights are relative to the
    largest count of the whole chart, so rows compare with each other."""
    scale = tuple(str(point) for point in scale)
    series = [
        (label, {str(key): int(count) for key, count in counts.items()})
        for label, counts in series
    ]
    largest = max(
        (count for _label, counts in series for count in counts.values()), default=0
    )
    rows = tuple(
        DistributionRow(
            label=label,
            columns=tuple(
                Column(
                    count=counts.get(point, 0),
                    height=_share(counts.get(point, 0), largest),
                )
                for point in scale
            ),
            total=sum(counts.get(point, 0) for point in scale),
        )
        for label, counts in series
    )
    return Distribution(
        title=title,
        summary=summary,
        label_header=label_header,
        scale=scale,
        rows=rows,
    )


def counts_by(values: Iterable, scale: Iterable) -> Mapping[str, int]:
    """How many of `values` fall on each point of `scale` (compared as text)."""
    tally = {str(point): 0 for point in scale}
    for value in values:
        key = str(value)
        if key in tally:
            tally[key] += 1
    return tally
