"""Forms of the staff compliance overview: the filters, granting a deferment, and
deciding an affiliate's deferment request.

Fields and their limits come from the models; the services decide the rest.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal import limits

from ..choices import AffiliateType, ComplianceStatus, Region
from ..models import Deferment


def _any(choices, label):
    return [("", label), *choices]


class ComplianceFilterForm(forms.Form):
    """GET filters; an unknown value is simply ignored (the form is not valid)."""

    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=_any(AffiliateType.choices, _("Any type")),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=_any(Region.choices, _("Any region")),
    )
    status = forms.ChoiceField(
        label=_("Compliance"),
        required=False,
        choices=_any(ComplianceStatus.choices, _("Any status")),
    )


class DefermentGrantForm(forms.ModelForm):
    """Staff grant a deferment directly (affiliates/services.deferment_grant)."""

    reason = forms.CharField(
        label=_("Reason for the record"),
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the deferment's history."),
    )

    class Meta:
        model = Deferment
        fields = ["cause", "valid_from", "until", "explanation"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "until": forms.DateInput(attrs={"type": "date"}),
            "explanation": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"until": _("At most one year after it starts.")}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.Meta.fields}


class DefermentDecisionForm(forms.Form):
    """Grant or refuse a deferment request; refusing needs a reason (the service
    says so, and the error is shown next to this field)."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to refuse: the affiliate's members read it."),
    )
