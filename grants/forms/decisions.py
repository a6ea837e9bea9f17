"""The committee's decision form (grants/views/committee.py): outcome, rationale,
conditions, the amount approved and each voting member's vote. The rules (who may
vote, the quorum, whether the vote carries the outcome) stay in the service
(grants/services/decisions.py); this form only collects what it needs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import DecisionOutcome, VoteChoice
from ..models import Decision
from ..services.decisions import vote_tally

NO_VOTE = ""


class DecisionForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    conditions = Decision._meta.get_field("conditions").formfield(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the outcome is “Approved with conditions”."),
    )
    amount_approved = forms.DecimalField(
        label=_("Amount approved"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("In the proposal’s currency. Leave empty for the amount asked."),
    )
    rationale = Decision._meta.get_field("rationale").formfield(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to the applicant with the outcome."),
    )

    def __init__(self, *args, voters, **kwargs):
        """`voters`: (user, label) of each member whose vote counts, in order."""
        super().__init__(*args, **kwargs)
        self.voters = list(voters)
        for user, label in self.voters:
            self.fields[f"vote_{user.pk}"] = forms.ChoiceField(
                label=label,
                choices=[(NO_VOTE, _("Did not vote")), *VoteChoice.choices],
                required=False,
                initial=NO_VOTE,
                widget=forms.RadioSelect(attrs={"class": "radio-inline"}),
            )

    @property
    def vote_fields(self):
        return [self[f"vote_{user.pk}"] for user, _label in self.voters]

    @property
    def detail_fields(self):
        return [self[name] for name in ("outcome", "conditions", "amount_approved")]

    def votes(self) -> list[dict]:
        """The votes cast, for the service (valid form only)."""
        return [
            {"member": user, "choice": self.cleaned_data[f"vote_{user.pk}"]}
            for user, _label in self.voters
            if self.cleaned_data.get(f"vote_{user.pk}")
        ]

    def tally(self) -> dict[str, int]:
        """The tally of what is ticked now (bound form, valid or not)."""
        if not self.is_bound:
            return vote_tally([])
        choices = []
        for user, _label in self.voters:
            value = self.data.get(self.add_prefix(f"vote_{user.pk}"), NO_VOTE)
            if value in VoteChoice.values:
                choices.append(value)
        return vote_tally(choices)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "rationale": data["rationale"],
            "conditions": data.get("conditions") or "",
            "amount_approved": data.get("amount_approved"),
            "votes": self.votes(),
        }
