"""The staff form that accepts or sends back a report: the same for grant reports
and annual reports (see portal/report_review.py). Rendered by
portal/templates/report_review/_form.html on each report's page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import limits
from .errors import answer_for
from .exceptions import StaleRecord, TransitionNotAllowed
from .report_review import ACCEPT, SEND_BACK
from .versions import check_version


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


def apply_review(request, form: ReportReviewForm, report, *, accept, send_back):
    """Carry out the review a bound form asks for, through the report kind's
    `accept` or `send_back` service, checking the version the page showed.

    Returns None when it is done (a success message is queued), otherwise the HTTP
    status to answer with; the reasons are then on the form, next to the field."""
    if not form.is_valid():
        return 400
    data = form.cleaned_data
    service = accept if data["decision"] == ACCEPT else send_back
    try:
        with transaction.atomic():  # a savepoint: a refusal undoes only this
            check_version(report, data["version"])
            service(actor=request.user, report=report, reason=data["reason"])
    except StaleRecord as stale:
        form.add_error(None, str(stale))
        return 412
    except ValidationError as error:
        for text in answer_for(error).summary:
            form.add_error("reason", text)
        return 400
    except TransitionNotAllowed as error:
        form.add_error(None, str(error.message))
        return 409
    if data["decision"] == ACCEPT:
        messages.success(request, gettext("The report is accepted."))
    else:
        messages.success(request, gettext("The report is sent back to the affiliate."))
    return None
