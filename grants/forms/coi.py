"""Conflict-of-interest forms for reviewers (grants/views/reviews.py): the answer for
one proposal, and the yearly declaration of interests with its repeatable rows.

The rules (a conflict needs a type and an explanation, a row names an affiliate or an
organisation, "no interests" goes without rows) live in the models and
grants/services/coi.py; the forms only collect the answers and carry the service's
errors back beside the fields.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from affiliates.models import Affiliate
from portal import limits

from ..choices import ConflictType, InterestKind
from ..models import DeclaredInterest

NO, YES = "no", "yes"


class ProposalDeclarationForm(forms.Form):
    """No conflict, or a conflict with its type and a sentence or two."""

    has_conflict = forms.ChoiceField(
        label=_("Do you have a conflict of interest with this proposal?"),
        choices=[
            (NO, _("No, I have no conflict of interest")),
            (YES, _("Yes, I have a conflict of interest")),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "For example: you work for, advise or sit on the board of the applicant, "
            "a close relative or partner is involved, or you would gain from it."
        ),
    )
    conflict_type = forms.ChoiceField(
        label=_("Type of conflict"),
        choices=[("", _("Choose one"))] + ConflictType.choices,
        required=False,
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.COMMENT,
        required=False,
        help_text=_("Only if you have a conflict: a sentence or two."),
    )

    def clean(self):
        data = super().clean()
        if data.get("has_conflict") == YES:
            if not data.get("conflict_type"):
                self.add_error("conflict_type", _("Say what kind of conflict it is."))
            if not (data.get("explanation") or "").strip():
                self.add_error(
                    "explanation", _("Explain the conflict in a sentence or two.")
                )
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        conflict = data["has_conflict"] == YES
        return {
            "has_conflict": conflict,
            "conflict_type": data["conflict_type"] if conflict else "",
            "explanation": data["explanation"].strip() if conflict else "",
        }


class InterestDeclarationForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    no_interests = forms.BooleanField(
        label=_("I have no interests to declare"), required=False
    )
    statement = forms.CharField(
        label=_("Anything else the committee should know"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.COMMENT,
        required=False,
    )


class InterestRowForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of interest"),
        choices=[("", _("Choose one"))] + InterestKind.choices,
    )
    affiliate = forms.ModelChoiceField(
        label=_("Affiliate concerned"),
        queryset=Affiliate.objects.order_by("name"),
        required=False,
        empty_label=_("None (name the organisation or person below)"),
    )
    organisation = forms.CharField(
        label=_("Organisation or person"), max_length=200, required=False
    )
    role = forms.CharField(label=_("Role"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.COMMENT,
        required=False,
    )
    started_on = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ended_on = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if self.has_changed() and not self._marked_for_removal():
            if (
                not data.get("affiliate")
                and not (data.get("organisation") or "").strip()
            ):
                self.add_error(
                    "organisation", _("Name the affiliate, organisation or person.")
                )
            start, end = data.get("started_on"), data.get("ended_on")
            if start and end and end < start:
                self.add_error("ended_on", _("The end cannot be before the start."))
        return data

    def _marked_for_removal(self) -> bool:
        return bool(self.cleaned_data.get("DELETE"))


class BaseInterestFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this interest")

    def rows(self) -> list[dict]:
        """The rows the service takes: filled in, not removed, in the order shown."""
        result = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or not form.has_changed():
                continue
            row = {k: v for k, v in data.items() if k != "DELETE"}
            row["organisation"] = (row.get("organisation") or "").strip()
            row["role"] = (row.get("role") or "").strip()
            if row.get("id") is None:
                row.pop("id", None)
            result.append(row)
        return result


InterestFormSet = forms.formset_factory(
    InterestRowForm,
    formset=BaseInterestFormSet,
    extra=0,
    can_delete=True,
    max_num=limits.CHILD_ROWS[DeclaredInterest._meta.label],
    absolute_max=limits.CHILD_ROWS[DeclaredInterest._meta.label],
)


def interest_rows_initial(declaration, *, keep_ids: bool) -> list[dict]:
    """The rows of a declaration as form data; `keep_ids=False` when last year's
    answers are the starting point of a new declaration."""
    rows = []
    for interest in declaration.interests.all():
        row = {
            "kind": interest.kind,
            "affiliate": interest.affiliate_id,
            "organisation": interest.organisation,
            "role": interest.role,
            "description": interest.description,
            "started_on": interest.started_on,
            "ended_on": interest.ended_on,
        }
        if keep_ids:
            row["id"] = interest.pk
        rows.append(row)
    return rows
