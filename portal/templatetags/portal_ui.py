"""Template tags for the shared components: `{% load portal_ui %}`.

Each tag renders one template in portal/templates/components/; docs/components.md shows
them in use.
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()

TONES = {"neutral", "info", "success", "warning", "danger"}


@register.inclusion_tag("components/status_badge.html")
def status_badge(value, label, tone="neutral"):
    """A status as words (`label`), with a tone that only reinforces them."""
    return {
        "value": value,
        "label": label,
        "tone": tone if tone in TONES else "neutral",
    }


def _amount(value, currency: str) -> str:
    if value in (None, ""):
        return ""
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{number_format(value, 2, force_grouping=True)} {currency}"


@register.simple_tag
def number_format_attrs():
    """The active language's number format as data attributes for <html>, so that
    amounts computed in the browser (portal.js `portalFormatNumber`) read like those
    rendered by the server."""
    from django.utils.formats import get_format
    from django.utils.html import format_html

    grouping = get_format("NUMBER_GROUPING")
    return format_html(
        'data-decimal-separator="{}" data-thousand-separator="{}" '
        'data-number-grouping="{}"',
        get_format("DECIMAL_SEPARATOR"),
        get_format("THOUSAND_SEPARATOR"),
        grouping if isinstance(grouping, int) else 3,
    )


@register.inclusion_tag("components/money.html")
def money(amount, currency, usd=None):
    """`1,500.00 BOB (217.08 USD)`: amounts in the reader's number format, each kept
    left to right (<bdi dir=ltr>) so that right-to-left text does not reorder it."""
    local = _amount(amount, currency)
    usd_text = _amount(usd, "USD") if usd is not None and currency != "USD" else ""
    return {"local": local, "usd": usd_text}


@register.inclusion_tag("components/data_table.html")
def data_table(headers, rows, caption=""):
    """A plain table of text; stacks on phones with each cell labelled."""
    headers = list(headers)
    return {
        "caption": caption,
        "headers": headers,
        "rows": [list(zip(headers, row, strict=False)) for row in rows],
    }


@register.inclusion_tag("components/empty_state.html")
def empty_state(title, text="", action_url="", action_label=""):
    return {
        "title": title,
        "text": text,
        "action_url": action_url,
        "action_label": action_label,
    }


@register.inclusion_tag("components/pagination.html", takes_context=True)
def pagination(context, page_obj, parameter="page"):
    """Previous / page X of Y / next, keeping the other query parameters."""
    request = context.get("request")
    query = ""
    if request is not None:
        params = request.GET.copy()
        params.pop(parameter, None)
        query = params.urlencode()
    return {"page_obj": page_obj, "query": query, "parameter": parameter}
