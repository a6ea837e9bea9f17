"""Forms of the public affiliate pages: the directory search, asking to join, and an
admin's answer to a join request."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal import limits

from ..choices import AffiliateType, Region


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        all_choice = [("", _("All"))]
        self.fields["country"].choices = all_choice + [
            (code or "-", code or _("Global")) for code in countries
        ]
        self.fields["region"].choices = all_choice + list(Region.choices)
        self.fields["type"].choices = all_choice + list(AffiliateType.choices)


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the affiliate's admins"),
        help_text=_("Say briefly who you are and how you would like to help."),
        required=False,
        max_length=limits.MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ApproveRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Note for the record"),
        required=False,
        max_length=limits.COMMENT,
        widget=forms.TextInput,
    )


class RefuseRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("The person who asked will read this."),
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
