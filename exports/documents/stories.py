"""A learning story, laid out in the story's own language and direction."""

from html import escape
from html.parser import HTMLParser

from django.utils import translation
from django.utils.translation import gettext as _

from cms.readers import story_author_names

from .base import Document, doc_meta, supported_language


class _RichTextCleaner(HTMLParser):
    """Rich text as stored, reduced to structure and text for a PDF: paragraphs,
    headings, lists and emphasis stay; links keep their text (and their address if
    it is an outside http(s) one); links to pages, embeds, images, styles and every
    other element are dropped, so nothing in a story can make the renderer fetch a
    file, reveal another page's address or restyle the document."""

    KEEP = frozenset(
        {"p", "br", "h2", "h3", "h4", "ul", "ol", "li", "b", "i", "strong", "em"}
    )
    SKIP_CONTENT = frozenset({"style", "script", "title", "head"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skipping, self.links = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP_CONTENT:
            self.skipping += 1
        elif tag in self.KEEP:
            self.out.append(f"<{tag}>")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            outside = href.startswith(("https://", "http://"))
            self.links.append(href if outside and "linktype" not in dict(attrs) else "")

    def handle_endtag(self, tag):
        if tag in self.SKIP_CONTENT:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.KEEP and tag != "br":
            self.out.append(f"</{tag}>")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.out.append(f" ({escape(href)})")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(escape(data))


def clean_rich_text(source: str) -> str:
    cleaner = _RichTextCleaner()
    cleaner.feed(source or "")
    cleaner.close()
    return "".join(cleaner.out)


def _blocks(story) -> list[dict]:
    """The body as plain parts; images become their alt text (PDFs embed no files
    from the media store)."""
    parts = []
    for block in story.body:
        kind, value = block.block_type, block.value
        if kind == "paragraph":
            parts.append({"kind": "html", "html": clean_rich_text(value.source)})
        elif kind == "heading":
            parts.append({"kind": "heading", "text": value})
        elif kind == "quote":
            parts.append(
                {"kind": "quote", "text": value["text"], "by": value["attribution"]}
            )
        elif kind in {"what_worked", "what_did_not_work", "do_differently"}:
            parts.append(
                {
                    "kind": "lesson",
                    "title": str(block.block.label),
                    "html": clean_rich_text(value.source),
                }
            )
        elif kind == "key_figures":
            parts.append(
                {
                    "kind": "figures",
                    "rows": [(item["label"], item["number"]) for item in value],
                }
            )
        elif kind == "image":
            parts.append(
                {"kind": "image", "alt": value["alt_text"], "caption": value["caption"]}
            )
    return parts


def story_document(user, story) -> Document:
    language = supported_language(story.locale.language_code, "en")
    with translation.override(language):
        context = {
            "doc": doc_meta(
                title=_("Learning story"),
                reference=story.affiliate.name,
                language=language,
                actor=user,
            ),
            "story": {
                "title": story.title,
                "summary": story.summary,
                "affiliate": story.affiliate.name,
                "date": story.date.strftime("%Y-%m-%d") if story.date else "",
                "region": story.get_region_display(),
                "themes": [tag.name for tag in story.themes.all()],
                "authors": story_author_names(user, story),
                "original_language": story.original_language,
            },
            "blocks": _blocks(story),
        }
    return Document(
        template="exports/story.html",
        context=context,
        title=story.title,
        filename=f"story-{story.slug}-{language}.pdf",
        language=language,
    )
