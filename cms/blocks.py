"""StreamField blocks for learning stories. Nothing here loads third-party content."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

from portal import limits
from portal.validators import validate_single_line_text

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alt text"),
        max_length=300,
        validators=[validate_single_line_text],
        help_text=_("Describe the image for people who cannot see it."),
    )
    caption = blocks.CharBlock(
        label=_("caption"),
        required=False,
        max_length=300,
        validators=[validate_single_line_text],
    )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"), max_length=limits.COMMENT)
    attribution = blocks.CharBlock(
        label=_("attribution"),
        required=False,
        max_length=limits.NAME,
        validators=[validate_single_line_text],
    )

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "cms/blocks/quote.html"


class LessonBlock(blocks.RichTextBlock):
    """ "What worked", "what did not work", "what we would do differently"."""

    def __init__(self, heading, **kwargs):
        self.heading = heading
        super().__init__(features=RICH_TEXT_FEATURES, **kwargs)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["heading"] = self.heading
        return context

    class Meta:
        template = "cms/blocks/lesson.html"


class KeyFigureBlock(blocks.StructBlock):
    label = blocks.CharBlock(
        label=_("label"), max_length=100, validators=[validate_single_line_text]
    )
    number = blocks.DecimalBlock(label=_("number"), decimal_places=2)

    class Meta:
        icon = "pick"


class KeyFiguresBlock(blocks.ListBlock):
    def __init__(self, **kwargs):
        super().__init__(KeyFigureBlock(), **kwargs)

    class Meta:
        template = "cms/blocks/key_figures.html"
        label = _("Key figures")


class StoryBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Paragraph"))
    heading = blocks.CharBlock(
        label=_("Heading"),
        template="cms/blocks/heading.html",
        max_length=limits.TITLE,
        validators=[validate_single_line_text],
    )
    image = ImageBlock()
    quote = QuoteBlock()
    what_worked = LessonBlock(_("What worked"), label=_("What worked"))
    what_did_not_work = LessonBlock(
        _("What did not work"), label=_("What did not work")
    )
    do_differently = LessonBlock(
        _("What we would do differently"), label=_("What we would do differently")
    )
    key_figures = KeyFiguresBlock()
