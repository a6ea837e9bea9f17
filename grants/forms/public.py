"""The funded-grants filter form (GET parameters of `grants:funded`)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from affiliates.choices import Region
from affiliates.models import Affiliate

from ..models import FundProgram


class LongSelect(forms.Select):
    """A select written in one pass, the same markup as Django's (attributes,
    `selected`), without a template per option: the affiliate filter lists every
    affiliate with a grant, a thousand and more, where per-option templates cost
    more than the rest of the page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"],
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options
        )


class _SlugNameIterator(forms.models.ModelChoiceIterator):
    """The affiliate choices as (slug, name) read straight from the database,
    without building an Affiliate for each option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("slug", "name")


class AffiliateChoiceField(forms.ModelChoiceField):
    iterator = _SlugNameIterator


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
    affiliate = AffiliateChoiceField(
        label=_("Affiliate"),
        queryset=Affiliate.objects.none(),
        required=False,
        empty_label=_("All"),
        to_field_name="slug",
        widget=LongSelect,
    )

    def __init__(self, *args, years=(), affiliates=None, **kwargs):
        super().__init__(*args, **kwargs)
        all_choice = [("", _("All"))]
        self.fields["region"].choices = all_choice + list(Region.choices)
        self.fields["year"].choices = all_choice + [(y, str(y)) for y in years]
        if affiliates is not None:
            self.fields["affiliate"].queryset = affiliates
