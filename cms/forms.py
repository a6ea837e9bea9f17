"""The members' story form: plain text fields turned into the story's blocks.

A story's body is a list of blocks (cms/blocks.py). The form offers what a member
writes most: paragraphs of text, the three lessons and key figures. Text becomes
rich-text blocks of plain paragraphs, which the service passes through the same
allowlist as the API (cms/richtext.py). Blocks the form does not offer (images,
quotes, headings added in the editor) are kept as they are.
"""

from decimal import Decimal, InvalidOperation

from bs4 import BeautifulSoup
from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from affiliates.choices import Region
from affiliates.models import Affiliate
from grants.models import Proposal
from portal import limits
from portal.validators import validate_single_line_text

from .models import LearningStoryIndexPage, LearningStoryPage

LESSONS = ("what_worked", "what_did_not_work", "do_differently")
FORM_BLOCKS = frozenset({"paragraph", "key_figures", *LESSONS})


def _paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by an empty line; single line breaks are kept."""
    chunks = [chunk.strip() for chunk in text.replace("\r\n", "\n").split("\n\n")]
    return [chunk for chunk in chunks if chunk]


def _html(paragraphs: list[str]) -> str:
    return "".join(
        "<p>" + "<br/>".join(escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def _text(rich_text) -> str:
    """A rich-text value back to paragraphs of plain text."""
    source = getattr(rich_text, "source", rich_text) or ""
    soup = BeautifulSoup(source, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    blocks = soup.find_all(["p", "li", "h2", "h3", "h4"]) or [soup]
    return "\n\n".join(b.get_text().strip() for b in blocks if b.get_text().strip())


def parse_key_figures(text: str) -> list[dict]:
    """One figure a line: "label: number" (e.g. "New editors: 42")."""
    figures = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        line = line.strip()
        if not line:
            continue
        label, sep, value = line.rpartition(":")
        label = label.strip()
        try:
            amount = Decimal(value.strip().replace(",", ""))
        except InvalidOperation:
            amount = None
        if not sep or not label or amount is None or not amount.is_finite():
            raise forms.ValidationError(
                _(
                    "Line %(number)s: write a label, a colon and a number, e.g. "
                    '"New editors: 42".'
                ),
                params={"number": number},
            )
        if len(label) > 100:
            raise forms.ValidationError(
                _("Line %(number)s: the label is longer than 100 characters."),
                params={"number": number},
            )
        figures.append(
            {"label": label, "number": str(amount.quantize(Decimal("0.01")))}
        )
    return figures


def _figures_text(value) -> str:
    lines = []
    for item in value or []:
        item = getattr(item, "value", item)
        number = item.get("number")
        number = f"{Decimal(number).normalize():f}" if number is not None else ""
        lines.append(f"{item.get('label', '')}: {number}")
    return "\n".join(lines)


def story_languages() -> list[tuple[str, str]]:
    """Languages with a story section (an index page), in the site's order."""
    names = dict(settings.LANGUAGES)
    codes = set(
        LearningStoryIndexPage.objects.values_list("locale__language_code", flat=True)
    )
    return [(code, names[code]) for code in names if code in codes]


