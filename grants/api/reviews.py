"""API for reviews: reviewers write their own; readers see what the reader rules
allow (grants/readers.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action

from portal.api.base import (
    ChangeReasonField,
    ReaderFieldsMixin,
    RequiredReasonActionSerializer,
)
from portal.api.filters import PortalFilterSet
from portal.api.history import HistoryMixin
from portal.api.views import ServiceViewSetMixin
from portal.users import UserSummarySerializer

from .. import permissions, readers
from ..models import Proposal, Review, RubricCriterion, Score
from ..services import reviews as services


class ScoreSerializer(serializers.ModelSerializer):
    criterion = serializers.PrimaryKeyRelatedField(
        queryset=RubricCriterion.objects.all()
    )

    class Meta:
        model = Score
        fields = ["criterion", "value", "not_applicable", "comment"]
        validators = []


class ReviewSerializer(ReaderFieldsMixin, serializers.ModelSerializer):
    """A review, trimmed to what the reader may see (readers.review_level).

    Lists pass `committee_ids` (readers.committee_proposal_ids) in the context."""

    reviewer = UserSummarySerializer(read_only=True)
    scores = ScoreSerializer(many=True, required=False)
    is_locked = serializers.SerializerMethodField()
    change_reason = ChangeReasonField()

    omittable_fields = readers.REVIEW_OMITTABLE_FIELDS

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
        if isinstance(self.instance, Review):
            fields["proposal"].read_only = True
        else:
            fields["proposal"].queryset = permissions.referable_proposals(
                self.reader, Proposal.objects.all()
            )
        return fields

    def get_is_locked(self, review) -> bool:
        return review.is_locked()

    def omitted_fields(self, user, review):
        return readers.review_omitted_fields(
            user, review, self.context.get("committee_ids", ...)
        )


class ReviewFilter(PortalFilterSet):
    class Meta:
        model = Review
        fields = ["proposal", "status", "recommendation", "proposal__round"]


def reviews_queryset(user, queryset=None):
    """Reviews the reader may see, with what serializing them needs."""
    queryset = Review.objects.all() if queryset is None else queryset
    return permissions.visible_reviews(
        user,
        queryset.select_related(
            "reviewer__profile", "proposal__round"
        ).prefetch_related("scores"),
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
        return reviews_queryset(self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        request = getattr(self, "request", None)
        if request is not None and hasattr(request, "user"):
            context["committee_ids"] = readers.committee_proposal_ids(
                request.user,
                Proposal.objects.filter(pk__in=self.get_queryset().values("proposal")),
            )
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
