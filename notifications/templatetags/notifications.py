import datetime

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def isodate(value: str) -> str:
    """A date kept as text in a notification's params, in the reader's format."""
    try:
        return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return ""
