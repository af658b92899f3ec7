"""Every figure the lecture's slides show fits the place the slides give it: the table
`helpers.slides.SLOTS` against the committed PNGs in figures/, against the lecture itself where
its folder sits beside the project (../shared/lecture), and against the notebooks, whose cells
leave the size of a slide figure to that table."""

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from helpers.paths import repo_root
from helpers.plotting import SAVE_DPI
from helpers.slides import HALF_COLUMN_PX, SLOTS

FIGURES = repo_root() / "figures"
COLUMN_FIGURES = [name for name, slot in SLOTS.items() if slot.height_px is not None]
LECTURE = repo_root().parent / "shared" / "lecture"
# How a slide shows a figure: `![h:300](figures/chain_rule.png)` or `![bg 70%](figures/...)`.
SLIDE_IMAGE = re.compile(r"!\[(?:h:(\d+)|bg (\d+)%)\]\(figures/([\w-]+)\.png\)")
needs_the_lecture = pytest.mark.skipif(
    not (LECTURE / "lecture.md").is_file(), reason="the lecture is not beside the project"
)


def size_and_dpi(path: Path) -> tuple[int, int, float | None]:
    with Image.open(path) as image:
        dpi = image.info.get("dpi")
        return image.width, image.height, dpi[0] if dpi else None


@needs_the_lecture
def test_the_table_is_every_figure_of_the_slides_at_the_slides_size():
    shown = SLIDE_IMAGE.findall((LECTURE / "lecture.md").read_text(encoding="utf-8"))
    on_slides = {name: (int(h) if h else None, int(bg) if bg else None) for h, bg, name in shown}
    in_table = {name: (slot.height_px, slot.background_percent) for name, slot in SLOTS.items()}
    assert in_table == on_slides


@needs_the_lecture
def test_the_half_column_is_as_wide_as_the_lecture_says():
    stated = re.search(r"a half column is (\d+) px wide", (LECTURE / "README.md").read_text())
    assert stated and int(stated.group(1)) == HALF_COLUMN_PX


@pytest.mark.parametrize("name", sorted(SLOTS))
def test_slide_figure_is_committed_with_its_dpi(name):
    dpi = size_and_dpi(FIGURES / f"{name}.png")[2]
    assert dpi is not None and round(dpi) >= SAVE_DPI, f"{name}: dpi {dpi}"


@pytest.mark.parametrize("name", COLUMN_FIGURES)
def test_column_figure_fits_its_slot_and_stays_readable(name):
    slot_height = SLOTS[name].height_px
    width, height, dpi = size_and_dpi(FIGURES / f"{name}.png")
    # Drawn slot_height px high, it must be at most a half column wide...
    assert width * slot_height / height <= HALF_COLUMN_PX * 1.01, f"{name}: {width}x{height}"
    # ...and a 10-point label must get at least 10 screen pixels there.
    assert slot_height / height * dpi / 72 >= 1.0, f"{name}: text too small at slot size"


@pytest.mark.parametrize("path", sorted(FIGURES.glob("*.png")), ids=lambda p: p.name)
def test_every_committed_figure_records_its_dpi(path):
    assert size_and_dpi(path)[2] is not None


def test_lesson_cells_leave_slide_sizes_to_the_table():
    """No lesson cell imports the table or sizes a figure it saves for a slide."""
    for notebook in sorted((repo_root() / "notebooks").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            assert "helpers.slides" not in source, notebook.name
            saved = re.findall(r"save_figure\(fig, \"([\w-]+)\"\)", source)
            if any(name in SLOTS for name in saved):
                assert "figsize" not in source, f"{notebook.name}: {saved}"
