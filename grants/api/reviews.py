"""API for committees, assignments, recusals, reviews, ranking, decisions, comments."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.response import Response

from affiliates.permissions import is_staff
from portal.api.base import ChangeReasonField, RequiredReasonActionSerializer
from portal.api.filters import PortalFilterSet
from portal.api.history import HistoryMixin
from portal.api.views import ServiceViewSetMixin
from portal.users import UserSummarySerializer

from .. import committee, permissions
from ..choices import ConflictType, VoteChoice
from ..models import (
    Committee,
    CommitteeMember,
    Decision,
    Proposal,
    ProposalComment,
    Recusal,
    Review,
    ReviewerAssignment,
    RubricCriterion,
    Score,
)
from ..services import reviews as services

# Committees and assignments ---------------------------------------------------------


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
    history_permission = staticmethod(lambda user, obj: is_staff(user))


class CommitteeViewSet(StaffWriteViewSet):
    serializer_class = CommitteeSerializer
    ordering = ["name"]
    service_object_name = "committee"
    create_service = staticmethod(services.committee_create)
    update_service = staticmethod(services.committee_update)

    def get_queryset(self):
        user = self.request.user
        qs = Committee.objects.all()
        return qs if is_staff(user) else qs.filter(members__user=user.pk).distinct()


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
        user = self.request.user
        qs = CommitteeMember.objects.select_related("user")
        if is_staff(user):
            return qs
        return qs.filter(committee__members__user=user.pk).distinct()


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
    history_permission = staticmethod(lambda user, obj: is_staff(user))
    create_service = staticmethod(services.assignment_create)

    def get_queryset(self):
        user = self.request.user
        qs = ReviewerAssignment.objects.select_related("reviewer")
        return qs if is_staff(user) else qs.filter(reviewer=user.pk)

    @extend_schema(
        request=BulkAssignmentSerializer, responses=AssignmentSerializer(many=True)
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Assign N reviewers to every proposal of a round, balancing the load."""
        from ..models import Round

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
    history_permission = staticmethod(lambda user, obj: is_staff(user))
    create_service = staticmethod(services.recusal_record)

    def get_queryset(self):
        queryset = Recusal.objects.all()
        return queryset if is_staff(self.request.user) else queryset.none()


# Reviews ----------------------------------------------------------------------------


class ScoreSerializer(serializers.ModelSerializer):
    criterion = serializers.PrimaryKeyRelatedField(
        queryset=RubricCriterion.objects.all()
    )

    class Meta:
        model = Score
        fields = ["criterion", "value", "not_applicable", "comment"]
        validators = []


class ReviewSerializer(serializers.ModelSerializer):
    """A review, trimmed to what the reader may see (see review_view_level)."""

    reviewer = UserSummarySerializer(read_only=True)
    scores = ScoreSerializer(many=True, required=False)
    is_locked = serializers.SerializerMethodField()
    change_reason = ChangeReasonField()

    APPLICANT_FIELDS = {"id", "proposal", "recommendation", "comment_to_applicant"}
    sometimes_omitted = (
        "reviewer",
        "status",
        "scores",
        "note_to_committee",
        "submitted_at",
        "unlocked_until",
        "is_locked",
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "proposal",
            "reviewer",
            "status",
            "recommendation",
            "comment_to_applicant",
            "note_to_committee",
            "scores",
            "submitted_at",
            "unlocked_until",
            "is_locked",
            "change_reason",
        ]
        read_only_fields = ["status", "submitted_at", "unlocked_until"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if isinstance(self.instance, Review):
            fields["proposal"].read_only = True
        elif request is not None:
            # Ids of proposals the writer cannot see look like ids that do not exist.
            fields["proposal"].queryset = permissions.visible_proposals(
                request.user, Proposal.objects.all()
            )
        return fields

    def get_is_locked(self, review) -> bool:
        return review.is_locked()

    def to_representation(self, review):
        data = super().to_representation(review)
        user = self.context["request"].user
        level = permissions.review_view_level(
            user, review, self.context.get("committee_ids")
        )
        if level == "applicant":
            return {k: v for k, v in data.items() if k in self.APPLICANT_FIELDS}
        if level == "committee" and review.proposal.round.hide_reviewer_identities:
            data.pop("reviewer", None)
        return data


class ReviewFilter(PortalFilterSet):
    class Meta:
        model = Review
        fields = ["proposal", "status", "recommendation", "proposal__round"]


class ReviewViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reviews. Reviewers write their own; the committee reads submitted ones unless
    recused; applicants read the comments meant for them once decided."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    ordering_fields = ["submitted_at", "id"]
    ordering = ["proposal", "id"]
    service_object_name = "review"
    create_service = staticmethod(services.review_create)
    update_service = staticmethod(services.review_update)
    history_permission = staticmethod(permissions.can_view_review_history)

    def get_queryset(self):
        qs = Review.objects.select_related(
            "reviewer", "proposal__round"
        ).prefetch_related("scores")
        return permissions.visible_reviews(self.request.user, qs)

    def get_history_querysets(self, review):
        return [review.history.all(), Score.history.filter(review_id=review.pk)]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "request", None) is not None and hasattr(self.request, "user"):
            context["committee_ids"] = committee.committee_ids_for(self.request.user)
        return context

    @extend_schema(request=None, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.run_service_action(request, services.review_submit)

    @extend_schema(request=RequiredReasonActionSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        """Staff reopen a review after the scoring deadline, for seven days."""
        return self.run_service_action(
            request, services.review_unlock, RequiredReasonActionSerializer
        )


# Ranking, record of recusals, decision -------------------------------------------


class CriterionStatsSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    count = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    median = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)
    stddev = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)


class ProposalScoresSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    affiliate = serializers.IntegerField(required=False)
    rank = serializers.IntegerField(allow_null=True)
    reviews = serializers.IntegerField()
    enough_reviews = serializers.BooleanField()
    weighted_total = serializers.DecimalField(
        max_digits=8, decimal_places=2, allow_null=True
    )
    divergent = serializers.BooleanField()
    recommendations = serializers.DictField(child=serializers.IntegerField())
    criteria = CriterionStatsSerializer(many=True)


class WithheldSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    title = serializers.CharField()
    why = serializers.ChoiceField(choices=["recused", "declaration_needed"])


class RankedCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    guidance = serializers.CharField(allow_blank=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)


class RankingSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()
    min_reviews = serializers.IntegerField()
    criteria = RankedCriterionSerializer(many=True)
    ranking = ProposalScoresSerializer(many=True)
    withheld = WithheldSerializer(many=True)


def ranking_data(user, round_) -> dict:
    """The ranking for the API: signing in comes first."""
    if not user.is_authenticated:
        raise NotAuthenticated
    return committee.round_ranking(user, round_)


class RecusalRecordSerializer(serializers.Serializer):
    user = UserSummarySerializer(required=False)
    source = serializers.ChoiceField(choices=["declared", "automatic", "staff"])
    conflict_type = serializers.ChoiceField(choices=ConflictType.choices)


class VoteInputSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    choice = serializers.ChoiceField(choices=VoteChoice.choices)


class DecisionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Decision._meta.get_field("outcome").choices
    )
    rationale = serializers.CharField(max_length=10000)
    amount_approved = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, min_value=0
    )
    exchange_rate = serializers.DecimalField(
        max_digits=18, decimal_places=6, required=False, min_value=Decimal("0.000001")
    )
    conditions = serializers.CharField(
        required=False, allow_blank=True, max_length=5000
    )
    votes = VoteInputSerializer(many=True)
    change_reason = ChangeReasonField()


class VoteOutputSerializer(serializers.Serializer):
    member = UserSummarySerializer(required=False)
    choice = serializers.CharField()


class DecisionSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(source="proposal.currency", read_only=True)
    amount_approved_usd = serializers.DecimalField(
        source="proposal.amount_approved_usd",
        max_digits=24,
        decimal_places=2,
        read_only=True,
        allow_null=True,
    )
    tally = serializers.SerializerMethodField()
    votes = serializers.SerializerMethodField()
    sometimes_omitted = ("tally", "votes")

    class Meta:
        model = Decision
        fields = [
            "proposal",
            "outcome",
            "currency",
            "amount_approved",
            "amount_approved_usd",
            "conditions",
            "rationale",
            "decided_at",
            "tally",
            "votes",
        ]

    def get_tally(self, decision) -> dict[str, int]:
        tally = {choice: 0 for choice in VoteChoice.values}
        for vote in decision.votes.all():
            tally[vote.choice] += 1
        return tally

    def get_votes(self, decision) -> list[dict]:
        blind = decision.proposal.round.hide_reviewer_identities
        show = is_staff(self.context["request"].user) or not blind
        return [
            {
                "member": UserSummarySerializer(v.member).data if show else None,
                "choice": v.choice,
            }
            for v in decision.votes.all()
        ]

    def to_representation(self, decision):
        data = super().to_representation(decision)
        user = self.context["request"].user
        if not permissions.has_committee_access(user, decision.proposal):
            # Applicants learn the outcome and rationale, not who voted how.
            data.pop("tally", None)
            data.pop("votes", None)
        return data


# Comments ---------------------------------------------------------------------------


class CommentSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True)
    change_reason = ChangeReasonField()

    class Meta:
        model = ProposalComment
        fields = [
            "id",
            "proposal",
            "parent",
            "author",
            "body",
            "is_hidden",
            "created_at",
            "change_reason",
        ]
        read_only_fields = ["is_hidden", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["proposal"].queryset = permissions.visible_proposals(
                request.user, Proposal.objects.all()
            )
            fields["parent"].queryset = permissions.visible_comments(
                request.user, ProposalComment.objects.all()
            )
        return fields

    sometimes_omitted = ("author",)

    def to_representation(self, comment):
        data = super().to_representation(comment)
        user = self.context["request"].user
        if comment.is_hidden and not is_staff(user):
            data["body"] = ""
        if comment.parent_id and permissions.hides_applicant_from(
            user, comment.proposal
        ):
            data.pop("author", None)  # replies come from the hidden applicant
        return data


class CommentFilter(PortalFilterSet):
    class Meta:
        model = ProposalComment
        fields = ["proposal", "parent", "is_hidden"]


class CommentViewSet(
    HistoryMixin,
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Community comments on proposals in their comment period."""

    serializer_class = CommentSerializer
    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly]
    filterset_class = CommentFilter
    ordering = ["created_at", "id"]
    service_object_name = "comment"
    create_service = staticmethod(services.comment_create)
    history_permission = staticmethod(lambda user, obj: is_staff(user))

    def get_queryset(self):
        qs = ProposalComment.objects.select_related("author", "proposal__round")
        return permissions.visible_comments(self.request.user, qs)

    @extend_schema(request=RequiredReasonActionSerializer, responses=CommentSerializer)
    @action(detail=True, methods=["post"])
    def hide(self, request, pk=None):
        """Staff hide an abusive comment; the text stays in the history."""
        return self.run_service_action(
            request, services.comment_hide, RequiredReasonActionSerializer
        )
