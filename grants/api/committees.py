"""API for committees, their seats, reviewer assignments and staff-recorded recusals."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from portal.api.base import ChangeReasonField
from portal.api.filters import PortalFilterSet
from portal.api.history import HistoryMixin
from portal.api.views import ServiceViewSetMixin
from portal.users import UserSummarySerializer

from .. import permissions
from ..models import Committee, CommitteeMember, Recusal, ReviewerAssignment, Round
from ..services import committees as services


class CommitteeSerializer(serializers.ModelSerializer):
    change_reason = ChangeReasonField()

    class Meta:
        model = Committee
        fields = ["id", "name", "program", "region", "quorum", "change_reason"]


class CommitteeMemberSerializer(serializers.ModelSerializer):
    member = UserSummarySerializer(source="user", read_only=True)
    change_reason = ChangeReasonField()

    class Meta:
        model = CommitteeMember
        fields = [
            "id",
            "committee",
            "user",
            "member",
            "is_voting",
            "is_active",
            "change_reason",
        ]
        extra_kwargs = {"user": {"write_only": True}}
        validators = []


class AssignmentSerializer(serializers.ModelSerializer):
    reviewer_name = UserSummarySerializer(source="reviewer", read_only=True)
    change_reason = ChangeReasonField()

    class Meta:
        model = ReviewerAssignment
        fields = [
            "id",
            "proposal",
            "reviewer",
            "reviewer_name",
            "assigned_at",
            "change_reason",
        ]
        read_only_fields = ["assigned_at"]
        validators = []


class BulkAssignmentSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reviewers_per_proposal = serializers.IntegerField(min_value=1, max_value=50)
    change_reason = ChangeReasonField()


class RecusalSerializer(serializers.ModelSerializer):
    change_reason = ChangeReasonField()

    class Meta:
        model = Recusal
        fields = [
            "id",
            "proposal",
            "user",
            "conflict_type",
            "explanation",
            "recorded_at",
            "change_reason",
        ]
        read_only_fields = ["recorded_at"]
        validators = []


class StaffWriteViewSet(HistoryMixin, ServiceViewSetMixin, viewsets.ModelViewSet):
    """Staff write; the queryset decides who reads."""

    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    history_permission = staticmethod(permissions.can_view_staff_record_history)
    create_permission = staticmethod(permissions.can_manage_reviews)
    update_permission = staticmethod(permissions.can_manage_reviews)


class CommitteeViewSet(StaffWriteViewSet):
    serializer_class = CommitteeSerializer
    ordering = ["name"]
    service_object_name = "committee"
    create_service = staticmethod(services.committee_create)
    update_service = staticmethod(services.committee_update)

    def get_queryset(self):
        return permissions.visible_committees(
            self.request.user, Committee.objects.all()
        )


class CommitteeMemberFilter(PortalFilterSet):
    class Meta:
        model = CommitteeMember
        fields = ["committee", "is_voting", "is_active"]


class CommitteeMemberViewSet(StaffWriteViewSet):
    serializer_class = CommitteeMemberSerializer
    filterset_class = CommitteeMemberFilter
    ordering = ["committee", "id"]
    service_object_name = "member"
    create_service = staticmethod(services.committee_member_add)
    update_service = staticmethod(services.committee_member_update)

    def get_queryset(self):
        return permissions.visible_committee_members(
            self.request.user, CommitteeMember.objects.select_related("user__profile")
        )


class AssignmentFilter(PortalFilterSet):
    class Meta:
        model = ReviewerAssignment
        fields = ["proposal", "reviewer", "proposal__round"]


class AssignmentViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Reviewer assignments: staff assign; reviewers see their own."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering = ["proposal", "id"]
    history_permission = staticmethod(permissions.can_view_staff_record_history)
    create_service = staticmethod(services.assignment_create)
    create_permission = staticmethod(permissions.can_manage_reviews)

    def get_queryset(self):
        return permissions.visible_assignments(
            self.request.user,
            ReviewerAssignment.objects.select_related("reviewer__profile"),
        )

    @extend_schema(
        request=BulkAssignmentSerializer, responses=AssignmentSerializer(many=True)
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Assign N reviewers to every proposal of a round, balancing the load."""
        if not permissions.can_manage_reviews(request.user):
            self.permission_denied(request)
        body = BulkAssignmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        round_ = Round.objects.filter(pk=body.validated_data["round"]).first()
        if round_ is None:
            raise NotFound
        created = services.assignments_bulk(
            actor=request.user,
            round=round_,
            reviewers_per_proposal=body.validated_data["reviewers_per_proposal"],
            reason=body.validated_data.get("change_reason", ""),
        )
        return Response(AssignmentSerializer(created, many=True).data, status=201)


class RecusalViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Recusals recorded by staff (declared and automatic ones are computed)."""

    serializer_class = RecusalSerializer
    ordering = ["proposal", "id"]
    history_permission = staticmethod(permissions.can_view_staff_record_history)
    create_service = staticmethod(services.recusal_create)
    create_permission = staticmethod(permissions.can_manage_reviews)

    def get_queryset(self):
        return permissions.visible_recusals(self.request.user, Recusal.objects.all())
