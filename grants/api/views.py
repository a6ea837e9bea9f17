from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.exceptions import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.response import Response

from portal.api.base import (
    CHANGE_REASON_HELP,
    ActionSerializer,
    RequiredReasonActionSerializer,
    pop_reason,
)
from portal.api.filters import PortalOrderingFilter
from portal.api.history import HistoryMixin
from portal.api.views import ReportActionsMixin, ServiceViewSetMixin

from .. import committee, permissions, readers
from ..models import (
    BudgetLine,
    Decision,
    FundProgram,
    GrantReport,
    InterestDeclaration,
    MetricResult,
    Proposal,
    ProposalDeclaration,
    Review,
    Round,
    Rubric,
    SpendingLine,
)
from ..services import coi, decisions, programs, proposals, reports
from . import decisions as decisions_api
from .filters import (
    FundProgramFilter,
    GrantReportFilter,
    InterestDeclarationFilter,
    ProposalDeclarationFilter,
    ProposalFilter,
    ProposalSearchFilter,
    RoundFilter,
)
from .reviews import ReviewSerializer, reviews_queryset
from .serializers import (
    FundProgramSerializer,
    GrantReportSerializer,
    InterestDeclarationSerializer,
    ProposalConditionalDecisionSerializer,
    ProposalDecisionSerializer,
    ProposalDeclarationSerializer,
    ProposalSerializer,
    RoundSerializer,
)


class FundProgramViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Fund programs with their amount bounds, report rules and current rubric."""

    serializer_class = FundProgramSerializer
    filterset_class = FundProgramFilter
    search_fields = ["name"]
    ordering_fields = ["name", "min_amount_usd"]
    ordering = ["name"]
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly]
    history_permission = staticmethod(permissions.can_view_staff_record_history)
    service_object_name = "program"
    create_service = staticmethod(programs.program_create)
    update_service = staticmethod(programs.program_update)
    create_permission = staticmethod(permissions.can_manage_programs)
    update_permission = staticmethod(permissions.can_manage_programs)

    def get_queryset(self):
        return FundProgram.objects.prefetch_related(
            Prefetch("rubrics", queryset=Rubric.objects.prefetch_related("criteria"))
        )


class RoundViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    search_fields = ["name"]
    ordering_fields = ["opens_on", "closes_on", "name"]
    ordering = ["-opens_on", "name"]
    queryset = Round.objects.select_related("program", "rubric").prefetch_related(
        "rubric__criteria"
    )
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly]
    history_permission = staticmethod(permissions.can_view_staff_record_history)
    service_object_name = "round"
    create_service = staticmethod(programs.round_create)
    update_service = staticmethod(programs.round_update)
    create_permission = staticmethod(permissions.can_manage_programs)
    update_permission = staticmethod(permissions.can_manage_programs)

    @extend_schema(responses=decisions_api.RankingSerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def ranking(self, request, pk=None):
        """Proposals by weighted score; recused rows without numbers (committee)."""
        if not request.user.is_authenticated:
            raise NotAuthenticated
        data = committee.round_ranking(request.user, self.get_object())
        return Response(decisions_api.RankingSerializer(data).data)


def _transition_action(name: str, service, body=ActionSerializer):
    """A POST action `/proposals/{id}/<name>/` that runs one transition service."""

    def view(self, request, pk=None):
        return self.run_service_action(request, service, body)

    # DRF maps the HTTP method to the function's name: set it before decorating.
    view.__name__ = name
    view.__doc__ = service.__doc__
    view = extend_schema(request=body, responses=ProposalSerializer)(view)
    return action(
        detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name
    )(view)


class ProposalViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    viewsets.ModelViewSet,
):
    """Grant proposals. Budget lines and target metrics are written with the proposal.

    State changes are POST actions; the `allowed_actions` field lists those the reader
    may take now. A forbidden transition answers 409 and changes nothing.
    """

    serializer_class = ProposalSerializer
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly]
    filterset_class = ProposalFilter
    filter_backends = [
        DjangoFilterBackend,
        ProposalSearchFilter,
        PortalOrderingFilter,
    ]
    search_fields = ["title", "summary", "affiliate__name"]
    ordering_fields = [
        "title",
        "start_date",
        "end_date",
        "amount_requested",
        "decided_at",
        "id",
    ]
    ordering = ["-id"]
    service_object_name = "proposal"
    create_service = staticmethod(proposals.proposal_create)
    update_service = staticmethod(proposals.proposal_update)
    history_permission = staticmethod(permissions.can_view_proposal_history)

    def get_queryset(self):
        queryset = Proposal.objects.select_related("round").prefetch_related(
            "target_metrics",
            Prefetch(
                "budget_lines", queryset=BudgetLine.objects.select_related("proposal")
            ),
        )
        return readers.proposals_for_reader(self.request.user, queryset)

    def count_rows(self) -> int | None:
        """The list's total, counted part by part (permissions.count_visible_proposals):
        a member may read most proposals of the movement, and counting them through
        the whole rule read the table on every page asked for. Other actions' pages
        (history) count themselves."""
        if self.action != "list":
            return None
        return permissions.count_visible_proposals(
            self.request.user, self.filter_queryset(Proposal.objects.all())
        )

    def filter_queryset(self, queryset):
        params = self.request.query_params
        if "affiliate" in params or params.get("search"):
            queryset = permissions.without_blind(self.request.user, queryset)
        return super().filter_queryset(queryset)

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter("change_reason", str, description=str(CHANGE_REASON_HELP))
        ],
    )
    def destroy(self, request, *args, **kwargs):
        """Delete a draft (affiliate admins). Its history is kept."""
        proposals.proposal_delete(
            actor=request.user,
            proposal=self.get_object(),
            reason=request.query_params.get("change_reason", ""),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=ReviewSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def reviews(self, request, pk=None):
        """The reviews of this proposal that the reader may see."""
        proposal = self.get_object()
        queryset = reviews_queryset(
            request.user, Review.objects.filter(proposal=proposal)
        )
        context = {
            **self.get_serializer_context(),
            "committee_ids": readers.committee_proposal_ids(
                request.user, Proposal.objects.filter(pk=proposal.pk)
            ),
        }
        return Response(ReviewSerializer(queryset, many=True, context=context).data)

    @extend_schema(responses=decisions_api.RecusalRecordSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def recusals(self, request, pk=None):
        """Who is recused from this proposal, and why (staff and the committee)."""
        proposal = self.get_object()
        if not permissions.has_committee_access(request.user, proposal):
            raise PermissionDenied
        data = committee.recused_members(request.user, proposal)
        return Response(decisions_api.RecusalRecordSerializer(data, many=True).data)

    @extend_schema(
        methods=["GET"], request=None, responses=decisions_api.DecisionSerializer
    )
    @extend_schema(
        methods=["POST"],
        request=decisions_api.DecisionInputSerializer,
        responses=decisions_api.DecisionSerializer,
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def decision(self, request, pk=None):
        """GET the decision; POST records it with the committee's vote (staff)."""
        proposal = self.get_object()
        if request.method == "POST":
            if not permissions.can_manage_reviews(request.user):
                raise PermissionDenied
            body = decisions_api.DecisionInputSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = dict(body.validated_data)
            reason = pop_reason(data)
            people = get_user_model().objects.in_bulk(
                [vote["member"] for vote in data["votes"]]
            )
            missing = [v["member"] for v in data["votes"] if v["member"] not in people]
            if missing:
                raise ValidationError(
                    {"votes": [_("Unknown member %(id)s.") % {"id": missing[0]}]}
                )
            data["votes"] = [
                {"member": people[v["member"]], "choice": v["choice"]}
                for v in data["votes"]
            ]
            decisions.decision_record(
                actor=request.user, proposal=proposal, reason=reason, **data
            )
        if not permissions.can_view_decision(request.user, proposal):
            raise NotFound
        decision = (
            Decision.objects.filter(proposal=proposal)
            .select_related("proposal__round")
            .prefetch_related("votes__member__profile")
            .first()
        )
        if decision is None:
            raise NotFound
        return Response(
            decisions_api.DecisionSerializer(
                decision, context=self.get_serializer_context()
            ).data
        )

    submit = _transition_action("submit", proposals.proposal_submit)
    start_eligibility_check = _transition_action(
        "start_eligibility_check", proposals.proposal_start_eligibility_check
    )
    start_community_review = _transition_action(
        "start_community_review", proposals.proposal_start_community_review
    )
    start_committee_review = _transition_action(
        "start_committee_review", proposals.proposal_start_committee_review
    )
    approve = _transition_action(
        "approve", proposals.proposal_approve, ProposalDecisionSerializer
    )
    approve_with_conditions = _transition_action(
        "approve_with_conditions",
        proposals.proposal_approve_with_conditions,
        ProposalConditionalDecisionSerializer,
    )
    decline = _transition_action(
        "decline", proposals.proposal_decline, RequiredReasonActionSerializer
    )
    send_back = _transition_action(
        "send_back", proposals.proposal_send_back, RequiredReasonActionSerializer
    )
    fund = _transition_action("fund", proposals.proposal_fund)
    start_reporting = _transition_action(
        "start_reporting", proposals.proposal_start_reporting
    )
    close = _transition_action("close", proposals.proposal_close)
    withdraw = _transition_action("withdraw", proposals.proposal_withdraw)


