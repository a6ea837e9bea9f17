"""The notification settings form: how each kind of message arrives."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Kind
from .kinds import GROUPS, KINDS, choices_for


def field_name(kind: str) -> str:
    return f"kind_{kind}"


class PreferencesForm(forms.Form):
    """One choice per kind. Deadline reminders offer no "only in the portal": the
    field refuses it, whatever a forged form sends."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Kind:
            spec = KINDS[kind]
            self.fields[field_name(kind)] = forms.ChoiceField(
                label=kind.label,
                choices=choices_for(kind),
                initial=current.get(kind, spec.default),
                widget=forms.RadioSelect,
                help_text=(
                    _(
                        "A deadline reminder: you choose how it arrives, but it "
                        "cannot be turned off, so that no deadline is missed."
                    )
                    if spec.mandatory
                    else ""
                ),
            )

    def groups(self) -> list[tuple[str, list]]:
        """(heading, bound fields) per group of kinds, for the page."""
        return [
            (heading, [self[field_name(kind)] for kind in kinds])
            for heading, kinds in GROUPS
        ]

    def choices(self) -> dict[str, str]:
        """{kind: delivery} from a valid form, for services.preferences_set."""
        return {kind: self.cleaned_data[field_name(kind)] for kind in Kind}
