"""HTML to PDF with WeasyPrint, and putting rendered PDFs together with pikepdf.

- Fonts come from `exports/fonts/` only (declared in `pdf.css`); the URL fetcher
  refuses every other URL, so a document can neither load remote resources nor read
  files of the host.
- `render_pdf` returns the bytes and the page count of one document.
- `assemble` concatenates parts into one PDF, adds the outline (bookmarks) and the
  metadata, and stamps a running footer (page X of Y, generated at and by) on every
  page of the result, so that parts can be rendered and cached on their own.
"""

import functools
import gc
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
        _out_of_full_collections()
    return _loaded.font_config, _loaded.stylesheet


@functools.cache
def _out_of_full_collections() -> None:
    """The fonts and stylesheet are some 280,000 objects that live as long as the
    process: take them (and what was loaded before them) out of the garbage
    collector's passes, which would otherwise walk them all in every full pass
    (about 0.1 s each, several a packet; a cold packet is 14 % faster). Once per
    process, after one full collection of what is already garbage (the first PDF
    a process renders pays it). The portal's processes render in one thread
    (gunicorn's sync workers, db_worker); another thread's fonts stay collectable,
    as before."""
    gc.collect()
    gc.freeze()


def render_html(html: str) -> Rendered:
    font_config, stylesheet = _fonts_and_stylesheet()
    fetcher = FontsOnlyFetcher(allowed_protocols={"file"})
    document = HTML(
        string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=fetcher
    ).render(stylesheets=[stylesheet], font_config=font_config)
    return Rendered(
        pdf=document.write_pdf(pdf_variant="pdf/ua-1", finisher=_fold_text_spans),
        pages=len(document.pages),
    )


# What WeasyPrint writes in a structure element of its own for each run of text.
_BARE_SPAN_KEYS = frozenset({"Type", "S", "K", "Pg", "P"})


def _fold_text_spans(_document, pdf) -> None:
    """WeasyPrint gives every run of text a /Span structure element of its own,
    holding the run's one marked-content id and nothing else: no language, no
    alternative text, nothing a screen reader would announce. Such a span is put
    back into its parent: the parent lists the id in the span's place, and the
    parent tree maps the id to the parent. The text is read the same, in the same
    order, under the same cell, paragraph or heading; a dossier loses half of its
    structure elements (362 of 736 in five pages), and each of them costs its share
    of every packet that joins the dossier (parsed, copied, written, freed).

    Runs on WeasyPrint's own objects before they are written (`finisher`): pydyf
    numbers objects by their place in `pdf.objects`, so a folded span's place is
    kept by an empty dictionary that nothing refers to."""
    import pydyf

    objects = pdf.objects

    def element_at(reference):
        if not isinstance(reference, bytes):
            return None  # a marked-content id
        found = objects[int(reference.split(b" ", 1)[0])]
        if isinstance(found, pydyf.Dictionary) and found.get("Type") == "/StructElem":
            return found
        return None

    folded = {}  # span's reference -> its parent's reference
    # Children come after their parents in `objects`: the last first, so that a
    # span left with one id by folding its own kid folds too.
    for element in reversed(objects):
        if not isinstance(element, pydyf.Dictionary):
            continue
        if element.get("Type") != "/StructElem":
            continue
        kids = element.get("K")
        if not isinstance(kids, list):
            continue
        for index, kid in enumerate(kids):
            span = element_at(kid)
            if (
                span is None
                or span["S"] != "/Span"
                or span.keys() - _BARE_SPAN_KEYS
                or span.get("Pg") != element.get("Pg")
                or not isinstance(span["K"], list)
                or len(span["K"]) != 1
                or not isinstance(span["K"][0], int)
            ):
                continue
            kids[index] = span["K"][0]
            folded[kid] = element.reference
    if not folded:
        return

    def owner(reference):  # a folded span may have folded into a span folded later
        while reference in folded:
            reference = folded[reference]
        return reference

    root = objects[int(pdf.catalog["StructTreeRoot"].split(b" ", 1)[0])]
    parent_tree = objects[int(root["ParentTree"].split(b" ", 1)[0])]
    for entry in parent_tree["Nums"][1::2]:
        if isinstance(entry, list):  # a page's ids, in order
            entry[:] = [owner(reference) for reference in entry]
    for reference in folded:
        number = int(reference.split(b" ", 1)[0])
        placeholder = pydyf.Dictionary()
        placeholder.number = number
        objects[number] = placeholder


