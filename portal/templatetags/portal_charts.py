"""`{% load portal_charts %}{% chart c %}`: a chart built with portal/charts.py."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def chart(context, value):
    """The chart's own template (bars or distribution), escaped like any template."""
    if value is None:
        return ""
    request = context.get("request")
    return render_to_string(value.template, {"chart": value}, request=request)
