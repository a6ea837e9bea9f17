"""The affiliate dashboard's panels from grants: proposals by state, grant reports
due (see affiliates/dashboard.py)."""

from collections import Counter

from affiliates.dashboard import Panel

from . import permissions
from .choices import GrantReportStatus, ProposalStatus
from .models import GrantReport, Proposal

LISTED = 20
OPEN_REPORT_STATUSES = (GrantReportStatus.DRAFT, GrantReportStatus.INCOMPLETE)


def proposals(request, affiliate) -> Panel:
    """Counts by state and the latest proposals, in one query (the dashboard is for
    the affiliate's members, who see their proposals whole)."""
    rows = list(
        permissions.visible_proposals(
            request.user, Proposal.objects.filter(affiliate=affiliate)
        )
        .select_related("program")
        .only("pk", "title", "status", "updated_at", "program__name")
        .order_by("-updated_at", "-pk")
    )
    counts = Counter(row.status for row in rows)
    by_state = [
        (value, label, counts[value])
        for value, label in ProposalStatus.choices
        if counts.get(value)
    ]
    return Panel(
        "grants/dashboard/_proposals.html",
        {"by_state": by_state, "proposals": rows[:LISTED], "total": len(rows)},
    )


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
