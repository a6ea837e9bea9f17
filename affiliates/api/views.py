import datetime

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from portal.api.base import ActionSerializer
from portal.api.history import HistoryMixin
from portal.api.views import ReportActionsMixin, ServiceViewSetMixin

from .. import permissions, services
from ..models import Affiliate, AffiliateReport, Deferment, Membership
from .filters import (
    AffiliateFilter,
    AffiliateReportFilter,
    DefermentFilter,
    MembershipFilter,
)
from .serializers import (
    AffiliateReportSerializer,
    AffiliateSerializer,
    DefermentSerializer,
    MembershipDecisionSerializer,
    MembershipSerializer,
)

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="Compute compliance as of this date (default: today).",
)


def _parse_as_of(request) -> datetime.date | None:
    raw = request.query_params.get("as_of")
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({"as_of": _("Enter a date as YYYY-MM-DD.")})
    return value


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF]), retrieve=extend_schema(parameters=[AS_OF])
)
class AffiliateViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The affiliate directory: public profiles; compliance for members and staff."""

    serializer_class = AffiliateSerializer
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly]
    filterset_class = AffiliateFilter
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "recognition_date", "country", "type"]
    ordering = ["name"]
    history_permission = staticmethod(permissions.can_view_affiliate_private)
    service_object_name = "affiliate"
    create_service = staticmethod(services.affiliate_create)
    create_permission = staticmethod(permissions.can_create_affiliate)
    update_service = staticmethod(services.affiliate_update)

    def get_queryset(self):
        return Affiliate.objects.with_compliance(_parse_as_of(self.request))


class MembershipViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Memberships. POST here asks to join an affiliate; an admin or staff approves."""

    serializer_class = MembershipSerializer
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly]
    filterset_class = MembershipFilter
    ordering_fields = ["requested_at", "decided_at"]
    ordering = ["affiliate__name", "id"]
    service_object_name = "membership"
    create_service = staticmethod(services.membership_request)
    history_permission = staticmethod(permissions.can_view_membership_history)

    def get_queryset(self):
        return permissions.visible_memberships(
            self.request.user,
            Membership.objects.select_related("user__profile", "affiliate"),
        )

    @extend_schema(request=MembershipDecisionSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Let a pending requester in, with a role (affiliate admins and staff)."""
        return self.run_service_action(
            request, services.membership_approve, MembershipDecisionSerializer
        )

    @extend_schema(request=ActionSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.run_service_action(request, services.membership_reject)

    @extend_schema(request=MembershipDecisionSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"], url_path="set-role")
    def set_role(self, request, pk=None):
        return self.run_service_action(
            request, services.membership_change_role, MembershipDecisionSerializer
        )

    @extend_schema(request=ActionSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """End a membership: an admin removes someone, or a person leaves."""
        return self.run_service_action(request, services.membership_remove)


class AffiliateReportViewSet(
    ReportActionsMixin,
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Annual activity and financial reports, scheduled from the reporting rules."""

    serializer_class = AffiliateReportSerializer
    filterset_class = AffiliateReportFilter
    search_fields = ["affiliate__name", "summary"]
    ordering_fields = ["due_date", "fiscal_year", "submitted_at"]
    ordering = ["-fiscal_year", "affiliate__name", "kind"]
    service_object_name = "report"
    update_service = staticmethod(services.affiliate_report_update)
    submit_service = staticmethod(services.affiliate_report_submit)
    accept_service = staticmethod(services.affiliate_report_accept)
    send_back_service = staticmethod(services.affiliate_report_send_back)
    history_permission = staticmethod(permissions.can_view_affiliate_record)

    def get_queryset(self):
        return permissions.visible_affiliate_reports(
            self.request.user, AffiliateReport.objects.all()
        )


class DefermentViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Deferments of annual reporting, granted by staff."""

    serializer_class = DefermentSerializer
    filterset_class = DefermentFilter
    ordering_fields = ["valid_from", "until"]
    ordering = ["-valid_from"]
    history_permission = staticmethod(permissions.can_view_affiliate_record)
    service_object_name = "deferment"
    create_service = staticmethod(services.deferment_grant)
    update_service = staticmethod(services.deferment_update)
    create_permission = staticmethod(permissions.can_manage_deferments)
    update_permission = staticmethod(permissions.can_manage_deferments)

    def get_queryset(self):
        return permissions.visible_deferments(
            self.request.user, Deferment.objects.select_related("granted_by__profile")
        )
