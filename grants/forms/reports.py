"""The grant report editor's form: narrative, actual value per target metric,
spending per budget line (grants/views/reports.py).

The rules live in the models and the service (grants/services/reports.py): the form
only reads them (`SpendingLine.needs_explanation`, the fields' limits) to show them
next to the fields and to place the service's errors beside the right field.
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import GrantReport, MetricResult, SpendingLine


def variance_threshold_percent() -> Decimal:
    threshold = Decimal(str(settings.PORTAL_VARIANCE_EXPLANATION_THRESHOLD))
    percent = threshold * 100
    return percent.quantize(Decimal(1)) if percent == percent.to_integral() else percent


def _model_field(model, name, **kwargs):
    field = model._meta.get_field(name).formfield(**kwargs)
    field.required = False
    return field


class GrantReportForm(forms.Form):
    """One report's editable content. Rows are named by metric and budget line id:
    `actual_<metric>`, `metric_comment_<metric>`, `spent_<line>`,
    `explanation_<line>`."""

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, report: GrantReport, metrics, lines, **kwargs):
        self.report = report
        self.metrics = list(metrics)
        self.lines = list(lines)
        results = {r.metric_id: r for r in report.metric_results.all()}
        spending = {s.budget_line_id: s for s in report.spending.all()}
        initial = {"narrative": report.narrative, "learnings": report.learnings}
        for metric in self.metrics:
            if metric.pk in results:
                initial[f"actual_{metric.pk}"] = results[metric.pk].actual
                initial[f"metric_comment_{metric.pk}"] = results[metric.pk].comment
        for line in self.lines:
            if line.pk in spending:
                initial[f"spent_{line.pk}"] = spending[line.pk].spent
                initial[f"explanation_{line.pk}"] = spending[line.pk].explanation
        kwargs.setdefault("initial", {}).update(initial)
        super().__init__(*args, **kwargs)
        self.fields["narrative"] = _model_field(
            GrantReport,
            "narrative",
            widget=forms.Textarea(attrs={"rows": 8}),
        )
        self.fields["narrative"].help_text = gettext_lazy(
            "Needed before you submit the report."
        )
        self.fields["learnings"] = _model_field(
            GrantReport, "learnings", widget=forms.Textarea(attrs={"rows": 5})
        )
        for metric in self.metrics:
            self.fields[f"actual_{metric.pk}"] = forms.IntegerField(
                label=_("Actual: %(metric)s") % {"metric": metric.label},
                min_value=0,
                max_value=2_147_483_647,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[f"metric_comment_{metric.pk}"] = _model_field(
                MetricResult, "comment", widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"metric_comment_{metric.pk}"].label = _(
                "Comment on %(metric)s"
            ) % {"metric": metric.label}
        threshold = variance_threshold_percent()
        for line in self.lines:
            self.fields[f"spent_{line.pk}"] = forms.DecimalField(
                label=_("Spent on %(line)s") % {"line": line.activity},
                min_value=0,
                max_digits=14,
                decimal_places=2,
                required=False,
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "inputmode": "decimal", "x-ref": "spent"}
                ),
            )
            explanation = _model_field(
                SpendingLine, "explanation", widget=forms.Textarea(attrs={"rows": 2})
            )
            explanation.label = _("Explanation for %(line)s") % {"line": line.activity}
            explanation.help_text = _(
                "Required when the spending differs from the budget by more than "
                "%(threshold)s%%."
            ) % {"threshold": threshold}
            self.fields[f"explanation_{line.pk}"] = explanation

    # Rows for the template ----------------------------------------------------------

    def _value(self, name):
        """The value shown now: what was typed (bound) or the saved one."""
        if self.is_bound:
            if hasattr(self, "cleaned_data") and name in self.cleaned_data:
                return self.cleaned_data[name]
            return None
        return self.initial.get(name)

    def metric_rows(self) -> list[dict]:
        return [
            {
                "metric": metric,
                "actual": self[f"actual_{metric.pk}"],
                "comment": self[f"metric_comment_{metric.pk}"],
            }
            for metric in self.metrics
        ]

    def spending_rows(self) -> list[dict]:
        rows = []
        for line in self.lines:
            spent = self._value(f"spent_{line.pk}")
            row = {
                "line": line,
                "budget": line.total,
                "spent": self[f"spent_{line.pk}"],
                "explanation": self[f"explanation_{line.pk}"],
                "variance": None,
                "variance_percent": None,
                "needs_explanation": False,
            }
            if spent is not None:
                record = SpendingLine(budget_line=line, spent=Decimal(spent))
                row["variance"] = record.variance
                if line.total:
                    row["variance_percent"] = (
                        record.variance / line.total * 100
                    ).quantize(Decimal("0.1"))
                row["needs_explanation"] = record.needs_explanation()
            rows.append(row)
        return rows

    # To the service -------------------------------------------------------------------

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        metric_results = [
            {
                "metric": metric,
                "actual": data[f"actual_{metric.pk}"],
                "comment": data[f"metric_comment_{metric.pk}"] or "",
            }
            for metric in self.metrics
            if data.get(f"actual_{metric.pk}") is not None
        ]
        spending = [
            {
                "budget_line": line,
                "spent": data[f"spent_{line.pk}"],
                "explanation": data[f"explanation_{line.pk}"] or "",
            }
            for line in self.lines
            if data.get(f"spent_{line.pk}") is not None
        ]
        return {
            "narrative": data["narrative"] or "",
            "learnings": data["learnings"] or "",
            "metric_results": metric_results,
            "spending": spending,
        }

    def add_completeness_errors(self, error) -> None:
        """Place the service's "not complete" errors (grant_report_submit) next to
        their fields: the form shows the saved report."""
        messages = getattr(error, "message_dict", {"__all__": error.messages})
        if "narrative" in messages:
            self.add_error("narrative", messages["narrative"])
        results = {r.metric_id for r in self.report.metric_results.all()}
        if "metric_results" in messages:
            for metric in self.metrics:
                if metric.pk not in results:
                    self.add_error(f"actual_{metric.pk}", _("Give the actual value."))
        if "spending" in messages:
            spending = {s.budget_line_id: s for s in self.report.spending.all()}
            threshold = variance_threshold_percent()
            for line in self.lines:
                row = spending.get(line.pk)
                if row is None:
                    self.add_error(f"spent_{line.pk}", _("Give the amount spent."))
                    continue
                row.budget_line = line
                if row.needs_explanation() and not row.explanation.strip():
                    self.add_error(
                        f"explanation_{line.pk}",
                        _(
                            "Explain the difference: it is more than %(threshold)s%% "
                            "of the budget."
                        )
                        % {"threshold": threshold},
                    )
        other = {
            k: v
            for k, v in messages.items()
            if k not in {"narrative", "metric_results", "spending"}
        }
        for values in other.values():
            self.add_error(None, values)


def saved_report_form(*, report, metrics, lines, version="") -> GrantReportForm:
    """The form bound to what is saved, validated: ready for the service's errors."""
    unbound = GrantReportForm(report=report, metrics=metrics, lines=lines)
    data = {
        name: "" if value is None else str(value)
        for name, value in unbound.initial.items()
    }
    data["version"] = version
    form = GrantReportForm(data, report=report, metrics=metrics, lines=lines)
    form.is_valid()
    return form
