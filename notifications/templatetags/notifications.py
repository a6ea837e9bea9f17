import datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html

register = template.Library()


@register.filter
def isodate(value: str) -> str:
    """A date kept as text in a notification's params, in the reader's format."""
    try:
        return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return ""


@register.filter
def bdi(value) -> str:
    """Names and titles in their own direction: a Spanish title inside an Arabic
    sentence keeps its punctuation where it belongs."""
    return format_html("<bdi>{}</bdi>", value)
