"""Template helpers for PDF documents."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def css_string(value) -> str:
    """A quoted CSS string; every character outside plain letters, digits and
    spaces is hex-escaped, so no text can close the string or the style element."""
    out = []
    for char in str(value):
        if char.isalnum() or char == " ":
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return mark_safe(f'"{"".join(out)}"')  # noqa: S308 - every other char escaped


@register.filter
def page_range(count) -> range:
    return range(int(count))


@register.filter
def money(value) -> str:
    """1234567.5 -> 1,234,567.50 (grouping stays plain: amounts are read by
    committees across languages, next to their ISO currency code)."""
    if value is None or value == "":
        return "–"
    return f"{value:,.2f}"


class LeftToRightNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        # Unicode isolates: a number, code or date reads left to right as one unit
        # inside right-to-left text (WeasyPrint has no CSS unicode-bidi).
        return "\u2066" + self.nodelist.render(context) + "\u2069"


@register.tag
def ltr(parser, token):
    nodelist = parser.parse(("endltr",))
    parser.delete_first_token()
    return LeftToRightNode(nodelist)