def render_template(template: str, context: dict, language: str) -> Rendered:
    """Render a template to PDF with labels in `language`."""
    with translation.override(language):
        html = render_to_string(template, context)
    return render_html(html)


@dataclass
class Part:
    pdf: bytes
    # The outline entry for its first page; its headings go under it. None: no
    # entry of its own, its headings go under the previous part's entry.
    title: str | None


@dataclass
class Metadata:
    title: str
    author: str
    language: str
    subject: str = ""


def assemble(parts, metadata, numbers_pdf, footer_pdf) -> bytes:
    """One PDF from the parts, with an outline entry per part and the metadata.
    Over each page go the page of the same number from `numbers_pdf` ("page X of
    Y") and the one page of `footer_pdf` (generated at and by, the same on every
    page, so stored once). The parts are tagged PDFs: their structure trees are
    joined under one Document element, so the packet stays tagged."""
    import pikepdf
    from pikepdf import Dictionary, Name, Pdf

    out = Pdf.new()
    structure = _Structure(out, metadata.language)
    outline = []  # [title, first page, [(heading, destination, children), ...]]
    sources = []  # kept open until saved: copied objects are read lazily
    for part in parts:
        source = Pdf.open(io.BytesIO(part.pdf))
        sources.append(source)
        first = len(out.pages)
        out.add_pages_from(source, forms="strip", outlines="ignore")
        structure.add(source, out.pages[first:])
        headings = [(*heading, first) for heading in _headings(source)]
        if part.title is None and outline:
            outline[-1][2].extend(headings)
        else:
            outline.append([part.title, first, headings])
    numbers = Pdf.open(io.BytesIO(numbers_pdf))
    if len(numbers.pages) != len(out.pages):
        raise ValueError("The page numbers and the document differ in page count.")
    footer_source = Pdf.open(io.BytesIO(footer_pdf))
    footer = out.copy_foreign(footer_source.pages[0].as_form_xobject())
    for index, (page, number) in enumerate(zip(out.pages, numbers.pages, strict=True)):
        _overlay(
            out,
            page,
            {
                Name.PortalFooter: footer,
                Name(f"/PortalPage{index}"): out.copy_foreign(number.as_form_xobject()),
            },
        )
    structure.finish()
    with out.open_outline() as tree:
        for title, first, headings in outline:
            item = pikepdf.OutlineItem(title, first)
            for heading, destination, children, offset in headings:
                _add_headings(
                    item, [(heading, destination, children)], out.pages, offset
                )
            tree.root.append(item)
    out.docinfo[Name.Title] = metadata.title
    out.docinfo[Name.Author] = metadata.author
    out.docinfo[Name.Subject] = metadata.subject
    out.docinfo[Name.Creator] = "Grants and affiliate reporting portal"
    out.docinfo[Name.Producer] = "WeasyPrint and pikepdf"
    out.Root.Lang = pikepdf.String(metadata.language)
    out.Root.PageMode = Name.UseOutlines
    out.Root.MarkInfo = Dictionary(Marked=True)
    out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    buffer = io.BytesIO()
    out.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _headings(source) -> list:
    """The part's own bookmarks (its headings, from WeasyPrint) as
    `(title, destination, children)`, destinations still pointing into `source`."""

    def walk(items):
        return [
            (str(item.title), item.destination, walk(item.children))
            for item in items
            if item.destination is not None
        ]

    with source.open_outline() as outline:
        return walk(outline.root)


def _add_headings(parent, headings, pages, first: int) -> None:
    """Copy the headings under the part's entry, each pointing at the same spot of
    the copied page (`pages[first]` is the part's first page)."""
    import pikepdf

    for title, destination, children in headings:
        if not isinstance(destination, pikepdf.Array) or not len(destination):
            continue  # a named destination: WeasyPrint writes none
        index = first + pikepdf.Page(destination[0]).index
        spot = pikepdf.Array([pages[index].obj, *list(destination)[1:]])
        item = pikepdf.OutlineItem(title, spot)
        _add_headings(item, children, pages, first)
        parent.children.append(item)