class GrantReportViewSet(
    ReportActionsMixin,
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Interim, yearly and final grant reports, scheduled when a grant is funded."""

    serializer_class = GrantReportSerializer
    filterset_class = GrantReportFilter
    search_fields = ["proposal__title", "narrative"]
    ordering_fields = ["due_date", "submitted_at", "id"]
    ordering = ["due_date", "id"]
    service_object_name = "report"
    update_service = staticmethod(reports.grant_report_update)
    submit_service = staticmethod(reports.grant_report_submit)
    accept_service = staticmethod(reports.grant_report_accept)
    send_back_service = staticmethod(reports.grant_report_send_back)
    history_permission = staticmethod(permissions.can_view_grant_report)

    def get_queryset(self):
        # A list shows the proposal's id only: its row (with the long texts) is
        # read for one report's checks, not for fifty.
        queryset = GrantReport.objects.prefetch_related(
            Prefetch(
                "metric_results", queryset=MetricResult.objects.select_related("metric")
            ),
            Prefetch(
                "spending", queryset=SpendingLine.objects.select_related("budget_line")
            ),
        )
        if self.action != "list":
            queryset = queryset.select_related("proposal")
        return permissions.visible_grant_reports(self.request.user, queryset)


class InterestDeclarationViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Yearly declarations of interests: seen by the declarant and staff only."""

    serializer_class = InterestDeclarationSerializer
    filterset_class = InterestDeclarationFilter
    ordering_fields = ["year", "signed_at"]
    ordering = ["-year", "id"]
    history_permission = staticmethod(permissions.can_view_declaration)
    service_object_name = "declaration"
    create_service = staticmethod(coi.interest_declaration_create)
    update_service = staticmethod(coi.interest_declaration_update)

    def get_queryset(self):
        return permissions.visible_declarations(
            self.request.user,
            InterestDeclaration.objects.select_related(
                "user__profile"
            ).prefetch_related("interests"),
        )


class ProposalDeclarationViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Per-proposal conflict-of-interest declarations: the declarant and staff."""

    serializer_class = ProposalDeclarationSerializer
    filterset_class = ProposalDeclarationFilter
    ordering_fields = ["declared_at", "id"]
    ordering = ["-declared_at", "id"]
    history_permission = staticmethod(permissions.can_view_declaration)
    service_object_name = "declaration"
    create_service = staticmethod(coi.proposal_declaration_create)
    update_service = staticmethod(coi.proposal_declaration_update)

    def get_queryset(self):
        return permissions.visible_declarations(
            self.request.user,
            ProposalDeclaration.objects.select_related("user__profile"),
        )
