"""What every document shares: its language, direction, running header and footer.

A document is a template plus a context made only of plain values (strings, numbers,
lists, dicts), built in the language of the document. Plain values make the content
hashable, which is how rendered dossiers are cached (see `content_key`).
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.users import display_name

from ..rendering import direction


@functools.cache
def renderer_version() -> str:
    """A digest of everything besides the data that shapes a rendered document: the
    templates, the stylesheet, the template helpers, the translations, the font
    files' names and the WeasyPrint version. A deploy that changes any of them
    misses the old cache."""
    import weasyprint

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(weasyprint.__version__.encode())
    # The PDF templates only: the pages' templates live in a folder below.
    files = sorted(p for p in (root / "templates" / "exports").iterdir() if p.is_file())
    files += [root / "templatetags" / "pdf.py"]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    # Labels come from the translation catalogs.
    for path in sorted((root.parent / "locale").glob("*/LC_MESSAGES/django.mo")):
        digest.update(path.read_bytes())
    for path in sorted((root / "fonts").glob("*.ttf")):
        digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return digest.hexdigest()


def supported_language(code: str | None, fallback: str) -> str:
    """The interface language closest to `code`, or `fallback`."""
    available = {lang for lang, _name in settings.LANGUAGES}
    if not code:
        return fallback
    code = code.lower()
    if code in available:
        return code
    if code.startswith("zh"):
        return "zh-hans"
    base = code.split("-")[0]
    return base if base in available else fallback


@dataclass
class Document:
    template: str
    context: dict
    title: str
    filename: str
    language: str
    reference: str = ""


def content_key(template: str, language: str, context: dict) -> str:
    payload = json.dumps(
        [renderer_version(), template, language, context],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def page_label_parts() -> tuple[str, str, str]:
    """'Page 3 of 9' cut around the two numbers, in the active language."""
    text = _("Page {page} of {pages}")
    first, second = text.find("{page}"), text.find("{pages}")
    if first < 0 or second < 0 or second < first:
        text = "{page} / {pages}"
        first, second = text.find("{page}"), text.find("{pages}")
    return (
        text[:first],
        text[first + len("{page}") : second],
        text[second + len("{pages}") :],
    )


def doc_meta(
    *,
    title: str,
    language: str,
    actor=None,
    reference: str = "",
    confidential: bool = False,
    stamped: bool = False,
) -> dict:
    """The running header and footer. `stamped` parts get their footer later, from
    the packet they go into, so their content does not depend on who built it."""
    with translation.override(language):
        before, middle, after = page_label_parts()
        portal_name = _("Grants and affiliate reporting portal")
        signed_in = actor is not None and actor.is_authenticated
        by = display_name(actor) if signed_in else _("a visitor")
    meta = {
        "title": title,
        "reference": reference,
        "language": language,
        "dir": direction(language),
        "confidential": confidential,
        "stamped": stamped,
        "author": by if signed_in and not stamped else portal_name,
    }
    if not stamped:
        meta.update(
            generated_at=timezone.now().strftime("%Y-%m-%d %H:%M"),
            generated_by=by,
            page_before=before,
            page_middle=middle,
            page_after=after,
        )
    return meta


def content_lang(language: str | None) -> dict:
    """`lang` and `dir` for a block of user-written text in its own language."""
    return {"lang": language or "und", "dir": direction(language)}
