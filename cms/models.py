"""Wagtail pages: a home page, a learning-story index and an about page per locale."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from affiliates.choices import Region
from portal import limits
from portal.fields import LimitedTextField
from portal.validators import validate_language_code, validate_single_line_text

from .blocks import StoryBodyBlock
from .choices import StoryStatus


class HomePage(Page):
    """The portal's front page, one per locale."""

    intro = models.CharField(
        _("introduction"),
        max_length=500,
        blank=True,
        validators=[validate_single_line_text],
    )
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.LearningStoryIndexPage", "cms.AboutPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")


class AboutPage(Page):
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("about page")


class LearningStoryIndexPage(Page):
    """Lists published stories of its locale, with filters, search and pages."""

    intro = models.CharField(
        _("introduction"),
        max_length=500,
        blank=True,
        validators=[validate_single_line_text],
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.LearningStoryPage"]
    max_count_per_parent = 1
    PER_PAGE = 12

    class Meta:
        verbose_name = _("learning-story index")

    def stories(self):
        return (
            LearningStoryPage.objects.child_of(self)
            .live()
            .public()
            .select_related("affiliate", "program", "hero_image", "locale")
            .order_by("-date", "-pk")
        )

    def filtered_stories(self, params):
        from .filters import filter_stories

        return filter_stories(self.stories(), params)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        stories, active = self.filtered_stories(request.GET)
        paginator = Paginator(stories, self.PER_PAGE)
        try:
            page = paginator.page(request.GET.get("page", 1))
        except (PageNotAnInteger, EmptyPage):
            page = paginator.page(1)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(stories=page, filters=active, query=query.urlencode())
        from .filters import filter_choices

        context.update(filter_choices(self.stories()))
        return context


class LearningStoryTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.LearningStoryPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class LearningStoryPage(Page):
    """What an affiliate tried and learned, in its own words and language."""

    summary = LimitedTextField(
        _("summary"),
        max_length=600,
        blank=True,
        help_text=_("Needed before the story can be published."),
    )
    affiliate = models.ForeignKey(
        "affiliates.Affiliate",
        on_delete=models.PROTECT,
        related_name="stories",
        verbose_name=_("affiliate"),
    )
    proposal = models.ForeignKey(
        "grants.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("related proposal"),
    )
    program = models.ForeignKey(
        "grants.FundProgram",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("fund program"),
    )
    themes = ClusterTaggableManager(
        through=LearningStoryTag, blank=True, verbose_name=_("themes")
    )
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)
    date = models.DateField(_("date"))
    authors = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="stories",
        verbose_name=_("authors"),
        help_text=_("Shown by display name only."),
    )
    original_language = models.CharField(
        _("original language"), max_length=20, validators=[validate_language_code]
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hero image"),
    )
    hero_alt_text = models.CharField(
        _("hero image alt text"),
        max_length=300,
        blank=True,
        validators=[validate_single_line_text],
    )
    body = StreamField(StoryBodyBlock(), blank=True, verbose_name=_("body"))
    # Plain text of title, summary and body, kept for search in scripts without
    # spaces between words (Chinese), which full-text tokenizers do not split.
    search_text = models.TextField(editable=False, blank=True, default="")

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("affiliate"),
                FieldPanel("proposal"),
                FieldPanel("program"),
                FieldPanel("region"),
                FieldPanel("date"),
                FieldPanel("themes"),
                FieldPanel("authors"),
                FieldPanel("original_language"),
            ],
            heading=_("About the story"),
        ),
        MultiFieldPanel(
            [FieldPanel("hero_image"), FieldPanel("hero_alt_text")],
            heading=_("Hero image"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("affiliate"),
        index.FilterField("region"),
        index.FilterField("date"),
    ]
    parent_page_types = ["cms.LearningStoryIndexPage"]
    subpage_types = []
    # Codes, not words: copied as they are into every translation.
    override_translatable_fields = [
        SynchronizedField("original_language"),
        SynchronizedField("region"),
        SynchronizedField("date"),
    ]

    class Meta:
        verbose_name = _("learning story")
        verbose_name_plural = _("learning stories")

    def clean(self):
        super().clean()
        errors = {}
        try:  # Wagtail's own field: the rules for titles are checked here
            validate_single_line_text(self.title)
            MaxLengthValidator(limits.TITLE)(self.title)
        except ValidationError as error:
            errors["title"] = error.messages
        if self.hero_image_id and not self.hero_alt_text.strip():
            errors["hero_alt_text"] = _("Describe the hero image for screen readers.")
        if self.live and not self.summary.strip():
            errors["summary"] = _("A story needs a summary before it is published.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.search_text = "\n".join(
            [self.title, self.summary, *(_block_text(b) for b in self.body)]
        )
        return super().save(*args, **kwargs)

    def story_status(self) -> str:
        """Where the story stands (StoryStatus), from its workflow and live flag."""
        state = self.current_workflow_state
        if state is not None:
            if state.status == state.STATUS_NEEDS_CHANGES:
                return StoryStatus.NEEDS_CHANGES
            return StoryStatus.IN_REVIEW
        return StoryStatus.LIVE if self.live else StoryStatus.DRAFT

    def get_context(self, request, *args, **kwargs):
        from .readers import story_author_names

        context = super().get_context(request, *args, **kwargs)
        context["authors"] = story_author_names(getattr(request, "user", None), self)
        return context

    def translations(self):
        """Published versions of this story in other languages."""
        return self.get_translations().live().public().select_related("locale")


def _block_text(block) -> str:
    from django.utils.html import strip_tags

    value = block.value
    if hasattr(value, "source"):  # rich text
        return strip_tags(value.source)
    if isinstance(value, str):
        return value
    if isinstance(value, dict) or hasattr(value, "items"):
        return " ".join(str(v) for v in value.values() if isinstance(v, str))
    if isinstance(value, list | tuple) or hasattr(value, "__iter__"):
        return " ".join(
            str(item.get("label", "")) for item in value if hasattr(item, "get")
        )
    return ""
