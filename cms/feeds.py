"""An Atom feed of published stories per locale."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from wagtail.models import Locale

from .models import LearningStoryIndexPage, LearningStoryPage


class StoriesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        locale = Locale.objects.filter(language_code=get_language()).first()
        return LearningStoryIndexPage.objects.filter(locale=locale).live().first()

    def title(self, index):
        return index.title if index else "Learning stories"

    def link(self, index):
        return index.url if index else "/"

    def subtitle(self, index):
        return index.intro if index else ""

    def items(self, index):
        if index is None:
            return LearningStoryPage.objects.none()
        return (
            LearningStoryPage.objects.child_of(index)
            .live()
            .public()
            .select_related("affiliate")
            .order_by("-first_published_at")[:50]
        )

    def item_title(self, story):
        return story.title

    def item_description(self, story):
        return story.summary

    def item_link(self, story):
        return story.url

    def item_pubdate(self, story):
        return story.first_published_at

    def item_updateddate(self, story):
        return story.last_published_at

    def item_author_name(self, story):
        return story.affiliate.name

    def item_categories(self, story):
        return [tag.name for tag in story.themes.all()]
