"""Pages: funded grants, for everyone (see grants/urls.py).

What is shown is what the API shows an anonymous reader of an awarded grant: the
proposals the reader may see (`readers.proposals_for_reader`) in an awarded state,
without the private fields (`readers.PROPOSAL_PRIVATE_FIELDS`: budget lines, internal
dates), and without the applicant where a blind round hides it from this reader.
"""

from decimal import Decimal

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from affiliates.models import Affiliate

from .. import permissions, readers
from ..charts import awarded_per_programme, awarded_per_region, awarded_usd_totals
from ..forms.public import FundedGrantFilterForm
from ..models import Proposal
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


def _total_usd(queryset) -> Decimal:
    """The USD total of the filtered set in one query: approved amounts (requested
    where no amount was set yet) at each grant's frozen rate."""
    return sum(awarded_usd_totals(queryset, "status").values(), Decimal("0.00"))


@require_GET
def funded(request):
    user = request.user
    grants = funded_grants(user)
    years = sorted(
        {d.year for d in grants.order_by().datetimes("decided_at", "year")},
        reverse=True,
    )
    findable = permissions.without_blind(user, grants)
    affiliates = Affiliate.objects.filter(
        pk__in=findable.order_by().values("affiliate")
    ).order_by("name")
    form = FundedGrantFilterForm(
        request.GET or None, years=years, affiliates=affiliates
    )
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("affiliate") or filters.get("q"):
        # Finding grants by their applicant must not reveal whom a blind round hides.
        grants = findable
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
    grants = grants.order_by("-decided_at", "-id")
    page = Paginator(grants, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "grants/public/funded.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [_public_row(user, grant) for grant in page.object_list],
            "count": page.paginator.count,
            "total_usd": _total_usd(grants),
            "programme_chart": awarded_per_programme(grants),
            "region_chart": awarded_per_region(permissions.without_blind(user, grants)),
            "filtered": bool(filters and any(filters.values())),
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
