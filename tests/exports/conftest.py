"""Reading PDFs the way a reader does: their text, fonts, outline and metadata."""

import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from tests.grants.conftest import ReviewWorld

BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def world(staff, affiliate_a):
    return ReviewWorld(staff, affiliate_a)


class ReadPDF:
    def __init__(self, data: bytes):
        assert data[:5] == b"%PDF-", data[:200]
        self.data = data
        self.reader = PdfReader(io.BytesIO(data))

    @property
    def pages(self) -> list[str]:
        return [page.extract_text() or "" for page in self.reader.pages]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    def has(self, needle: str) -> bool:
        """Whether the text shows `needle`, ignoring spacing and bidi controls
        (extractors space out joined Arabic letters and may reverse RTL runs)."""

        def squash(value: str) -> str:
            value = unicodedata.normalize("NFKC", BIDI_MARKS.sub("", value))
            return re.sub(r"\s+", "", value)

        text, wanted = squash(self.text), squash(needle)
        return wanted in text or wanted[::-1] in text

    def fonts(self) -> dict[str, bool]:
        """{font name: embedded?} over every page, composite fonts included."""
        found = {}
        for page in self.reader.pages:
            resources = page.get("/Resources") or {}
            fonts = resources.get("/Font") or {}
            for ref in fonts.values():
                font = ref.get_object()
                descriptors = [font.get("/FontDescriptor")]
                for child in font.get("/DescendantFonts") or []:
                    descriptors.append(child.get_object().get("/FontDescriptor"))
                embedded = any(
                    d is not None
                    and any(
                        k in d.get_object()
                        for k in ("/FontFile", "/FontFile2", "/FontFile3")
                    )
                    for d in descriptors
                )
                found[str(font.get("/BaseFont"))] = embedded
        return found

    def outline(self) -> list[tuple[str, int]]:
        """Top-level bookmarks: (title, 1-based page)."""
        return [
            (item.title, self.reader.get_destination_page_number(item) + 1)
            for item in self.reader.outline
            if not isinstance(item, list)
        ]

    @property
    def metadata(self):
        return self.reader.metadata

    @property
    def tagged(self) -> bool:
        """Tagged for screen readers: marked content with a structure tree."""
        root = self.reader.trailer["/Root"]
        marked = root.get("/MarkInfo", {}).get("/Marked")
        return bool(marked) and "/StructTreeRoot" in root

    def structure_problems(self) -> list[str]:
        """What breaks the structure tree: elements pointing at pages that are not in
        the document, pages whose /StructParents key the parent tree lacks."""
        root = self.reader.trailer["/Root"]["/StructTreeRoot"].get_object()
        pages = {page.indirect_reference.idnum for page in self.reader.pages}
        problems, seen, todo = [], set(), [root["/K"]]
        while todo:
            node = todo.pop()
            if isinstance(node, list):
                todo.extend(node)
                continue
            if hasattr(node, "idnum"):
                if node.idnum in seen:
                    continue
                seen.add(node.idnum)
            node = node.get_object()
            if not isinstance(node, dict):
                continue
            page = node.get("/Pg")
            if page is not None and page.idnum not in pages:
                problems.append(f"element {node.get('/S')} points at a missing page")
            if "/K" in node:
                todo.append(node["/K"])
        nums = root["/ParentTree"].get_object()["/Nums"]
        entries = {
            int(nums[i]): nums[i + 1].get_object() for i in range(0, len(nums), 2)
        }
        for number, page in enumerate(self.reader.pages, start=1):
            if "/StructParents" not in page:
                problems.append(f"page {number} has no key into the parent tree")
                continue
            entry = entries.get(int(page["/StructParents"]))
            if entry is None:
                problems.append(f"page {number} is missing from the parent tree")
                continue
            # The page's marked content belongs to elements on that very page.
            for element in entry:
                element = element.get_object() if element is not None else None
                if element is not None and "/Pg" in element:
                    if element.get("/Pg").idnum != page.indirect_reference.idnum:
                        problems.append(f"page {number}: another page's entry")
                        break
        return problems + self.unclaimed_content()

    def unclaimed_content(self) -> list[str]:
        """Marked content a screen reader could not place: an id in a page's content
        stream whose parent-tree entry is missing, or names an element that does not
        list the id among its kids (a number, or a marked-content reference)."""
        import pikepdf

        problems = []
        with pikepdf.Pdf.open(io.BytesIO(self.data)) as pdf:
            nums = pdf.Root.StructTreeRoot.ParentTree.Nums
            entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
            for number, page in enumerate(pdf.pages, start=1):
                ids = [
                    int(operands[1].MCID)
                    for operands, operator in pikepdf.parse_content_stream(page)
                    if operator == pikepdf.Operator("BDC")
                    and isinstance(operands[1], pikepdf.Dictionary)
                    and "/MCID" in operands[1]
                ]
                entry = entries.get(int(page.obj.get("/StructParents", -1)))
                for mcid in ids:
                    if entry is None or mcid >= len(entry):
                        problems.append(f"page {number}: id {mcid} is not in the tree")
                        continue
                    kids = entry[mcid].get("/K")
                    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
                    if not any(
                        kid == mcid
                        or (
                            isinstance(kid, pikepdf.Dictionary)
                            and kid.get("/MCID") == mcid
                        )
                        for kid in kids
                    ):
                        problems.append(f"page {number}: id {mcid}'s element lacks it")
        return problems

    def structure_elements(self) -> list[str]:
        """The structure types of every element of the tree, in tree order; a kid
        that is neither an element nor a reference to content or an annotation
        (say, what is left of an element folded away) is listed as "?"."""
        import pikepdf

        found = []
        with pikepdf.Pdf.open(io.BytesIO(self.data)) as pdf:
            todo = [pdf.Root.StructTreeRoot.K]
            while todo:
                node = todo.pop()
                if isinstance(node, pikepdf.Array):
                    todo.extend(reversed(list(node)))
                elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
                    found.append(str(node.S))
                    if "/K" in node:
                        todo.append(node.K)
                elif isinstance(node, pikepdf.Dictionary):
                    if node.get("/Type") not in ("/MCR", "/OBJR"):
                        found.append("?")
                elif not isinstance(node, int):
                    found.append("?")
        return found

    @property
    def language(self) -> str:
        return str(self.reader.trailer["/Root"].get("/Lang"))


