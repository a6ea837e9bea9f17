"""Wagtail's admin without inline scripts, so that its CSP needs no 'unsafe-inline'.

A few Wagtail widgets and panels set themselves up with an inline `<script>` (date
and time pickers, choosers, inline panels). Here each is written instead as a JSON
data block naming an allowed set-up function and its arguments; one static script
(portal/static/portal/admin-init.js, added to every admin page by a Wagtail hook)
runs them, also for forms that arrive later in modals. Template overrides live in
portal/templates/wagtailadmin/; the chooser widgets render in Python and are adapted
in `install()` (called when the app is ready).
"""

import json

from django.utils.html import format_html
from django.utils.safestring import mark_safe

# Names the admin script may call, and nothing else. Keep in step with admin-init.js.
FUNCTIONS = frozenset(
    {"initDateChooser", "initTimeChooser", "initDateTimeChooser", "createTaskChooser"}
)
CONSTRUCTORS = frozenset(
    {
        "InlinePanel",
        "MultipleChooserPanel",
        "ImageChooser",
        "PageChooser",
        "DocumentChooser",
        "SnippetChooser",
    }
)

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _decode(arg):
    if isinstance(arg, str) and arg.startswith("json:"):
        return json.loads(arg[5:])
    return arg


def init_data(name: str, args: list, *, new: bool = False) -> str:
    allowed = CONSTRUCTORS if new else FUNCTIONS
    if name not in allowed:
        raise ValueError(f"{name} is not an allowed admin set-up function")
    payload = json.dumps([_decode(arg) for arg in args]).translate(_JSON_ESCAPES)
    return format_html(
        '<script type="application/json" data-portal-init="{}"{}>{}</script>',
        name,
        mark_safe(" data-portal-new") if new else "",  # noqa: S308 - constant
        mark_safe(payload),  # noqa: S308 - JSON with <, > and & escaped
    )


def install() -> None:
    """Choosers (images, pages, documents, snippets, tasks) render a data block."""
    from wagtail.admin.widgets import BaseChooser
    from wagtail.admin.widgets.workflows import AdminTaskChooser

    if getattr(BaseChooser, "_portal_csp", False):
        return
    original_render = BaseChooser.render
    base_js_init = BaseChooser.render_js_init

    def render(self, name, value, attrs=None, renderer=None):
        id_ = (attrs or {}).get("id")
        if id_ is None:
            return original_render(self, name, value, attrs, renderer)
        value_data = self.get_value_data(value)
        widget_html = self.render_html(name, value_data, attrs)
        if isinstance(self, AdminTaskChooser):
            init = init_data("createTaskChooser", [id_])
        elif (
            type(self).render_js_init is base_js_init
            and self.js_constructor in CONSTRUCTORS
        ):
            options = self.get_js_init_options(id_, name, value_data)
            init = init_data(self.js_constructor, [id_, options], new=True)
        else:  # an unknown chooser keeps its inline script (and the CSP blocks it)
            return original_render(self, name, value, attrs, renderer)
        return mark_safe(f"{widget_html}{init}")  # noqa: S308 - both parts escaped

    BaseChooser.render = render
    BaseChooser._portal_csp = True
