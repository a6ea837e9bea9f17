"""The affiliate dashboard's panels from grants: proposals by state, grant reports
due (see affiliates/dashboard.py)."""

from django.db.models import Count

from affiliates.dashboard import Panel, register

from . import permissions, readers
from .choices import GrantReportStatus, ProposalStatus
from .models import GrantReport, Proposal

OPEN_REPORT_STATUSES = (GrantReportStatus.DRAFT, GrantReportStatus.INCOMPLETE)


@register(order=10)
def proposals(request, affiliate) -> Panel:
    user = request.user
    rows = readers.proposals_for_reader(
        user, Proposal.objects.filter(affiliate=affiliate)
    )
    counts = dict(
        rows.order_by().values_list("status").annotate(n=Count("pk")).values_list(
            "status", "n"
        )
    )
    by_state = [
        (value, label, counts[value])
        for value, label in ProposalStatus.choices
        if counts.get(value)
    ]
    listed = rows.select_related("program", "round").order_by("-updated_at", "-pk")
    return Panel(
        "grants/dashboard/_proposals.html",
        {"by_state": by_state, "proposals": listed[:20], "total": sum(counts.values())},
    )


@register(order=20)
def grant_reports(request, affiliate) -> Panel:
    reports = (
        permissions.visible_grant_reports(
            request.user, GrantReport.objects.filter(proposal__affiliate=affiliate)
        )
        .filter(status__in=OPEN_REPORT_STATUSES)
        .select_related("proposal")
        .order_by("due_date", "pk")
    )
    return Panel("grants/dashboard/_reports.html", {"grant_reports": reports})
