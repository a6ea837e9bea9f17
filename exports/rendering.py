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
import threading
from dataclasses import dataclass
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


_loaded = threading.local()


def _fonts_and_stylesheet():
    """The parsed stylesheet and its loaded fonts, made once per thread: loading the
    fonts (the Chinese ones are 10 MB each) costs more than laying out a page.
    They never change while the process runs, so nothing is shared between readers."""
    if not hasattr(_loaded, "stylesheet"):
        _loaded.font_config = FontConfiguration()
        _loaded.stylesheet = CSS(
            filename=str(STYLESHEET),
            base_url=FONTS_DIR.as_uri() + "/",
            font_config=_loaded.font_config,
            url_fetcher=FontsOnlyFetcher(allowed_protocols={"file"}),
        )
    return _loaded.font_config, _loaded.stylesheet


def render_html(html: str) -> Rendered:
    font_config, stylesheet = _fonts_and_stylesheet()
    fetcher = FontsOnlyFetcher(allowed_protocols={"file"})
    document = HTML(
        string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=fetcher
    ).render(stylesheets=[stylesheet], font_config=font_config)
    return Rendered(
        pdf=document.write_pdf(pdf_variant="pdf/ua-1"), pages=len(document.pages)
    )


def render_template(template: str, context: dict, language: str) -> Rendered:
    """Render a template to PDF with labels in `language`."""
    with translation.override(language):
        html = render_to_string(template, context)
    return render_html(html)


@dataclass
class Part:
    pdf: bytes
    title: str  # the outline entry for its first page; its headings go under it


@dataclass
class Metadata:
    title: str
    author: str
    language: str
    subject: str = ""


def assemble(
    parts: list[Part], metadata: Metadata, numbers_pdf: bytes, footer_pdf: bytes
) -> bytes:
    """One PDF from the parts, with an outline entry per part and the metadata.
    Over each page go the page of the same number from `numbers_pdf` ("page X of
    Y") and the one page of `footer_pdf` (generated at and by, the same on every
    page, so stored once)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter()
    readers = []
    for part in parts:
        reader = PdfReader(io.BytesIO(part.pdf))
        readers.append((reader, len(writer.pages)))
        writer.append(reader, outline_item=part.title, import_outline=True)
    _join_structure(writer, readers, metadata.language)
    numbers = PdfReader(io.BytesIO(numbers_pdf)).pages
    if len(numbers) != len(writer.pages):
        raise ValueError("The page numbers and the document differ in page count.")
    footer = _form(writer, PdfReader(io.BytesIO(footer_pdf)).pages[0])
    for index, (page, number) in enumerate(zip(writer.pages, numbers, strict=True)):
        _overlay(
            writer,
            page,
            {"/PortalFooter": footer, f"/PortalPage{index}": _form(writer, number)},
        )
    writer.add_metadata(
        {
            "/Title": metadata.title,
            "/Author": metadata.author,
            "/Subject": metadata.subject,
            "/Creator": "Grants and affiliate reporting portal",
            "/Producer": "WeasyPrint and pypdf",
        }
    )
    writer._root_object[NameObject("/Lang")] = TextStringObject(metadata.language)
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _form(writer, source_page):
    """A page of another PDF as a form XObject of `writer`."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject

    form = DecodedStreamObject()
    form.set_data(source_page.get_contents().get_data())
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(source_page.mediabox)
    form[NameObject("/Resources")] = source_page["/Resources"].clone(writer)
    return writer._add_object(form)


def _overlay(writer, page, forms: dict) -> None:
    """Draw the forms over `page`; the page's own drawing is wrapped in q/Q so
    that it cannot shift them. (pypdf's merge_page does the same but rewrites both
    content streams, which is several times slower.)"""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
    )

    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    xobjects = resources["/XObject"].get_object()
    for name, form in forms.items():
        xobjects[NameObject(name)] = form

    def stream(data: bytes):
        obj = DecodedStreamObject()
        obj.set_data(data)
        return writer._add_object(obj)

    # Page numbers and footers are layout, not content: marked as artifacts so that
    # a screen reader skips them (the tagged parts carry their own words).
    draw = b"".join(b" q " + name.encode() + b" Do Q" for name in forms)
    draw = b" /Artifact BMC" + draw + b" EMC"
    contents = page.get("/Contents")
    existing = list(contents) if isinstance(contents, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject(
        [stream(b"q\n"), *existing, stream(b"\nQ" + draw + b"\n")]
    )


def _join_structure(writer, readers, language: str) -> None:
    """Join the parts' structure trees (they are tagged PDFs, see `render_html`) under
    one Document element, so that the packet stays tagged for screen readers.

    pypdf's `append` copies pages but not the structure tree. Each part's tree is
    cloned through the same reader, so its elements point at the pages `append`
    already copied; the parts' parent-tree keys (one per page) are shifted past the
    previous parts' keys, and each page's /StructParents with them."""
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    document = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/Lang"): TextStringObject(language),
        }
    )
    document_ref = writer._add_object(document)
    tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    tree_ref = writer._add_object(tree)
    document[NameObject("/P")] = tree_ref
    kids, nums, offset = ArrayObject(), ArrayObject(), 0
    for reader, first_page in readers:
        source = reader.trailer["/Root"].get("/StructTreeRoot")
        if source is None:
            raise ValueError("A part of the packet is not a tagged PDF.")
        part_tree = source.get_object().clone(writer)
        part_nums = part_tree["/ParentTree"].get_object().get("/Nums")
        if part_nums is None:
            raise ValueError("A part's parent tree is nested; expected one /Nums.")
        for index in range(0, len(part_nums), 2):
            nums.append(NumberObject(int(part_nums[index]) + offset))
            nums.append(part_nums[index + 1])
        elements = part_tree["/K"]
        elements = elements if isinstance(elements, ArrayObject) else [elements]
        for element in elements:
            element.get_object()[NameObject("/P")] = document_ref
            kids.append(element)
        copies = writer.pages[first_page : first_page + len(reader.pages)]
        for page, original in zip(copies, reader.pages, strict=True):
            # `append` leaves out the pages' keys into the parent tree: set them again.
            if "/StructParents" in original:
                page[NameObject("/StructParents")] = NumberObject(
                    int(original["/StructParents"]) + offset
                )
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(
                        int(annotation["/StructParent"]) + offset
                    )
        keys = [int(part_nums[i]) for i in range(0, len(part_nums), 2)]
        offset += max(keys, default=-1) + 1
    document[NameObject("/K")] = kids
    tree[NameObject("/K")] = ArrayObject([document_ref])
    tree[NameObject("/ParentTree")] = writer._add_object(
        DictionaryObject({NameObject("/Nums"): nums})
    )
    tree[NameObject("/ParentTreeNextKey")] = NumberObject(offset)
    root = writer._root_object
    root[NameObject("/StructTreeRoot")] = tree_ref
    root[NameObject("/MarkInfo")] = DictionaryObject(
        {NameObject("/Marked"): BooleanObject(True)}
    )
    root[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)}
    )
