"""Stored notebooks must be what one clean, in-order run of `make run` produced."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
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


def test_no_stored_errors_except_cells_marked_to_raise(notebook):
    for cell in code_cells(notebook):
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        source = "".join(cell["source"])
        if "NBVAL_RAISES_EXCEPTION" in source:
            assert errors, "a cell marked NBVAL_RAISES_EXCEPTION must store its error"
        else:
            assert not errors, source[:200]


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
