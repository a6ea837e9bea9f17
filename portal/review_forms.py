"""The staff form that accepts or sends back a report: the same for grant reports
and annual reports (see portal/report_review.py). Rendered by
portal/templates/report_review/_form.html on each report's page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import limits
from .report_review import ACCEPT, SEND_BACK


class ReportReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            (ACCEPT, _("Accept the report")),
            (SEND_BACK, _("Send it back to the affiliate")),
        ],
        widget=forms.RadioSelect,
    )
    # Required to send back: the service says so, and its words go next to the field.
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The affiliate reads it. To send the report back, say what is missing."
        ),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
