"""API for committees, assignments, recusals, reviews, ranking, decisions, comments."""

from decimal import Decimal

from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.response import Response

from affiliates.permissions import is_staff
from portal.api.base import ChangeReasonField, RequiredReasonActionSerializer
from portal.api.filters import PortalFilterSet
from portal.api.history import HistoryMixin
from portal.api.views import ServiceViewSetMixin
from portal.users import UserSummarySerializer

from .. import permissions, scoring
from ..choices import ConflictType, ProposalStatus, VoteChoice
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


def committee_ids_for(user) -> set[int] | None:
    """Ids of proposals whose committee data the user may see (one query)."""
    if is_staff(user) or not user.is_authenticated:
        return None
    return set(
        Proposal.objects.filter(permissions.committee_access_q(user)).values_list(
            "pk", flat=True
        )
    )


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
            context["committee_ids"] = committee_ids_for(self.request.user)
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


RANKED_STATUSES = [
    ProposalStatus.COMMITTEE_REVIEW,
    ProposalStatus.APPROVED,
    ProposalStatus.APPROVED_WITH_CONDITIONS,
    ProposalStatus.DECLINED,
    ProposalStatus.FUNDED,
    ProposalStatus.REPORTING,
    ProposalStatus.CLOSED,
]


def ranking_data(user, round_) -> dict:
    """The round's ranking as the user may see it; recused rows carry no numbers."""
    if not user.is_authenticated:
        raise NotAuthenticated
    if not permissions.can_view_ranking(user, round_):
        raise PermissionDenied
    rubric = round_.rubric or round_.program.current_rubric
    if rubric is None:
        raise NotFound
    proposals = list(
        Proposal.objects.filter(round=round_, status__in=RANKED_STATUSES).order_by("pk")
    )
    open_ids = committee_ids_for(user)
    recused = (
        set()
        if is_staff(user)
        else set(
            Proposal.objects.filter(round=round_)
            .filter(permissions.recused_q(user))
            .values_list("pk", flat=True)
        )
    )
    visible = [p for p in proposals if open_ids is None or p.pk in open_ids]
    summaries = scoring.aggregate(visible, rubric)
    ranks = scoring.rank(summaries, round_.min_reviews)
    rows = []
    for proposal in visible:
        summary = summaries[proposal.pk]
        row = {
            "proposal": proposal.pk,
            "title": proposal.title,
            "rank": ranks[proposal.pk],
            "enough_reviews": summary["reviews"] >= round_.min_reviews,
            **summary,
        }
        if not (round_.hide_applicant_identity and not is_staff(user)):
            row["affiliate"] = proposal.affiliate_id
        rows.append(row)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["proposal"]))
    withheld = [
        {
            "proposal": p.pk,
            "title": p.title,
            "why": "recused" if p.pk in recused else "declaration_needed",
        }
        for p in proposals
        if open_ids is not None and p.pk not in open_ids
    ]
    language = get_language()
    criteria = []
    for criterion in rubric.criteria.all():
        name, guidance = criterion.localized(language)
        criteria.append(
            {
                "id": criterion.pk,
                "name": name,
                "guidance": guidance,
                "weight": criterion.weight,
            }
        )
    return {
        "round": round_.pk,
        "scale_min": rubric.scale_min,
        "scale_max": rubric.scale_max,
        "min_reviews": round_.min_reviews,
        "criteria": criteria,
        "ranking": rows,
        "withheld": withheld,
    }


class RecusalRecordSerializer(serializers.Serializer):
    user = UserSummarySerializer(required=False)
    source = serializers.ChoiceField(choices=["declared", "automatic", "staff"])
    conflict_type = serializers.ChoiceField(choices=ConflictType.choices)


def recusal_record_data(user, proposal, recused: set[int] | None = None) -> list[dict]:
    """Committee members recused from the proposal, and why (type only).
    `recused`: the recused members' ids, when the caller has them already."""
    from django.contrib.auth import get_user_model

    from affiliates.models import Membership

    from ..models import ProposalDeclaration

    if recused is None:
        seats = CommitteeMember.objects.filter(committee=proposal.round.committee_id)
        recused = permissions.recused_user_ids(
            proposal, seats.values_list("user_id", flat=True)
        )
    staff_types = dict(
        Recusal.objects.filter(proposal=proposal, user_id__in=recused).values_list(
            "user_id", "conflict_type"
        )
    )
    declared_types = dict(
        ProposalDeclaration.objects.filter(
            proposal=proposal, user_id__in=recused, has_conflict=True
        ).values_list("user_id", "conflict_type")
    )
    memberships = dict(
        Membership.objects.filter(
            affiliate=proposal.affiliate_id, user_id__in=recused
        ).values_list("user_id", "is_board")
    )
    users = get_user_model().objects.in_bulk(list(recused))
    show_names = is_staff(user) or not proposal.round.hide_reviewer_identities
    result = []
    for uid in sorted(recused):
        if uid in staff_types:
            row = {"source": "staff", "conflict_type": staff_types[uid]}
        elif uid in declared_types:
            row = {"source": "declared", "conflict_type": declared_types[uid]}
        elif uid in memberships:
            kind = "board" if memberships[uid] else "member"
            row = {"source": "automatic", "conflict_type": kind}
        else:
            row = {"source": "automatic", "conflict_type": "other"}
        if show_names:
            row["user"] = users[uid]
        result.append(row)
    return result


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
