"""The scoring form (grants/views/reviews.py): one score and one comment per
criterion of the round's rubric, a recommendation, a comment to the applicant and a
private note to the committee.

Fields are named by criterion id: `score_<id>` (a value of the rubric's scale, or
"na" where the rubric allows "not applicable") and `comment_<id>`. A draft may leave
anything blank; submitting needs every criterion and the recommendation, as
grants/services/reviews.py checks again.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import limits

from ..choices import RecommendationChoice

NOT_APPLICABLE = "na"
SAVE, SUBMIT = "save", "submit"


class NeededToSubmitField(forms.ChoiceField):
    """Shown as needed (no "(optional)": submitting needs it), yet a draft may
    leave it blank; `ScoringForm.clean` asks for it on submission."""

    def validate(self, value):
        if value in self.empty_values:
            return
        super().validate(value)


class ScoringForm(forms.Form):
    use_required_attribute = False
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    recommendation = NeededToSubmitField(
        label=gettext_lazy("Your recommendation"),
        choices=RecommendationChoice.choices,
        widget=forms.RadioSelect,
    )
    comment_to_applicant = forms.CharField(
        label=gettext_lazy("Comment to the applicant"),
        help_text=gettext_lazy(
            "The applicant reads this once the committee has decided, without your "
            "name or scores."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.REVIEW_TEXT,
        required=False,
    )
    note_to_committee = forms.CharField(
        label=gettext_lazy("Private note to the committee"),
        help_text=gettext_lazy("Only the committee and programme staff read this."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.REVIEW_TEXT,
        required=False,
    )

    def __init__(self, *args, rubric, criteria, review=None, language=None, **kwargs):
        self.rubric = rubric
        self.criteria = list(criteria)
        self.submitting = False
        initial = kwargs.setdefault("initial", {})
        if review is not None:
            initial.update(
                recommendation=review.recommendation,
                comment_to_applicant=review.comment_to_applicant,
                note_to_committee=review.note_to_committee,
            )
            for score in review.scores.all():
                initial[f"score_{score.criterion_id}"] = (
                    NOT_APPLICABLE if score.not_applicable else str(score.value)
                )
                initial[f"comment_{score.criterion_id}"] = score.comment
        super().__init__(*args, **kwargs)
        scale = [
            (str(v), str(v)) for v in range(rubric.scale_min, rubric.scale_max + 1)
        ]
        if rubric.allow_not_applicable:
            scale.append((NOT_APPLICABLE, _("Not applicable")))
        self.rows = []
        for criterion in self.criteria:
            name, guidance = criterion.localized(language)
            score = NeededToSubmitField(
                label=name,
                help_text=guidance,
                choices=scale,
                widget=forms.RadioSelect(
                    attrs={"data-weight": str(criterion.weight), "class": "scale"}
                ),
            )
            comment = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": name},
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=limits.COMMENT,
                required=False,
            )
            self.fields[f"score_{criterion.pk}"] = score
            self.fields[f"comment_{criterion.pk}"] = comment
            self.rows.append(
                {
                    "criterion": criterion,
                    "name": name,
                    "weight": criterion.weight,
                    "score": f"score_{criterion.pk}",
                    "comment": f"comment_{criterion.pk}",
                }
            )

    def bound_rows(self):
        return [
            {**row, "score": self[row["score"]], "comment": self[row["comment"]]}
            for row in self.rows
        ]

    def clean(self):
        data = super().clean()
        if self.submitting:
            for row in self.rows:
                if not data.get(row["score"]):
                    self.add_error(row["score"], _("Score this criterion to submit."))
            if not data.get("recommendation"):
                self.add_error("recommendation", _("Give your recommendation."))
        return data

    def weighted_total(self) -> Decimal | None:
        """The total as shown before any script runs: computed like
        grants/scoring.py, "not applicable" and blank left out."""
        weighted, weights = Decimal(0), Decimal(0)
        for row in self.rows:
            value = self[row["score"]].value()
            if value in (None, "", NOT_APPLICABLE):
                continue
            try:
                number = Decimal(int(value))
            except (TypeError, ValueError):
                continue
            weighted += row["weight"] * number
            weights += row["weight"]
        if not weights:
            return None
        return (weighted / weights).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def disable(self) -> None:
        for field in self.fields.values():
            field.disabled = True

    def scores(self) -> list[dict]:
        """The scores the service takes: the criteria answered so far."""
        result = []
        for row in self.rows:
            value = self.cleaned_data.get(row["score"])
            if not value:
                continue
            na = value == NOT_APPLICABLE
            result.append(
                {
                    "criterion": row["criterion"],
                    "value": None if na else int(value),
                    "not_applicable": na,
                    "comment": self.cleaned_data.get(row["comment"], "").strip(),
                }
            )
        return result

    def review_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "recommendation": data.get("recommendation") or "",
            "comment_to_applicant": data.get("comment_to_applicant", "").strip(),
            "note_to_committee": data.get("note_to_committee", "").strip(),
        }
