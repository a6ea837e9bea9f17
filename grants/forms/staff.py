"""Forms of the staff work pages (grants/views/staff_*.py). Limits come from the
models; the rules (who, when) from permissions.py and the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal import limits

from ..models import Committee, FundProgram, Round, Rubric
from .proposals import add_service_errors  # noqa: F401  (re-exported for the views)


def _reason_field(label, *, required=False, help_text=""):
    return forms.CharField(
        label=label,
        max_length=limits.COMMENT,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class EligibilityForm(forms.Form):
    """The eligibility checklist and the reason for the step taken. The answers are
    recorded in the proposal's history with the step (there is no model for
    documents or bank details: staff check them outside the portal)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    documents = forms.ChoiceField(
        label=_("Are the proposal's documents complete?"),
        help_text=_(
            "Summary, plan, dates, budget lines and targets (listed above), and any "
            "attachments the program asks for."
        ),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    bank_details = forms.ChoiceField(
        label=_("Are the affiliate's bank details confirmed?"),
        help_text=_("Checked with finance; the portal does not store them."),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    reason = _reason_field(
        _("Reason for the history"),
        help_text=_(
            "Sending back needs one: the applicant reads it. The checklist answers "
            "are recorded with it."
        ),
    )


class AssignForm(forms.Form):
    """Assign one reviewer to a proposal: the round committee's active members."""

    reviewer = forms.TypedChoiceField(label=_("Reviewer"), coerce=int)
    reason = _reason_field(_("Note for the history"))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [
            ("", _("Choose a committee member")),
            *choices,
        ]


class BulkAssignForm(forms.Form):
    reviewers_per_proposal = forms.IntegerField(
        label=_("Reviewers per proposal"), min_value=1, max_value=20
    )


class BulkSaveForm(BulkAssignForm):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=128)
    reason = _reason_field(_("Note for the history"))


class RoundForm(forms.Form):
    """Set up or change a round. The program is chosen once; the rubric only while
    no review used it (the view disables the field then)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=FundProgram.objects.all()
    )
    name = Round._meta.get_field("name").formfield()
    opens_on = Round._meta.get_field("opens_on").formfield(
        widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = Round._meta.get_field("closes_on").formfield(
        widget=forms.DateInput(attrs={"type": "date"})
    )
    comment_period_ends_on = Round._meta.get_field("comment_period_ends_on").formfield(
        widget=forms.DateInput(attrs={"type": "date"})
    )
    scoring_deadline = Round._meta.get_field("scoring_deadline").formfield(
        widget=forms.DateInput(attrs={"type": "date"})
    )
    committee = forms.ModelChoiceField(
        label=_("Committee"), queryset=Committee.objects.all(), required=False
    )
    rubric = forms.ModelChoiceField(
        label=_("Rubric version"),
        queryset=Rubric.objects.select_related("program"),
        required=False,
        help_text=_(
            "Frozen for the round. Empty: the program's newest version when the "
            "round is saved."
        ),
    )
    min_reviews = Round._meta.get_field("min_reviews").formfield()
    hide_reviewer_identities = Round._meta.get_field(
        "hide_reviewer_identities"
    ).formfield()
    hide_applicant_identity = Round._meta.get_field(
        "hide_applicant_identity"
    ).formfield()
    reason = _reason_field(_("Note for the history"))

    SERVICE_FIELDS = (
        "name",
        "opens_on",
        "closes_on",
        "comment_period_ends_on",
        "scoring_deadline",
        "committee",
        "rubric",
        "min_reviews",
        "hide_reviewer_identities",
        "hide_applicant_identity",
    )

    def __init__(self, *args, round_=None, rubric_locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric"].label_from_instance = lambda r: (
            _("%(program)s, version %(version)s")
            % {"program": r.program.name, "version": r.version}
        )
        if round_ is not None:
            # A round stays with its program.
            self.fields["program"].disabled = True
            self.fields["rubric"].queryset = Rubric.objects.filter(
                program=round_.program_id
            ).select_related("program")
        if rubric_locked:
            self.fields["rubric"].disabled = True
            self.fields["rubric"].help_text = _(
                "Reviews of this round were scored on this version: it cannot change."
            )

    def service_fields(self, *, with_program: bool) -> dict:
        data = {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}
        if self.fields["rubric"].disabled:
            data.pop("rubric")
        if with_program:
            data["program"] = self.cleaned_data["program"]
        return data


class ModerationForm(forms.Form):
    """Hide, dismiss or restore: the reason is kept in the record."""

    reason = _reason_field(_("Reason"), required=True)

    def __init__(self, *args, key: str, **kwargs):
        kwargs.setdefault("prefix", key)
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _(
            "Say why: the record keeps it."
        )