def _overlay(pdf, page, forms: dict) -> None:
    """Draw the forms over `page`; the page's own drawing is wrapped in q/Q so
    that it cannot shift them. Page numbers and footers are layout, not content:
    marked as artifacts so that a screen reader skips them (the tagged parts carry
    their own words)."""
    import pikepdf
    from pikepdf import Dictionary, Name

    # Pages may share one resource dictionary: each gets its own, so that a page
    # lists only its own page-number form.
    resources = Dictionary(page.obj.get(Name.Resources, Dictionary()))
    xobjects = Dictionary(resources.get(Name.XObject, Dictionary()))
    for name, form in forms.items():
        xobjects[name] = form
    resources[Name.XObject] = xobjects
    page.obj[Name.Resources] = resources
    draw = b"".join(b" q " + bytes(str(name), "ascii") + b" Do Q" for name in forms)
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(
        pikepdf.Stream(pdf, b"\nQ /Artifact BMC" + draw + b" EMC\n"), prepend=False
    )


def _copy(pdf, source, value):
    """`value` of `source`, made part of `pdf` by qpdf in one call: indirect objects
    are copied once (later references to them, pages included, map to the same
    copy); a direct array or dictionary is first made an indirect object of
    `source`, so that its members are copied along with it rather than one by one
    from Python (a part's parent tree holds thousands of references)."""
    import pikepdf

    if not isinstance(value, pikepdf.Object):
        return value
    if not value.is_indirect:
        if not isinstance(value, pikepdf.Array | pikepdf.Dictionary):
            return value
        value = source.make_indirect(value)
    return pdf.copy_foreign(value)


class _Structure:
    """The parts' structure trees (they are tagged PDFs, see `render_html`) joined
    under one Document element, each part's own Document element made a Part.

    Each part's elements are copied with `copy_foreign`, which maps the part's pages
    to the copies `add_pages_from` already made, so they point at the right pages; the
    parts' parent-tree keys (one per page) are shifted past the previous parts'
    keys, and each page's /StructParents with them."""

    def __init__(self, pdf, language: str):
        from pikepdf import Array, Dictionary, Name, String

        self.pdf = pdf
        self.document = pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Document, Lang=String(language))
        )
        self.kids, self.nums, self.offset = Array(), Array(), 0

    def add(self, source, copies) -> None:
        from pikepdf import Array, Name

        tree = source.Root.get(Name.StructTreeRoot)
        if tree is None:
            raise ValueError("A part of the packet is not a tagged PDF.")
        nums = tree.ParentTree.get(Name.Nums)
        if nums is None:
            raise ValueError("A part's parent tree is nested; expected one /Nums.")
        elements = tree.K if isinstance(tree.K, Array) else [tree.K]
        for element in elements:
            # Cut the link up to the part's own tree root first, or the copy would
            # drag that root (and all it holds) along for nothing.
            if Name.P in element:
                del element[Name.P]
            copied = _copy(self.pdf, source, element)
            copied.P = self.document
            if copied.get(Name.S) == Name.Document:
                # The part's own root: one division of the packet's document.
                copied.S = Name.Part
            self.kids.append(copied)
        keys = []
        for index in range(0, len(nums), 2):
            keys.append(int(nums[index]))
            self.nums.append(int(nums[index]) + self.offset)
            self.nums.append(_copy(self.pdf, source, nums[index + 1]))
        for page in copies:
            if Name.StructParents in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + self.offset
            for annotation in page.obj.get(Name.Annots, []):
                if Name.StructParent in annotation:
                    annotation.StructParent = int(annotation.StructParent) + self.offset
        self.offset += max(keys, default=-1) + 1

    def finish(self) -> None:
        from pikepdf import Array, Dictionary, Name

        self.document.K = self.kids
        tree = self.pdf.make_indirect(
            Dictionary(
                Type=Name.StructTreeRoot,
                K=Array([self.document]),
                ParentTree=self.pdf.make_indirect(Dictionary(Nums=self.nums)),
                ParentTreeNextKey=self.offset,
            )
        )
        self.document.P = tree
        self.pdf.Root.StructTreeRoot = tree
