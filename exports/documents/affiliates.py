"""Compliance summaries: one affiliate in detail, or every affiliate for staff."""

from django.db.models import Count, Min, Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from affiliates.choices import ComplianceStatus
from affiliates.models import Affiliate, AffiliateReport, Deferment

from .base import Document, doc_meta


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def compliance_document(user, affiliate_id: int, language: str) -> Document:
    today = timezone.localdate()
    overdue_ids = set(
        AffiliateReport.objects.overdue(today)
        .filter(affiliate_id=affiliate_id)
        .values_list("pk", flat=True)
    )
    affiliate = (
        Affiliate.objects.with_compliance(today)
        .prefetch_related(
            Prefetch(
                "annual_reports",
                queryset=AffiliateReport.objects.order_by("-fiscal_year", "kind"),
            ),
            Prefetch("deferments", queryset=Deferment.objects.order_by("-valid_from")),
        )
        .get(pk=affiliate_id)
    )
    with translation.override(language):
        title = _("Compliance summary")
        context = {
            "doc": doc_meta(
                title=title, reference=affiliate.name, language=language, actor=user
            ),
            "as_of": _date(today),
            "affiliate": {
                "name": affiliate.name,
                "type": affiliate.get_type_display(),
                "country": affiliate.country,
                "status": affiliate.get_status_display(),
                "compliance": str(ComplianceStatus(affiliate.compliance).label),
                "compliant": affiliate.compliance
                in (ComplianceStatus.COMPLIANT, ComplianceStatus.DEFERRED),
            },
            "reports": [
                {
                    "fiscal_year": r.fiscal_year,
                    "kind": r.get_kind_display(),
                    "due_date": _date(r.due_date),
                    "status": r.get_status_display(),
                    "submitted_at": _date(r.submitted_at),
                    "overdue": r.pk in overdue_ids,
                }
                for r in affiliate.annual_reports.all()
            ],
            "deferments": [
                {
                    "cause": d.get_cause_display(),
                    "valid_from": _date(d.valid_from),
                    "until": _date(d.until),
                    "explanation": d.explanation,
                }
                for d in affiliate.deferments.all()
            ],
        }
    return Document(
        template="exports/compliance.html",
        context=context,
        title=f"{title}: {affiliate.name}",
        filename=f"compliance-{affiliate.slug}.pdf",
        language=language,
        reference=affiliate.name,
    )


def all_compliance_document(user, language: str) -> Document:
    today = timezone.localdate()
    overdue = AffiliateReport.objects.overdue(today)
    affiliates = (
        Affiliate.objects.with_compliance(today)
        .annotate(
            overdue_count=Count(
                "annual_reports",
                filter=Q(annual_reports__in=overdue.values("pk")),
                distinct=True,
            ),
            next_due=Min(
                "annual_reports__due_date",
                filter=Q(
                    annual_reports__due_date__gte=today,
                    annual_reports__submitted_at=None,
                ),
            ),
        )
        .order_by("name")
    )
    with translation.override(language):
        title = _("Compliance of all affiliates")
        rows = [
            {
                "name": a.name,
                "type": a.get_type_display(),
                "country": a.country,
                "compliance": str(ComplianceStatus(a.compliance).label),
                "compliant": a.compliance
                in (ComplianceStatus.COMPLIANT, ComplianceStatus.DEFERRED),
                "overdue": a.overdue_count,
                "next_due": _date(a.next_due),
            }
            for a in affiliates
        ]
        counts = {}
        for row in rows:
            counts[row["compliance"]] = counts.get(row["compliance"], 0) + 1
        context = {
            "doc": doc_meta(title=title, language=language, actor=user),
            "as_of": _date(today),
            "rows": rows,
            "counts": sorted(counts.items()),
        }
    return Document(
        template="exports/compliance_all.html",
        context=context,
        title=title,
        filename=f"compliance-{today:%Y-%m-%d}.pdf",
        language=language,
    )
