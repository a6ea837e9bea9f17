"""A learning story, laid out in the story's own language and direction."""

from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from portal.users import display_name

from .base import Document, doc_meta, supported_language


def _blocks(story) -> list[dict]:
    """The body as plain parts; images become their alt text (PDFs embed no files
    from the media store)."""
    parts = []
    for block in story.body:
        kind, value = block.block_type, block.value
        if kind == "paragraph":
            parts.append({"kind": "html", "html": expand_db_html(value.source)})
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
                    "html": expand_db_html(value.source),
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
                "authors": [display_name(a) for a in story.authors.all()],
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
