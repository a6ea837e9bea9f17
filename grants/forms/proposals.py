"""Forms of the proposal editor. They check the shape of the input; the services
(grants/services/proposals.py) and the models' `clean` check the rules, and their
errors are put back next to the fields (`add_service_errors`)."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from portal import limits

from ..choices import BudgetCategory, MetricKind
from ..models import Proposal


def language_choices():
    return [(code, name) for code, name in settings.LANGUAGES]


def add_service_errors(form, error: ValidationError, field_map=None) -> None:
    """Put a service's ValidationError next to the form's fields (the others on
    top of the form)."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        target = field_map.get(name, name)
        if target not in form.fields or name == NON_FIELD_ERRORS:
            target = None
        for message in messages:
            form.add_error(target, message)


def _limit_hint(chars: int):
    return _("Up to %(count)s characters.") % {"count": f"{chars:,}"}


class VersionForm(forms.Form):
    """The version of the record the page showed (lost-update check)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


def round_label(round_) -> str:
    """“Rapid Fund – Spring round (500–5,000 USD)”: the program's bounds with it."""
    program = round_.program
    low = number_format(program.min_amount_usd, 0, force_grouping=True)
    if program.max_amount_usd is None:
        bounds = _("from %(min)s USD") % {"min": low}
    else:
        high = number_format(program.max_amount_usd, 0, force_grouping=True)
        bounds = f"{low}–{high} USD"
    return f"{program.name} – {round_.name} ({bounds})"


def _currency_field():
    return forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        help_text=_("ISO 4217 code of the local currency, e.g. NGN."),
    )


def _exchange_rate_field():
    return forms.DecimalField(
        label=_("Exchange rate"),
        max_digits=18,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        help_text=_("Units of the local currency per US dollar."),
    )


class ProposalStartForm(forms.Form):
    """A new draft: who applies, to which round, and the first numbers."""

    affiliate = forms.ModelChoiceField(queryset=None, label=_("Affiliate"))
    round = forms.ModelChoiceField(
        queryset=None,
        label=_("Fund program and round"),
        help_text=_("Only rounds open now are listed."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language of writing"), choices=())
    currency = _currency_field()
    exchange_rate = _exchange_rate_field()
    amount_requested = forms.DecimalField(
        label=_("Amount requested (local currency)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=_("An estimate: the budget step sets it to the budget's total."),
    )

    def __init__(self, *args, affiliates, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affiliate"].queryset = affiliates
        self.fields["round"].queryset = rounds
        self.fields["round"].label_from_instance = round_label
        self.fields["language"].choices = language_choices()
        self.fields["currency"].widget.attrs.update(
            {"dir": "ltr", "autocapitalize": "characters", "size": 4}
        )
        for name in ("exchange_rate", "amount_requested"):
            self.fields[name].widget.attrs.update(
                {"dir": "ltr", "inputmode": "decimal"}
            )

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


class BasicsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=limits.SUMMARY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_limit_hint(limits.SUMMARY),
    )
    language = forms.ChoiceField(label=_("Language of writing"), choices=())
    start_date = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    fields_in_service = ("title", "summary", "language", "start_date", "end_date")

    def __init__(self, *args, program=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
        if program is not None and program.max_duration_months:
            self.fields["end_date"].help_text = _(
                "%(program)s grants last at most %(months)s months."
            ) % {"program": program.name, "months": program.max_duration_months}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date", _("The end date must be on or after the start date.")
            )
        return data


class PlanForm(forms.Form):
    description = forms.CharField(
        label=_("Plan: what you will do, how, and why"),
        max_length=limits.LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_limit_hint(limits.LONG_TEXT),
    )
    fields_in_service = ("description",)


class BudgetSettingsForm(forms.Form):
    currency = _currency_field()
    exchange_rate = _exchange_rate_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].widget.attrs.update({"dir": "ltr", "size": 4})
        self.fields["exchange_rate"].widget.attrs.update(
            {"dir": "ltr", "inputmode": "decimal", "data-rate": ""}
        )

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()


class BudgetLineForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    activity = forms.CharField(label=_("Activity"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=BudgetCategory.choices)
    description = forms.CharField(
        label=_("Description"), max_length=500, required=False
    )
    unit = forms.CharField(label=_("Unit"), max_length=50)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=12, decimal_places=2, min_value=0
    )
    unit_cost = forms.DecimalField(
        label=_("Unit cost"), max_digits=14, decimal_places=2, min_value=0
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("quantity", "unit_cost"):
            self.fields[name].widget.attrs.update(
                {
                    "dir": "ltr",
                    "inputmode": "decimal",
                    f"data-{name.replace('_', '-')}": "",
                }
            )


class TargetForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=MetricKind.choices)
    name = forms.CharField(
        label=_("Name (for your own metric)"), max_length=200, required=False
    )
    target = forms.IntegerField(label=_("Target"), min_value=0)

    def clean(self):
        data = super().clean()
        if (
            data.get("kind") == MetricKind.CUSTOM
            and not (data.get("name") or "").strip()
        ):
            self.add_error("name", _("Name your own metric."))
        return data


class BaseRowFormSet(forms.BaseFormSet):
    """Rows in the order shown; blank extra rows are ignored; `rows()` gives the
    dicts the service takes."""

    def rows(self) -> list[dict]:
        result = []
        for form in self.forms:
            if not form.has_changed() or not form.cleaned_data:
                continue
            row = dict(form.cleaned_data)
            if row.get("id") is None:
                row.pop("id", None)
            result.append(row)
        return result


BudgetLineFormSet = forms.formset_factory(
    BudgetLineForm,
    formset=BaseRowFormSet,
    extra=0,
    max_num=limits.BUDGET_LINES,
    absolute_max=limits.BUDGET_LINES,
)
TargetFormSet = forms.formset_factory(
    TargetForm,
    formset=BaseRowFormSet,
    extra=0,
    max_num=limits.TARGET_METRICS,
    absolute_max=limits.TARGET_METRICS,
)


class ActionForm(forms.Form):
    """Submit or withdraw, with an optional note for the history."""

    reason = forms.CharField(
        label=_("Note for the history"),
        max_length=limits.COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def proposal_fields_initial(proposal: Proposal, names) -> dict:
    return {name: getattr(proposal, name) for name in names}
