"""PDFs anyone can read: poppler (what many screen-reader pipelines and text
extractors use) sees them tagged, and Arabic and Chinese come out in reading order."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from exports.rendering import render_html
from tests.factories import ProposalFactory

from .conftest import build, download, get_pdf, read_pdf

ARABIC = "نظمنا ورشة تحرير في القاهرة مع المتطوعين الجدد"
CHINESE = "我们在吉隆坡举办了编辑马拉松并培训新编者"
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def poppler(tool: str, pdf, *options: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: `make test` installs poppler-utils as root")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf.data)
        args = [tool, *options, str(path)] + (["-"] if tool == "pdftotext" else [])
        result = subprocess.run(args, capture_output=True, text=True, check=True)  # noqa: S603
    return result.stdout


def reading_text(pdf) -> str:
    """The text as pdftotext reads it, bidi marks and line breaks removed."""
    return re.sub(r"\s+", " ", BIDI_MARKS.sub("", poppler("pdftotext", pdf)))


@pytest.mark.django_db
@pytest.mark.parametrize("language,sentence", [("ar", ARABIC), ("zh-hans", CHINESE)])
def test_proposal_pdf_is_tagged_and_reads_in_order(
    admin_a, affiliate_a, language, sentence
):
    proposal = ProposalFactory(
        affiliate=affiliate_a, language=language, description=sentence
    )
    pdf = get_pdf(admin_a, f"/api/v1/proposals/{proposal.pk}/pdf/")
    info = poppler("pdfinfo", pdf)
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    # The words in the order they are read, not as glyphs are laid out.
    text = reading_text(pdf)
    assert sentence in (text if language == "ar" else text.replace(" ", ""))


@pytest.mark.django_db
def test_round_packet_is_tagged_and_reads_in_order(world, affiliate_b):
    world.new_proposal(affiliate_b, title="Arabic proposal", description=ARABIC)
    world.new_proposal(affiliate_b, title="Chinese proposal", description=CHINESE)
    pdf = download(world.staff, build(world.staff, world.round))
    info = poppler("pdfinfo", pdf)
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    text = reading_text(pdf)
    assert ARABIC in text
    assert CHINESE in text.replace(" ", "")


def test_each_run_of_text_sits_in_its_own_element():
    """WeasyPrint wraps every run of text in a bare Span; the portal folds those into
    their parents (fewer elements for every packet to join). A reader still finds
    each run in its heading, paragraph, cell and list item, in order, and the words
    an inline element sets apart still apart."""
    html = (
        '<html lang="en"><body><h1>Budget</h1>'
        "<p>First <strong>bold</strong> and <span>plain</span> text.</p>"
        "<table><thead><tr><th>Item</th><th>Cost</th></tr></thead><tbody>"
        "<tr><td>Venue</td><td>1,200 <em>EUR</em></td></tr></tbody></table>"
        "<ul><li>One</li><li>Two</li></ul></body></html>"
    )
    pdf = read_pdf(render_html(html).pdf)
    tree = [
        line.strip() for line in poppler("pdfinfo", pdf, "-struct-text").splitlines()
    ]
    assert "Span (inline)" not in tree
    expected = [
        ["H1 (block)", '"Budget"'],
        [
            "P (block)",
            '"First "',
            "NonStruct",
            '"bold"',
            '" and "',
            '"plain"',
            '" text."',
        ],
        ["TH <", '"Item"'],
        ["/Headers", '"Venue"'],
        ["/Headers", '"1,200 "', "NonStruct", '"EUR"'],
        ["LBody (block)", '"One"'],
    ]
    for run in expected:
        starts = [i for i, line in enumerate(tree) if line.startswith(run[0])]
        assert any(tree[i + 1 : i + len(run)] == run[1:] for i in starts), (run, tree)
    # Every id on the page is claimed by the element that lists it, and nothing
    # is left of the folded spans in the tree.
    assert pdf.structure_problems() == []
    assert "?" not in pdf.structure_elements()
