import datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html

from portal.users import display_name

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


@register.filter
def public_name(user) -> str:
    """The person as they choose to be shown now (not when the message was made)."""
    return display_name(user)
