"""Project-wide form rendering: one template per field kind, errors tied to fields.

Every `{{ form }}`, `{{ field.as_field_group }}` and allauth form renders through
portal/templates/components/forms/ (see docs/components.md).
"""

from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


class PortalBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        """Screen readers read a field's error and hint with the field: the error's
        id (`<id>_error`, in components/forms/field.html) joins aria-describedby."""
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors and self.auto_id:
            described = attrs.get("aria-describedby", "")
            error_id = f"{self.auto_id}_error"
            if error_id not in described.split():
                attrs["aria-describedby"] = f"{error_id} {described}".strip()
        return attrs

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}_error" if self.auto_id else ""

    @property
    def is_checkbox(self) -> bool:
        return self.widget_type == "checkbox"

    @property
    def is_choice_list(self) -> bool:
        return self.widget_type in ("radioselect", "checkboxselectmultiple")


class PortalFormRenderer(TemplatesSetting):
    form_template_name = "components/forms/form.html"
    field_template_name = "components/forms/field.html"
    bound_field_class = PortalBoundField
