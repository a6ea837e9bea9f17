"""`/api/v1/stories/`: published learning stories, read-only. Never drafts."""

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets

from portal.api.filters import PortalFilterSet

from .models import LearningStoryPage


class StorySerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="full_url", read_only=True)
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

    def get_themes(self, story) -> list[str]:
        return [item.tag.name for item in story.tagged_items.all()]

    def get_authors(self, story) -> list[str]:
        return story.author_names()

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


class StoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StorySerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = StoryFilter
    search_fields = ["title", "summary", "search_text"]
    ordering_fields = ["date", "first_published_at"]
    ordering = ["-date", "-pk"]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        translations = {}
        for key, code, pk in self.published().values_list(
            "translation_key", "locale__language_code", "pk"
        ):
            translations.setdefault(key, {})[code] = pk
        context["translations"] = translations
        return context

    def published(self):
        return LearningStoryPage.objects.live().public()

    def get_queryset(self):
        return (
            self.published()
            .select_related("locale", "affiliate", "program")
            .prefetch_related("authors", "tagged_items__tag")
        )
