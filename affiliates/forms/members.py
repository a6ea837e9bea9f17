"""Forms of the members' pages: roles, annual reports, deferment requests.

Fields and their limits come from the models; the services decide the rest.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import AffiliateReportKind, DefermentCause, MembershipRole
from ..models import AffiliateReport, DefermentRequest

FINANCIAL_FIELDS = ("currency", "total_income", "total_expenses")


class VersionField(forms.CharField):
    """The version of the record the form was shown with (portal/versions.py)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=64, **kwargs)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)
    is_board = forms.BooleanField(label=_("Board member"), required=False)


class AnnualReportForm(forms.ModelForm):
    version = VersionField()
    report_url = forms.URLField(
        label=_("Link to the full report"),
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr"}),
        help_text=_("A public page with the full report, if there is one."),
    )

    class Meta:
        model = AffiliateReport
        fields = ["summary", "report_url", *FINANCIAL_FIELDS]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
            "currency": forms.TextInput(
                attrs={"dir": "ltr", "size": 3, "autocomplete": "off"}
            ),
        }
        help_texts = {
            "summary": _("What the affiliate did this fiscal year, in a few lines."),
            "currency": _("Three-letter code, e.g. BOB, EGP, EUR."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind != AffiliateReportKind.FINANCIAL:
            for name in FINANCIAL_FIELDS:
                del self.fields[name]

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def changes(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version"
        }


class DefermentRequestForm(forms.ModelForm):
    cause = forms.ChoiceField(
        label=_("Cause"), choices=DefermentCause.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = DefermentRequest
        fields = ["cause", "until", "explanation"]
        widgets = {
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "explanation": forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        }
        help_texts = {
            "until": _("At most one year from today."),
            "explanation": _(
                "What happened and how it stops the affiliate from reporting on time."
            ),
        }
