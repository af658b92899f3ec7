"""The handout (`make handout`): one PDF of the whole course, A4 and Letter, checked with pypdf.

Each must open, have at least a page per section, hold every notebook's title and every line of
every code cell in full (the last characters of each line are in the PDF's text: nothing cut at
the margin), and embed at least as many images as the notebooks have figures."""

import json
import re
import unicodedata
from pathlib import Path

import pytest

from helpers.paths import repo_root

pypdf = pytest.importorskip("pypdf", reason="run `make site-test`: it installs the dev tools")

HANDOUT = repo_root() / "build" / "handout"
PDFS = [HANDOUT / f"beyond-least-squares-{paper}.pdf" for paper in ("a4", "letter")]
STUDENT = sorted((repo_root() / "student").glob("[0-9][0-9]_*.ipynb"))

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
            if cell["cell_type"] != "code":
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
