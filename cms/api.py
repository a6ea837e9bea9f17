"""`/api/v1/stories/`: published learning stories, read-only. Never drafts."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from wagtail.models import WorkflowState

from grants import permissions as grant_permissions
from grants.models import Proposal
from portal import limits
from portal.api.base import ActionSerializer, ChangeReasonField
from portal.api.filters import PortalFilterSet
from portal.api.versions import VersionedMixin
from portal.api.views import ServiceViewSetMixin
from portal.validators import validate_single_line_text

from . import permissions as story_permissions
from . import readers as story_readers
from . import services
from .choices import StoryStatus
from .models import LearningStoryPage


class StorySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    locale = serializers.CharField(source="locale.language_code", read_only=True)
    affiliate = serializers.CharField(source="affiliate.slug", read_only=True)
    program = serializers.CharField(
        source="program.slug", read_only=True, allow_null=True
    )
    themes = serializers.SerializerMethodField()
    authors = serializers.SerializerMethodField()
    translations = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    class Meta:
        model = LearningStoryPage
        fields = [
            "id",
            "title",
            "url",
            "locale",
            "original_language",
            "summary",
            "affiliate",
            "program",
            "region",
            "date",
            "themes",
            "authors",
            "translations",
            "first_published_at",
            "last_published_at",
            "body",
        ]

    def get_url(self, story) -> str:
        """The story's address on the host the reader asked (not the Site record's
        host name, which may be a development default)."""
        request = self.context.get("request")
        path = story.get_url(request=request) or ""
        return request.build_absolute_uri(path) if request is not None else path

    def get_themes(self, story) -> list[str]:
        return [item.tag.name for item in story.tagged_items.all()]

    def get_authors(self, story) -> list[str]:
        user = getattr(self.context.get("request"), "user", None)
        return story_readers.story_author_names(user, story)

    def get_translations(self, story) -> dict[str, int]:
        """Other published languages of this story (from one query per request)."""
        siblings = self.context["translations"].get(story.translation_key, {})
        return {code: pk for code, pk in siblings.items() if pk != story.pk}

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_body(self, story):
        return story.body.get_prep_value()


class StoryFilter(PortalFilterSet):
    locale = django_filters.CharFilter(field_name="locale__language_code")
    affiliate = django_filters.CharFilter(field_name="affiliate__slug")
    program = django_filters.CharFilter(field_name="program__slug")
    year = django_filters.NumberFilter(
        field_name="date__year", min_value=1990, max_value=2199
    )

    class Meta:
        model = LearningStoryPage
        fields = ["locale", "original_language", "affiliate", "program", "region"]


def story_version(story) -> str:
    """A story's version: its latest revision and where it stands with the board."""
    import hashlib

    state = story.current_workflow_state
    parts = [
        story.latest_revision_id,
        story.live_revision_id,
        state.pk if state else None,
        state.status if state else None,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


class StoryViewSet(VersionedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = StorySerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = StoryFilter
    search_fields = ["title", "summary", "search_text"]
    ordering_fields = ["date", "first_published_at"]
    ordering = ["-date", "-pk"]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return context
        translations = {}
        for key, code, pk in self.published().values_list(
            "translation_key", "locale__language_code", "pk"
        ):
            translations.setdefault(key, {})[code] = pk
        context["translations"] = translations
        return context

    def record_version(self, story) -> str:
        return story_version(story)

    def published(self):
        return story_permissions.visible_stories(
            self.request.user, LearningStoryPage.objects.all()
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return LearningStoryPage.objects.none()
        return (
            self.published()
            .select_related("locale", "affiliate", "program")
            .prefetch_related("authors__profile", "tagged_items__tag")
        )


# Members' own stories, drafts included ------------------------------------------

STATUS_HELP = _(
    "draft: being written; in_review: with the editorial board; needs_changes: the "
    "board asked for changes (see editorial_comment); live: published (a newer draft "
    "may be in the works)."
)


def with_workflow_states(queryset):
    """Prefetch each story's active workflow state.

    Wagtail's own `prefetch_workflow_states()` follows the base-page relation, which
    finds nothing from a LearningStoryPage queryset (every story then looked like a
    draft in the list); the specific relation finds them.
    """
    return queryset.prefetch_related(
        Prefetch(
            "_specific_workflow_states",
            queryset=WorkflowState.objects.active().select_related(
                "current_task_state__task"
            ),
            to_attr="_current_workflow_states",
        )
    )


class StoryBlockField(serializers.JSONField):
    """StreamField content as a list of {"type": …, "value": …} blocks."""


class MyStorySerializer(serializers.ModelSerializer):
    locale = serializers.CharField(source="locale.language_code")
    themes = serializers.ListField(
        child=serializers.CharField(
            max_length=100, validators=[validate_single_line_text]
        ),
        max_length=limits.STORY_THEMES,
        required=False,
        write_only=True,
    )
    body = StoryBlockField(required=False, write_only=True)
    status = serializers.SerializerMethodField(help_text=STATUS_HELP)
    editorial_comment = serializers.SerializerMethodField()
    change_reason = ChangeReasonField()

    class Meta:
        model = LearningStoryPage
        fields = [
            "id",
            "title",
            "locale",
            "affiliate",
            "summary",
            "region",
            "date",
            "original_language",
            "program",
            "proposal",
            "themes",
            "body",
            "status",
            "editorial_comment",
            "live",
            "change_reason",
        ]
        read_only_fields = ["live"]

    def get_fields(self):
        fields = super().get_fields()
        if isinstance(self.instance, LearningStoryPage):
            fields["affiliate"].read_only = True
            fields["locale"].read_only = True
        # A story names only proposals its writer may see: others look absent.
        fields["proposal"].queryset = grant_permissions.referable_proposals(
            getattr(self.context.get("request"), "user", None), Proposal.objects.all()
        )
        return fields

    def to_representation(self, story):
        draft = story.get_latest_revision_as_object()
        data = super().to_representation(draft)
        data["themes"] = [tag.name for tag in draft.themes.all()]
        data["body"] = draft.body.get_prep_value()
        data["id"] = story.pk
        return data

    @extend_schema_field(serializers.ChoiceField(choices=StoryStatus.choices))
    def get_status(self, story) -> str:
        return story.story_status()  # one vocabulary for the list and the detail

    def get_editorial_comment(self, story) -> str:
        return story_readers.story_editorial_comment(story)


class MyStoryListSerializer(serializers.ModelSerializer):
    """The list: from the page rows and prefetched workflow states only."""

    title = serializers.CharField(source="draft_title")
    locale = serializers.CharField(source="locale.language_code")
    status = serializers.SerializerMethodField(help_text=STATUS_HELP)
    editorial_comment = serializers.SerializerMethodField()

    class Meta:
        model = LearningStoryPage
        fields = [
            "id",
            "title",
            "locale",
            "affiliate",
            "status",
            "editorial_comment",
            "live",
            "latest_revision_created_at",
        ]

    get_status = MyStorySerializer.get_status
    get_editorial_comment = MyStorySerializer.get_editorial_comment


class MyStoryViewSet(
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Stories of your affiliates, drafts included. Write a draft, then submit it to
    the editorial board; its status and comment come back here."""

    serializer_class = MyStorySerializer
    ordering = ["-pk"]
    service_object_name = "story"
    create_service = staticmethod(services.story_create)
    update_service = staticmethod(services.story_update)

    def get_queryset(self):
        return story_permissions.own_stories(
            self.request.user,
            with_workflow_states(
                LearningStoryPage.objects.select_related("locale", "latest_revision")
            ).order_by("-pk"),
        )

    def get_serializer_class(self):
        return MyStoryListSerializer if self.action == "list" else MyStorySerializer

    def record_version(self, story) -> str:
        return story_version(story)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["locale"] = data.pop("locale")["language_code"]
        reason = data.pop("change_reason", "")
        serializer.instance = services.story_create(
            actor=self.request.user, reason=reason, **data
        )
        self.versioned_object = serializer.instance
        self.returns_record()

    @extend_schema(request=ActionSerializer, responses=MyStorySerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the draft to the editorial board."""
        return self.run_service_action(request, services.story_submit)
