"""Stored notebooks must be what one clean, in-order run of `make run` produced."""

import json
import re

import pytest

from helpers.paths import notebooks_dir

NOTEBOOKS = sorted(notebooks_dir().glob("*.ipynb"))
MACHINE_PATH = re.compile(r"/(work|root|tmp|home|Users|content)/[^\s\"']+")


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    return json.loads(request.param.read_text(encoding="utf-8"))


def test_notebooks_are_numbered():
    for path in NOTEBOOKS:
        assert re.match(r"^\d\d_[a-z0-9_]+\.ipynb$", path.name), path.name


def test_kernelspec_is_python3(notebook):
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


def test_every_code_cell_ran_once_in_order(notebook):
    counts = [cell["execution_count"] for cell in code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1))


def test_no_stored_errors_except_cells_tagged_to_raise(notebook):
    for cell in code_cells(notebook):
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        if "raises-exception" in cell["metadata"].get("tags", []):
            assert errors, "a cell tagged raises-exception must store its error"
        else:
            assert not errors, "".join(cell["source"])[:200]


# Students read every cell. Test tools work through cell tags (nbval-ignore-output), and no
# sentence talks about how or where the stored outputs were produced. The seed study is the
# exception among the benchmarks: it is evidence notebook 05 loads and a student may rerun.
NOT_FOR_STUDENTS = re.compile(
    r"NBVAL|nbval|\bCI\b|machine that produced|course (subset|machine)|benchmarks/(?!seed_study)"
    r"|MNIST_ROOT"
    r"|sanitize"
)


def test_cells_speak_to_students_only(notebook):
    for cell in notebook["cells"]:
        found = NOT_FOR_STUDENTS.search("".join(cell["source"]))
        assert not found, f"{found.group(0)!r} in: {''.join(cell['source'])[:200]}"


def test_the_phrase_check_catches_test_tool_markers():
    for sentence in (
        "# NBVAL_IGNORE_OUTPUT",
        "On the machine that produced these outputs",
        "the course subset",
        "see benchmarks/run.py",
        "CI runs this",
        "set MNIST_ROOT to the subset",
    ):
        assert NOT_FOR_STUDENTS.search(sentence), sentence
    assert not NOT_FOR_STUDENTS.search("loaded from benchmarks/seed_study.json")


def test_no_machine_paths_in_outputs(notebook):
    for cell in code_cells(notebook):
        for output in cell["outputs"]:
            text = json.dumps({k: v for k, v in output.items() if k != "data"})
            text += json.dumps(output.get("data", {}).get("text/plain", ""))
            assert not MACHINE_PATH.search(text), MACHINE_PATH.search(text).group(0)


def test_no_stderr_output_or_widget_state(notebook):
    assert "widgets" not in notebook["metadata"]
    for cell in code_cells(notebook):
        for output in cell["outputs"]:
            if output["output_type"] == "stream":
                assert output["name"] == "stdout", "".join(output["text"])[:300]


def test_every_figure_has_alt_text_in_its_cell_metadata(notebook):
    """The course site (myst-nb) writes `mystnb.image.alt` into each figure's alt attribute:
    one sentence saying what the figure shows."""
    for cell in code_cells(notebook):
        if not any("image/png" in output.get("data", {}) for output in cell["outputs"]):
            continue
        alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
        first_line = "".join(cell["source"]).splitlines()[0]
        assert alt.strip(), f"figure cell without alt text: {first_line}"
        assert alt.endswith(".") and "\n" not in alt and len(alt) >= 40, alt


def test_on_the_slide_notes_all_look_the_same(notebook):
    """Where a slide is loose or wrong, one form says so: a blockquote that begins with a bold
    "On the slide:" (STYLE.md), in every notebook."""
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for line in "".join(cell["source"]).splitlines():
            if "On the slide" in line and line.lstrip("> ").startswith(("On the slide", "**On")):
                assert line.startswith("> **On the slide:** "), line


# A cell holds one idea and reads without scrolling (STYLE.md: short cells). Collapsed cells (the
# checks and the reference solutions, which a student is told not to read) are left out.
MOST_VISIBLE_LINES = 40


def test_every_visible_cell_is_short(notebook):
    for cell in notebook["cells"]:
        if cell["metadata"].get("jupyter", {}).get("source_hidden"):
            continue
        lines = "".join(cell["source"]).splitlines()
        assert len(lines) <= MOST_VISIBLE_LINES, f"{len(lines)} lines: {lines[0][:80]}"
