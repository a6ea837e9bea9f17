"""Adds the script that replaces Wagtail's inline scripts (portal/wagtail_csp.py)."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_js")
def admin_init_script():
    return format_html('<script src="{}"></script>', static("portal/admin-init.js"))