class StoryForm(forms.Form):
    affiliate = forms.ModelChoiceField(
        label=_("Affiliate"), queryset=Affiliate.objects.none(), empty_label=None
    )
    locale = forms.ChoiceField(
        label=_("Language"),
        help_text=_("The language you write the story in."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=limits.TITLE,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        validators=[validate_single_line_text],
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        required=False,
        help_text=_("Two or three sentences. Needed before you submit the story."),
    )
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices)
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When it happened, or when you write about it."),
    )
    proposal = forms.ModelChoiceField(
        label=capfirst(LearningStoryPage._meta.get_field("proposal").verbose_name),
        queryset=Proposal.objects.none(),
        required=False,
        help_text=_("A proposal of the same affiliate that the story is about."),
    )
    themes = forms.CharField(
        label=_("Themes"),
        required=False,
        widget=forms.TextInput(attrs={"dir": "auto"}),
        max_length=1000,
        help_text=_("Separate themes with commas, e.g. workshops, online events."),
    )
    body = forms.CharField(
        label=_("The story"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "dir": "auto"}),
        validators=[MaxLengthValidator(limits.STORY_BLOCK_TEXT * 4)],
        help_text=_("Leave an empty line between paragraphs."),
    )
    what_worked = forms.CharField(
        label=_("What worked"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        validators=[MaxLengthValidator(limits.STORY_BLOCK_TEXT // 2)],
    )
    what_did_not_work = forms.CharField(
        label=_("What did not work"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        validators=[MaxLengthValidator(limits.STORY_BLOCK_TEXT // 2)],
    )
    do_differently = forms.CharField(
        label=_("What we would do differently"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        validators=[MaxLengthValidator(limits.STORY_BLOCK_TEXT // 2)],
    )
    key_figures = forms.CharField(
        label=_("Key figures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        max_length=5000,
        help_text=_(
            'One a line: a label, a colon and a number, e.g. "New editors: 42".'
        ),
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, affiliates=None, proposals=None, story=None, **kwargs):
        self.story = story
        super().__init__(*args, **kwargs)
        self.fields["affiliate"].queryset = affiliates or Affiliate.objects.none()
        self.fields["proposal"].queryset = (
            proposals if proposals is not None else Proposal.objects.none()
        ).order_by("-pk")
        self.fields["locale"].choices = story_languages()
        if story is not None:
            # A story stays with its affiliate and its language section.
            del self.fields["affiliate"]
            del self.fields["locale"]

    @classmethod
    def initial_for(cls, story: LearningStoryPage) -> dict:
        """The form's values from a story's latest draft."""
        paragraphs, lessons, figures = [], {}, ""
        for block in story.body:
            if block.block_type == "paragraph":
                paragraphs.append(_text(block.value))
            elif block.block_type in LESSONS:
                lessons[block.block_type] = _text(block.value)
            elif block.block_type == "key_figures":
                figures = _figures_text(block.value)
        return {
            "title": story.title,
            "summary": story.summary,
            "region": story.region,
            "date": story.date,
            "proposal": story.proposal_id,
            "themes": ", ".join(tag.name for tag in story.themes.all()),
            "body": "\n\n".join(p for p in paragraphs if p),
            **lessons,
            "key_figures": figures,
        }

    @staticmethod
    def initial_new(affiliate) -> dict:
        return {
            "affiliate": affiliate,
            "region": affiliate.region if affiliate else "",
            "date": timezone.localdate(),
        }

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean_themes(self):
        themes = []
        for theme in self.cleaned_data.get("themes", "").split(","):
            theme = theme.strip()
            if theme and theme not in themes:
                if len(theme) > 100:
                    raise forms.ValidationError(
                        _("A theme has at most 100 characters.")
                    )
                validate_single_line_text(theme)
                themes.append(theme)
        if len(themes) > limits.STORY_THEMES:
            raise forms.ValidationError(
                _("A story has at most %(limit)s themes."),
                params={"limit": limits.STORY_THEMES},
            )
        return themes

    def clean_key_figures(self):
        return parse_key_figures(self.cleaned_data.get("key_figures", ""))

    def kept_blocks(self) -> list[dict]:
        """Blocks of the story the form does not edit, kept in their order."""
        if self.story is None:
            return []
        return [
            item
            for item in self.story.body.get_prep_value()
            if item.get("type") not in FORM_BLOCKS
        ]

    def body_blocks(self) -> list[dict]:
        data = self.cleaned_data
        blocks = [
            {"type": "paragraph", "value": _html([p])}
            for p in _paragraphs(data.get("body", ""))
        ]
        blocks += self.kept_blocks()
        for name in LESSONS:
            paragraphs = _paragraphs(data.get(name, ""))
            if paragraphs:
                blocks.append({"type": name, "value": _html(paragraphs)})
        if data.get("key_figures"):
            blocks.append({"type": "key_figures", "value": data["key_figures"]})
        return blocks

    def service_fields(self) -> dict:
        """Keyword arguments for story_create / story_update."""
        data = self.cleaned_data
        fields = {
            "title": data["title"],
            "summary": data.get("summary", ""),
            "region": data["region"],
            "date": data["date"],
            "body": self.body_blocks(),
            "proposal": data.get("proposal"),
            "themes": data.get("themes") or [],
        }
        if self.story is None:
            fields["affiliate"] = data["affiliate"]
            fields["locale"] = data["locale"]
            fields["original_language"] = data["locale"]
        return fields
