"""HTML to PDF with WeasyPrint, and putting rendered PDFs together with pypdf.

- Fonts come from `exports/fonts/` only (declared in `pdf.css`); the URL fetcher
  refuses every other URL, so a document can neither load remote resources nor read
  files of the host.
- `render_pdf` returns the bytes and the page count of one document.
- `assemble` concatenates parts into one PDF, adds the outline (bookmarks) and the
  metadata, and stamps a running footer (page X of Y, generated at and by) on every
  page of the result, so that parts can be rendered and cached on their own.
"""

import io
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
STYLESHEET = Path(__file__).resolve().parent / "templates" / "exports" / "pdf.css"
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "yi", "dv"})


def direction(language: str | None) -> str:
    base = (language or "").split("-")[0].lower()
    return "rtl" if base in RTL_LANGUAGES else "ltr"


class FontsOnlyFetcher(URLFetcher):
    """Serves the bundled fonts and nothing else (no network, no host files)."""

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            from urllib.parse import unquote, urlsplit

            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.parent == FONTS_DIR and path.suffix == ".ttf":
                return super().fetch(url, headers)
        raise ValueError(f"Resource refused in PDF exports: {url[:80]}")


@dataclass
class Rendered:
    pdf: bytes
    pages: int


def render_html(html: str) -> Rendered:
    font_config = FontConfiguration()
    fetcher = FontsOnlyFetcher(allowed_protocols={"file"})
    base_url = FONTS_DIR.as_uri() + "/"
    stylesheet = CSS(
        filename=str(STYLESHEET),
        base_url=base_url,
        font_config=font_config,
        url_fetcher=fetcher,
    )
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=font_config
    )
    return Rendered(pdf=document.write_pdf(), pages=len(document.pages))


def render_template(template: str, context: dict, language: str) -> Rendered:
    """Render a template to PDF with labels in `language`."""
    with translation.override(language):
        html = render_to_string(template, context)
    return render_html(html)


@dataclass
class Part:
    pdf: bytes
    title: str  # the outline entry for the part's first page
    import_outline: bool = True  # the part's own headings become sub-entries
    pages: int = 0


@dataclass
class Metadata:
    title: str
    author: str
    language: str
    subject: str = ""
    keywords: list[str] = field(default_factory=list)


def assemble(parts: list[Part], metadata: Metadata, stamp_pdf: bytes) -> bytes:
    """One PDF from the parts, with an outline entry per part, the metadata, and
    each page of `stamp_pdf` (the running footers) laid over the page of the same
    number."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter()
    for part in parts:
        writer.append(
            PdfReader(io.BytesIO(part.pdf)),
            outline_item=part.title,
            import_outline=part.import_outline,
        )
    stamps = PdfReader(io.BytesIO(stamp_pdf)).pages
    if len(stamps) != len(writer.pages):
        raise ValueError("The footer layer and the document differ in page count.")
    for page, stamp in zip(writer.pages, stamps, strict=True):
        page.merge_page(stamp, over=True)
    writer.add_metadata(
        {
            "/Title": metadata.title,
            "/Author": metadata.author,
            "/Subject": metadata.subject,
            "/Keywords": ", ".join(metadata.keywords),
            "/Creator": "Grants and affiliate reporting portal",
            "/Producer": "WeasyPrint and pypdf",
        }
    )
    writer._root_object[NameObject("/Lang")] = TextStringObject(metadata.language)
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
