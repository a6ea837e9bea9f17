import django_filters
from django.db.models import Q

from portal.api.filters import PortalFilterSet

from ..choices import ComplianceStatus
from ..models import Affiliate, AffiliateReport, Deferment, Membership
from ..permissions import is_staff, member_affiliate_ids


class AffiliateFilter(PortalFilterSet):
    compliance = django_filters.ChoiceFilter(
        choices=ComplianceStatus.choices,
        method="filter_compliance",
        help_text="Staff: any affiliate. Members: only among their own affiliates.",
    )

    class Meta:
        model = Affiliate
        fields = ["type", "country", "region", "status"]

    def filter_compliance(self, queryset, name, value):
        user = self.request.user
        if not is_staff(user):
            # Compliance is private: never let it be probed for others' affiliates.
            queryset = queryset.filter(pk__in=member_affiliate_ids(user))
        return queryset.filter(compliance=value)


class MembershipFilter(PortalFilterSet):
    class Meta:
        model = Membership
        fields = ["affiliate", "status", "role", "is_board"]


class AffiliateReportFilter(PortalFilterSet):
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")

    class Meta:
        model = AffiliateReport
        fields = ["affiliate", "fiscal_year", "kind", "status"]


class DefermentFilter(PortalFilterSet):
    active_on = django_filters.DateFilter(method="filter_active_on")

    class Meta:
        model = Deferment
        fields = ["affiliate", "cause"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(Q(valid_from__lte=value) & Q(until__gte=value))
