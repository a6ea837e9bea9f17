"""Pages: funded grants, for everyone (see grants/urls.py).

What is shown is what the API shows an anonymous reader of an awarded grant: the
proposals the reader may see (`readers.proposals_for_reader`) in an awarded state,
without the private fields (`readers.PROPOSAL_PRIVATE_FIELDS`: budget lines, internal
dates), and without the applicant where a blind round hides it from this reader.
"""

from collections import defaultdict
from decimal import Decimal

from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from affiliates.models import Affiliate
from portal.paging import CountedPaginator

from .. import funded_figures, permissions, readers
from ..charts import (
    ZERO,
    awarded_usd_by,
    awarded_usd_totals,
    programme_chart,
    region_chart,
)
from ..forms.public import FundedGrantFilterForm
from ..models import FundProgram, Proposal
from ..search import search_proposals

PAGE_SIZE = 20


def funded_grants(user):
    """Awarded grants this reader may see, with what a row shows loaded."""
    queryset = Proposal.objects.select_related("affiliate", "program", "round").filter(
        status__in=permissions.AWARDED_STATUSES
    )
    return readers.proposals_for_reader(user, queryset)


def _public_row(user, proposal) -> dict:
    view = readers.proposal_view(user, proposal)
    return {"grant": proposal, "hide_applicant": view.hide_applicant}


def _site_figures(summary, per_affiliate) -> dict:
    """Count, total and charts of every awarded grant, from the kept site-wide
    figures (grants/funded_figures.py): no awarded grant is read."""
    regions = Affiliate.objects.filter(pk__in=list(per_affiliate)).values_list(
        "pk", "region"
    )
    per_region = defaultdict(lambda: Decimal("0.00"))
    for affiliate_id, region in regions:
        per_region[region] += per_affiliate[affiliate_id][1]
    names = dict(
        FundProgram.objects.filter(pk__in=list(summary.per_program)).values_list(
            "pk", "name"
        )
    )
    per_programme = defaultdict(lambda: Decimal("0.00"))
    for program_id, usd in summary.per_program.items():
        per_programme[names[program_id]] += usd
    return {
        "count": summary.count,
        "total_usd": summary.total_usd,
        "programme_chart": programme_chart(dict(per_programme)),
        "region_chart": region_chart(dict(per_region)),
    }


def _figures_of(user, grants) -> dict:
    """Count, total and charts of the grants found: count, total and programmes in
    one query, regions in another."""
    per_programme = {
        name: figures
        for (name,), figures in awarded_usd_by(grants, ("program__name",)).items()
    }
    findable = permissions.without_blind(user, grants)
    return {
        "count": sum(count for count, _usd in per_programme.values()),
        "total_usd": sum((usd for _count, usd in per_programme.values()), ZERO),
        "programme_chart": programme_chart(
            {name: usd for name, (_count, usd) in per_programme.items()}
        ),
        "region_chart": region_chart(awarded_usd_totals(findable, "affiliate__region")),
    }


def _filtered(user, grants, filters):
    if filters.get("affiliate") or filters.get("q"):
        # Finding grants by their applicant must not reveal whom a blind round hides.
        grants = permissions.without_blind(user, grants)
    if filters.get("q"):
        grants = search_proposals(grants, filters["q"])
    if filters.get("program"):
        grants = grants.filter(program=filters["program"])
    if filters.get("region"):
        grants = grants.filter(affiliate__region=filters["region"])
    if filters.get("year"):
        grants = grants.filter(decided_at__year=filters["year"])
    if filters.get("affiliate"):
        grants = grants.filter(affiliate=filters["affiliate"])
    return grants.order_by("-decided_at", "-id")


@require_GET
def funded(request):
    user = request.user
    grants = funded_grants(user).order_by("-decided_at", "-id")
    # The years and affiliates to filter by do not depend on the filters: from the
    # kept figures (the affiliates less those a blind round hides from this reader).
    summary = funded_figures.site_summary()
    per_affiliate = funded_figures.findable_per_affiliate(user, summary)
    form = FundedGrantFilterForm(
        request.GET or None,
        years=summary.years,
        # Every affiliate with a grant: read as slug and name (forms/public.py).
        affiliates=Affiliate.objects.filter(pk__in=list(per_affiliate)).order_by(
            "name"
        ),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    filtered = any(filters.values())
    if filtered:
        grants = _filtered(user, grants, filters)
        figures = _figures_of(user, grants)
    else:
        figures = _site_figures(summary, per_affiliate)
    paginator = CountedPaginator(grants, PAGE_SIZE, figures["count"])
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "grants/public/funded.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [_public_row(user, grant) for grant in page.object_list],
            "count": figures["count"],
            "total_usd": figures["total_usd"],
            "programme_chart": figures["programme_chart"],
            "region_chart": figures["region_chart"],
            "filtered": filtered,
        },
    )


def _stories_of(request, proposal) -> list:
    """Published learning stories about this grant, with their addresses."""
    from cms.models import LearningStoryPage
    from cms.permissions import visible_stories

    stories = (
        visible_stories(
            request.user, LearningStoryPage.objects.filter(proposal=proposal)
        )
        .select_related("locale")
        .order_by("-date", "-id")[:PAGE_SIZE]
    )
    return [(story, story.get_url(request)) for story in stories]


@require_GET
def grant(request, pk: int):
    user = request.user
    proposal = get_object_or_404(
        funded_grants(user).prefetch_related("target_metrics"), pk=pk
    )
    view = readers.proposal_view(user, proposal)
    return render(
        request,
        "grants/public/grant.html",
        {
            "stories": _stories_of(request, proposal),
            "grant": proposal,
            "hide_applicant": view.hide_applicant,
            "targets": list(proposal.target_metrics.all()),
        },
    )


urlpatterns = [
    path("funded/", funded, name="funded"),
    path("funded/<int:pk>/", grant, name="grant"),
]