def read_pdf(data: bytes) -> ReadPDF:
    return ReadPDF(data)


def get_pdf(user, url, **headers) -> ReadPDF:
    """GET a PDF endpoint as `user`; it must answer 200 with a PDF."""
    from tests.conftest import client_for

    response = client_for(user).get(url, **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return read_pdf(response.content)


def packet_job(world, user, **fields):
    """A round packet job of the world's round, as the API records it (queued
    unless `fields` say otherwise), for tests that run its steps themselves."""
    from exports.choices import ExportKind
    from exports.models import Export

    return Export.objects.create(
        kind=ExportKind.PACKET,
        object_id=world.round.pk,
        label="Packet",
        language="en",
        requested_by=user,
        **fields,
    )


def build(user, round_) -> dict:
    """Ask for the round's packet as `user` (built at once in tests); the job."""
    from tests.conftest import client_for

    response = client_for(user).post(f"/api/v1/rounds/{round_.pk}/packet/")
    assert response.status_code == 202, response.content
    return client_for(user).get(f"/api/v1/jobs/{response.json()['id']}/").json()


def download(user, job) -> ReadPDF:
    from tests.conftest import client_for

    response = client_for(user).get(f"/api/v1/jobs/{job['id']}/download/")
    assert response.status_code == 200, response.content[:300]
    return read_pdf(b"".join(response.streaming_content))


def assert_fonts_embedded(pdf: ReadPDF):
    fonts = pdf.fonts()
    assert fonts, "no fonts found"
    assert all(fonts.values()), fonts
    # Only the bundled fonts: nothing picked from the host.
    assert all("Portal" in name for name in fonts), fonts
