import django_filters
from rest_framework.filters import SearchFilter

from portal.api.filters import BoundedNumberFilter, PortalFilterSet

from ..models import (
    FundProgram,
    GrantReport,
    InterestDeclaration,
    Proposal,
    ProposalDeclaration,
    Round,
)
from ..search import is_postgresql, search_proposals


class FundProgramFilter(PortalFilterSet):
    class Meta:
        model = FundProgram
        fields = ["is_active"]


class RoundFilter(PortalFilterSet):
    open_on = django_filters.DateFilter(method="filter_open_on")

    class Meta:
        model = Round
        fields = ["program"]

    def filter_open_on(self, queryset, name, value):
        return queryset.filter(opens_on__lte=value, closes_on__gte=value)


class ProposalFilter(PortalFilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Proposal._meta.get_field("status").choices
    )
    start_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    start_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")
    end_after = django_filters.DateFilter(field_name="end_date", lookup_expr="gte")
    end_before = django_filters.DateFilter(field_name="end_date", lookup_expr="lte")
    decided_after = django_filters.DateFilter(
        field_name="decided_at", lookup_expr="date__gte"
    )
    decided_before = django_filters.DateFilter(
        field_name="decided_at", lookup_expr="date__lte"
    )

    class Meta:
        model = Proposal
        fields = ["affiliate", "program", "round", "language", "currency"]


class GrantReportFilter(PortalFilterSet):
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    affiliate = BoundedNumberFilter(field_name="proposal__affiliate")

    class Meta:
        model = GrantReport
        fields = ["proposal", "kind", "status"]


class InterestDeclarationFilter(PortalFilterSet):
    class Meta:
        model = InterestDeclaration
        fields = ["year", "user", "no_interests"]


class ProposalDeclarationFilter(PortalFilterSet):
    class Meta:
        model = ProposalDeclaration
        fields = ["proposal", "user", "has_conflict", "conflict_type"]


class ProposalSearchFilter(SearchFilter):
    """`search=`: on PostgreSQL, the words of the title and summary through their
    full-text index, or the applicant's name (grants.search); elsewhere DRF's
    substring search over the view's `search_fields`."""

    def filter_queryset(self, request, queryset, view):
        text = request.query_params.get(self.search_param, "")
        if not text.strip() or not is_postgresql(queryset):
            return super().filter_queryset(request, queryset, view)
        return search_proposals(queryset, text)
