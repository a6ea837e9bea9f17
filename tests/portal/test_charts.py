"""Charts are tables first: the numbers and labels are text, the bars decoration."""

import re

from django.template import Context, Template

from portal.charts import bar_chart, counts_by, distribution


def render(chart) -> str:
    return Template("{% load portal_charts %}{% chart c %}").render(
        Context({"c": chart})
    )


def test_bar_lengths_are_relative_to_the_largest_value():
    chart = bar_chart(
        title="Awarded per programme",
        rows=[
            ("Rapid Fund", 2500, "2,500 USD"),
            ("General Support", 10000, "10,000 USD"),
        ],
    )
    assert [bar.share for bar in chart.bars] == [25.0, 100.0]


def test_a_small_value_still_shows_and_zero_shows_nothing():
    chart = bar_chart(
        title="t", rows=[("a", 1, "1"), ("b", 1000, "1000"), ("c", 0, "0")]
    )
    assert [bar.share for bar in chart.bars] == [1.0, 100.0, 0.0]


def test_bar_chart_renders_labels_and_values_as_text_and_hides_the_bars():
    chart = bar_chart(
        title="Compliance",
        summary="3 of 4 affiliates are compliant.",
        rows=[("Compliant", 3, "3", "success"), ("Past due", 1, "1", "danger")],
    )
    html = render(chart)
    assert "<figcaption" in html and "Compliance" in html
    assert "3 of 4 affiliates are compliant." in html
    assert re.search(r'<th scope="row"[^>]*>Past due</th>', html)
    assert 'aria-hidden="true"' in html
    assert "chart-fill--danger" in html
    assert 'width="100.0"' in html and 'width="33.33"' in html
    assert "style=" not in html  # the Content-Security-Policy allows no inline style


def test_labels_are_escaped():
    html = render(bar_chart(title="<b>x</b>", rows=[("<script>", 1, "1")]))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_distribution_counts_answers_on_each_point_of_the_scale():
    scale = ["1", "2", "3", "4", "5"]
    chart = distribution(
        title="Scores",
        scale=scale,
        series=[
            ("Impact", counts_by([4, 4, 5], scale)),
            ("Feasibility", counts_by([2, "n/a"], scale)),
        ],
    )
    impact, feasibility = chart.rows
    assert [c.count for c in impact.columns] == [0, 0, 0, 2, 1]
    assert impact.total == 3 and feasibility.total == 1  # "n/a" is not on the scale
    assert impact.columns[3].height == 100.0 and impact.columns[3].top == 0.0
    assert impact.columns[4].height == 50.0 and impact.columns[4].top == 50.0
    html = render(chart)
    assert re.search(r'<th scope="col"[^>]*><bdi>5</bdi></th>', html)
    assert '<th scope="row">Feasibility</th>' in html


def test_empty_chart_says_so():
    html = render(bar_chart(title="t", rows=[]))
    assert "Nothing to show yet." in html
