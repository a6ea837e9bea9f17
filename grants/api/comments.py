"""API for community comments during a proposal's comment period."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action

from portal.api.base import (
    ChangeReasonField,
    ReaderFieldsMixin,
    RequiredReasonActionSerializer,
)
from portal.api.filters import PortalFilterSet
from portal.api.history import HistoryMixin
from portal.api.views import ServiceViewSetMixin

from .. import permissions, readers
from ..models import Proposal, ProposalComment
from ..services import comments as services


class CommentAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    display_name = serializers.CharField()


class CommentSerializer(ReaderFieldsMixin, serializers.ModelSerializer):
    """A comment as the reader may see it (readers.comment_view): hidden comments
    without their text, replies of a hidden applicant without their author."""

    author = serializers.SerializerMethodField(
        help_text=_(
            "Who wrote it, by public name. A member of an applicant that hides its "
            "members is shown as such, without an id."
        )
    )
    change_reason = ChangeReasonField()

    omittable_fields = readers.COMMENT_OMITTABLE_FIELDS

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
        fields["proposal"].queryset = permissions.referable_proposals(
            self.reader, Proposal.objects.all()
        )
        fields["parent"].queryset = permissions.visible_comments(
            self.reader, ProposalComment.objects.all()
        )
        return fields

    def view(self, comment) -> readers.CommentView:
        views = self.__dict__.setdefault("_views", {})
        if comment.pk not in views:
            views[comment.pk] = readers.comment_view(self.reader, comment)
        return views[comment.pk]

    @extend_schema_field(CommentAuthorSerializer)
    def get_author(self, comment) -> dict:
        view = self.view(comment)
        return {
            "id": None if view.author_masked else comment.author_id,
            "display_name": view.author_name,
        }

    def omitted_fields(self, user, comment):
        if self.view(comment).author_hidden:
            return readers.COMMENT_OMITTABLE_FIELDS
        return frozenset()

    def to_representation(self, comment):
        data = super().to_representation(comment)
        if self.view(comment).body_hidden:
            data["body"] = ""
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
    ordering_fields = permissions.COMMENT_ORDERING_FIELDS
    ordering = ["created_at", "id"]
    service_object_name = "comment"
    create_service = staticmethod(services.comment_create)
    history_permission = staticmethod(permissions.can_view_staff_record_history)

    def get_queryset(self):
        return readers.comments_for_reader(
            self.request.user,
            ProposalComment.objects.select_related(
                "author__profile", "proposal__round"
            ),
        )

    @extend_schema(request=RequiredReasonActionSerializer, responses=CommentSerializer)
    @action(detail=True, methods=["post"])
    def hide(self, request, pk=None):
        """Staff hide an abusive comment; the text stays in the history."""
        return self.run_service_action(
            request, services.comment_hide, RequiredReasonActionSerializer
        )
