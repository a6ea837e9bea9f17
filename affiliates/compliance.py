"""Today's compliance of an affiliate and why, in words: the dashboard, the staff
compliance overview and the eligibility check all show it the same way."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .choices import ComplianceStatus
from .models import Affiliate, AffiliateReport, Deferment

COMPLIANCE_TONES = {
    ComplianceStatus.COMPLIANT: "success",
    ComplianceStatus.DEFERRED: "info",
    ComplianceStatus.PAST_DUE: "danger",
    ComplianceStatus.SUSPENDED: "danger",
}


@dataclass(frozen=True)
class Compliance:
    status: str
    label: str
    tone: str
    reason: str


def compliance_of(
    affiliate: Affiliate, *, deferment: Deferment | None = None, overdue=None
) -> Compliance:
    """Today's compliance (the QuerySet's annotation) and why, in words.

    A list page passes the current `deferment` and the `overdue` reports it loaded
    for all its rows at once; otherwise they are read here.
    """
    today = timezone.localdate()
    status = ComplianceStatus(affiliate.compliance)
    if status == ComplianceStatus.SUSPENDED:
        reason = _("The affiliate's status is: %(status)s.") % {
            "status": affiliate.get_status_display()
        }
    elif status == ComplianceStatus.DEFERRED:
        deferment = deferment or (
            Deferment.objects.filter(
                affiliate=affiliate, valid_from__lte=today, until__gte=today
            )
            .order_by("-until")
            .first()
        )
        reason = _("Reporting is deferred until %(date)s. Cause: %(cause)s.") % {
            "date": date_format(deferment.until),
            "cause": deferment.get_cause_display(),
        }
    elif status == ComplianceStatus.PAST_DUE:
        if overdue is None:
            overdue = list(
                AffiliateReport.objects.overdue(today)
                .filter(affiliate=affiliate)
                .order_by("due_date")
            )
        reason = _("Past due: %(reports)s.") % {
            "reports": "; ".join(
                _("%(report)s for fiscal year %(year)s, due %(due)s")
                % {
                    "report": report.get_kind_display(),
                    "year": report.fiscal_year,
                    "due": date_format(report.due_date),
                }
                for report in overdue
            )
        }
    else:
        reason = _("Every required report is in on time.")
    return Compliance(status.value, str(status.label), COMPLIANCE_TONES[status], reason)
