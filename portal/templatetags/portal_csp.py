"""Template helpers for pages under a Content-Security-Policy without inline scripts."""

from django import template
from django.utils.safestring import mark_safe

from portal.wagtail_csp import init_data

register = template.Library()


@register.simple_tag
def init_script(name, *args, new=False):
    """A data block that portal/static/portal/admin-init.js turns into a call of
    `name(*args)` (or `new name(*args)`): the same set-up as an inline script, without
    one. Arguments that are strings holding JSON (`json:…`) are decoded first."""
    return mark_safe(init_data(name, list(args), new=new))  # noqa: S308 - escaped JSON
