"""The funded-grants filter form (GET parameters of `grants:funded`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from affiliates.choices import Region
from affiliates.models import Affiliate

from ..models import FundProgram


class FundedGrantFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=FundProgram.objects.order_by("name"),
        required=False,
        empty_label=_("All"),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int)
    affiliate = forms.ModelChoiceField(
        label=_("Affiliate"),
        queryset=Affiliate.objects.none(),
        required=False,
        empty_label=_("All"),
        to_field_name="slug",
    )

    def __init__(self, *args, years=(), affiliates=None, **kwargs):
        super().__init__(*args, **kwargs)
        all_choice = [("", _("All"))]
        self.fields["region"].choices = all_choice + list(Region.choices)
        self.fields["year"].choices = all_choice + [(y, str(y)) for y in years]
        if affiliates is not None:
            self.fields["affiliate"].queryset = affiliates
