"""Rich text from outside the Wagtail editor, reduced to what the editor itself writes.

The API takes story text as HTML. Stored as sent, it would reach the board's preview
and the public page with whatever scripts, event attributes and `javascript:` links it
carried, and HTML the editor cannot read crashes the editor. So every rich-text value
from the API goes through one path:

1. an allowlist: the elements the Wagtail editor allows for the block's features
   (read from Wagtail's own rules), no attributes except `href` on links, and links
   only to `http:`, `https:` and `mailto:` addresses; scripts, styles and other
   active content are dropped with their content, other elements keep their text;
2. Wagtail's own conversion to the editor's format (contentstate) and back to the
   database format, so that what is stored is exactly what the editor would save.

Anything the conversion cannot read is kept as plain, escaped text.
"""

import json
import logging
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment, Tag
from django.utils.html import escape
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.admin.rich_text.converters.editor_html import WhitelistRule
from wagtail.rich_text import features as feature_registry

logger = logging.getLogger(__name__)

ALLOWED_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed together with their content: never text a reader should see.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "iframe",
        "object",
        "embed",
        "noscript",
        "svg",
        "math",
        "head",
        "title",
        "textarea",
        "select",
    }
)
# Paragraphs and line breaks are always part of rich text.
ALWAYS_ALLOWED = frozenset({"p", "br"})


def allowed_elements(features) -> frozenset[str]:
    """The elements Wagtail's editor accepts for these features."""
    elements = set(ALWAYS_ALLOWED)
    for feature in features:
        for rule in feature_registry.get_converter_rule("editorhtml", feature) or ():
            if isinstance(rule, WhitelistRule):
                elements.add(rule.element)
    return frozenset(elements)


def safe_link(href: str | None) -> str | None:
    """An absolute http(s) or mailto address, or None."""
    if not href:
        return None
    href = href.strip()
    if any(ord(char) < 32 or char in "\x7f\\" for char in href):
        return None
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme.lower() not in ALLOWED_LINK_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return href


def _allowlist(html: str, elements: frozenset[str]) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(list(DROPPED_WITH_CONTENT)):
        tag.decompose()
    for tag in soup.find_all(True):
        if not isinstance(tag, Tag) or tag.decomposed:
            continue
        if tag.name not in elements:
            tag.unwrap()
            continue
        href = safe_link(tag.get("href")) if tag.name == "a" else None
        tag.attrs = {"href": href} if href else {}
        if tag.name == "a" and not href:
            tag.unwrap()
    return str(soup)


def _plain(html: str) -> str:
    text = BeautifulSoup(html, "html.parser").get_text()
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def _only_safe_links(contentstate_json: str) -> str:
    """Links in the editor's format keep only a safe outside address."""
    state = json.loads(contentstate_json)
    entity_map = state.get("entityMap", {})
    unsafe = {
        key
        for key, entity in entity_map.items()
        if entity.get("type") != "LINK"
        or "id" in entity.get("data", {})
        or not safe_link(entity.get("data", {}).get("url"))
    }
    for key in unsafe:
        del entity_map[key]
    for block in state.get("blocks", []):
        block["entityRanges"] = [
            r for r in block.get("entityRanges", []) if str(r.get("key")) not in unsafe
        ]
    return json.dumps(state)


def sanitize_rich_text(html: str, features) -> str:
    """HTML from outside → the database format the Wagtail editor writes."""
    cleaned = _allowlist(html or "", allowed_elements(features))
    converter = ContentstateConverter(list(features))
    try:
        contentstate = converter.from_database_format(cleaned)
        return converter.to_database_format(_only_safe_links(contentstate))
    except Exception:  # the editor's parser asserts on what it cannot read
        logger.info("Rich text kept as plain text: the editor could not read it.")
        return _plain(cleaned)


def clean_stream_data(data, rich_features: dict) -> tuple[list, bool]:
    """Sanitize the rich-text blocks of StreamField data in its JSON form (a list of
    {"type", "value"} dicts). `rich_features` maps block names to their features.
    Returns the data and whether anything changed."""
    changed = False
    for item in data if isinstance(data, list) else []:
        features = (
            rich_features.get(item.get("type")) if isinstance(item, dict) else None
        )
        if features is not None and isinstance(item.get("value"), str):
            cleaned = sanitize_rich_text(item["value"], features)
            if cleaned != item["value"]:
                item["value"], changed = cleaned, True
    return data, changed
