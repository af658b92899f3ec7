"""The handout (`make handout`): one PDF of the whole course, A4 and Letter, checked with pypdf
and, page by page as images, with pypdfium2.

Each must open, have at least a page per section, hold every notebook's title and every line of
every code cell in full (the last characters of each line are in the PDF's text: nothing cut at
the margin), and embed at least as many images as the notebooks have figures. No line of a cell
that the notebooks keep collapsed (the checks) may be printed, and no page may hold a box with
nothing in it (tests/site/page_boxes.py): pages that do are written to .e2e/ as PNGs."""

import json
import re
import unicodedata
from pathlib import Path

import pytest

from helpers.paths import repo_root
from tests.site.page_boxes import empty_boxes
from tools.build_site import is_collapsed

pypdf = pytest.importorskip("pypdf", reason="run `make site-test`: it installs the dev tools")

HANDOUT = repo_root() / "build" / "handout"
PDFS = [HANDOUT / f"beyond-least-squares-{paper}.pdf" for paper in ("a4", "letter")]
STUDENT = sorted((repo_root() / "student").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = repo_root() / ".e2e"
DPI = 100  # a line of code is 12 pixels high, its glyphs' strokes a pixel or two wide

if not all(path.is_file() for path in PDFS):
    pytest.skip("build the handout first: make handout", allow_module_level=True)


def cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def squeezed(text: str) -> str:
    """Text without whitespace or the ↪ of a wrapped line (line breaks fall anywhere in a PDF),
    with ligatures (ﬀ) spelled out and the site's typographic quotes (’ “ ”) made plain."""
    text = unicodedata.normalize("NFKC", text).translate(str.maketrans("‘’“”", "''\"\""))
    return re.sub(r"[\s↪]+", "", text)


@pytest.fixture(scope="module", params=PDFS, ids=lambda path: path.stem)
def handout(request):
    reader = pypdf.PdfReader(request.param)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return reader, text


def test_a_page_per_section_at_least(handout):
    reader, _ = handout
    sections = sum(
        line.startswith("## ")
        for notebook in STUDENT
        for cell in cells(notebook)
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
    )
    assert len(reader.pages) >= sections > 0


def test_every_notebook_title_is_there(handout):
    _, text = handout
    for notebook in STUDENT:
        title = "".join(cells(notebook)[0]["source"]).splitlines()[0].removeprefix("# ")
        assert squeezed(title) in squeezed(text), title


def test_every_code_line_is_there_in_full(handout):
    _, text = handout
    found, missing = squeezed(text), []
    for notebook in STUDENT:
        for cell in cells(notebook):
            if cell["cell_type"] != "code" or is_collapsed(cell):
                continue
            for line in "".join(cell["source"]).splitlines():
                end = squeezed(line)[-12:]  # the last characters: what a margin would cut
                if len(end) >= 4 and end not in found:
                    missing.append(f"{notebook.name}: {line.strip()[:90]}")
    assert not missing, f"{len(missing)} code lines cut or missing, e.g. {missing[:5]}"


def test_the_figures_are_embedded(handout):
    reader, _ = handout
    figures = sum(
        "image/png" in output.get("data", {})
        for notebook in STUDENT
        for cell in cells(notebook)
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
    )
    images = sum(len(page.images) for page in reader.pages)
    assert images >= figures > 0, (images, figures)


def printed_text(cell: dict) -> str:
    """What the handout prints of a cell: its source unless collapsed, and its outputs' text."""
    source = "" if is_collapsed(cell) else "".join(cell["source"])
    outputs = [
        "".join(output.get("text", output.get("data", {}).get("text/plain", "")))
        for output in cell.get("outputs", [])
    ]
    return "\n".join([source, *outputs])


def test_no_line_of_a_collapsed_cell_is_printed(handout):
    _, text = handout
    found, printed = squeezed(text), []
    for notebook in STUDENT:
        elsewhere = squeezed("\n".join(printed_text(cell) for cell in cells(notebook)))
        for cell in cells(notebook):
            if cell["cell_type"] != "code" or not is_collapsed(cell):
                continue
            for line in "".join(cell["source"]).splitlines():
                line_text = squeezed(line)
                # A line long enough to be its own, that nothing printed holds as well.
                if len(line_text) >= 16 and line_text not in elsewhere and line_text in found:
                    printed.append(f"{notebook.name}: {line.strip()[:90]}")
    assert not printed, f"{len(printed)} lines of collapsed cells printed, e.g. {printed[:5]}"


@pytest.mark.parametrize("pdf", PDFS, ids=lambda path: path.stem)
def test_no_page_holds_an_empty_box(pdf):
    pdfium = pytest.importorskip("pypdfium2", reason="run `make site-test`: it installs it")
    document = pdfium.PdfDocument(pdf)
    pages_with_empty_boxes = []
    try:
        for number, page in enumerate(document, start=1):
            pixels = page.render(scale=DPI / 72).to_numpy()
            boxes = empty_boxes(pixels, DPI)
            if boxes:
                where = ", ".join(f"{b.height_mm:.0f} mm at {b.top_mm:.0f} mm" for b in boxes)
                pages_with_empty_boxes.append(f"page {number} ({where})")
                SCREENSHOTS.mkdir(exist_ok=True)
                image = SCREENSHOTS / f"{pdf.stem}-page-{number}.png"
                page.render(scale=DPI / 72).to_pil().save(image)
    finally:
        document.close()
    assert not pages_with_empty_boxes, (
        f"{len(pages_with_empty_boxes)} pages with a box left empty (images in .e2e/): "
        + "; ".join(pages_with_empty_boxes)
    )
