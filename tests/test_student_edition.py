"""The student edition (student/) against its source (notebooks/), and the exercises' checks.

- The committed student edition is what `make student` builds from the committed notebooks.
- It has no reference solutions; its exercise cells have no outputs.
- Every student notebook runs top to bottom, and each unanswered check says so; the reference
  solutions, run after it in the same kernel, pass, and never make a student's check pass.
- No check holds an answer, and no accepted answer is readable in the student edition.
"""

import ast
import json
import os
import re
from pathlib import Path

import nbformat
import pytest

from tools.editions import course_bytes
from tools.run_notebooks import (
    ipc_kernel_manager,
    notebook_client,
)
from tools.student_edition import EXERCISE_TAG, SOLUTION_TAG, build, student_notebook_text

REPO = Path(__file__).resolve().parent.parent
INSTRUCTOR = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
STUDENT = sorted((REPO / "student").glob("[0-9][0-9]_*.ipynb"))
NOT_ANSWERED = "not answered yet"


def tagged(cell, tag):
    return tag in cell.get("metadata", {}).get("tags", [])


def printed(cell) -> str:
    return "".join("".join(output.get("text", "")) for output in cell.get("outputs", [])) + "".join(
        "".join(output.get("traceback", [])) for output in cell.get("outputs", [])
    )


@pytest.fixture
def figures_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.setenv("TQDM_DISABLE", "1")


def test_the_committed_student_edition_is_up_to_date():
    stale, orphans, _ = build(check=True)
    assert not stale, f"run `make student`: out of date: {[p.name for p in stale]}"
    assert not orphans, f"student notebooks without a source: {[p.name for p in orphans]}"


def test_every_notebook_has_a_student_copy():
    assert [p.name for p in STUDENT] == [p.name for p in INSTRUCTOR]


@pytest.mark.parametrize("source", INSTRUCTOR, ids=lambda p: p.name)
def test_the_student_copy_drops_solutions_and_exercise_outputs_only(source):
    instructor = json.loads(source.read_text(encoding="utf-8"))["cells"]
    student = json.loads(student_notebook_text(source, "owner/name"))["cells"]
    assert any(tagged(cell, SOLUTION_TAG) for cell in instructor), "no reference solutions?"
    assert any(tagged(cell, EXERCISE_TAG) for cell in instructor), "no exercises?"
    kept = [cell for cell in instructor if not tagged(cell, SOLUTION_TAG)]
    assert [cell["source"] for cell in student[1:]] == [cell["source"] for cell in kept[1:]]
    assert "student/" + source.name in "".join(student[0]["source"])  # its own Colab badge
    for before, after in zip(kept, student, strict=True):
        assert not tagged(after, SOLUTION_TAG)
        if after["cell_type"] != "code":
            continue
        if tagged(after, EXERCISE_TAG):
            assert after["outputs"] == [] and after["execution_count"] is None
        else:
            assert after["outputs"] == before["outputs"]  # the lecture's numbers stay readable


def run_cells(client, notebook, cells) -> None:
    """Execute `cells` in the client's kernel, one after the other; a failing cell fails."""
    for cell in cells:
        notebook.cells.append(cell)  # nbclient stores each cell's outputs back by its index
        client.execute_cell(cell, len(notebook.cells) - 1)


@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.name)
def test_the_student_edition_runs_and_no_solution_passes_a_students_check(
    path, figures_elsewhere, tmp_path
):
    """One run per notebook, three checks. The course's copy of the student notebook runs top to
    bottom with every check saying 'not answered yet' (a student's own answers in student/ are
    not what is tested). Then the instructor's reference solutions run in the same kernel and
    pass, and each exercise cell, run again unanswered, still says 'not answered yet'. Last, no
    answer a check accepted is readable anywhere in the student notebook."""
    if path.name.startswith("05") and not os.environ.get("MNIST_ROOT"):
        pytest.skip("notebook 05 needs MNIST: set MNIST_ROOT")
    course = nbformat.reads(course_bytes(path).decode("utf-8"), as_version=4)
    solutions = [
        cell
        for cell in nbformat.read(REPO / "notebooks" / path.name, as_version=4).cells
        if tagged(cell, SOLUTION_TAG) and cell.cell_type == "code"
    ]
    exercises = [cell for cell in course.cells if tagged(cell, EXERCISE_TAG)]
    assert exercises and solutions
    executed = nbformat.v4.new_notebook(metadata=course.metadata)
    manager = ipc_kernel_manager(kernel_name="python3")
    client = notebook_client(executed, tmp_path, manager)
    with client.setup_kernel(cleanup_kc=True):  # the kernel is shut down however this ends
        run_cells(client, executed, course.cells)
        for cell in exercises:
            assert NOT_ANSWERED in printed(cell) and "✓" not in printed(cell), printed(cell)
        run_cells(client, executed, solutions)
        assert "✓" in "".join(printed(cell) for cell in solutions)  # the solutions pass
        again = [nbformat.v4.new_code_cell(cell.source) for cell in exercises]
        run_cells(client, executed, again)
        for cell in again:
            assert NOT_ANSWERED in printed(cell), printed(cell)
        ask = nbformat.v4.new_code_cell(
            "import json\nfrom helpers.exercises import accepted_answers\n"
            "print(json.dumps(accepted_answers()))"
        )
        run_cells(client, executed, [ask])
    student_text = visible_text(json.loads(course_bytes(path)))
    for entry in json.loads(printed(ask)):
        for form in readable_forms(entry["written"]):
            alone = re.compile(rf"(?<![\d.,]){re.escape(form)}(?![\d]|[.,]\d)")  # not inside 1257
            assert not alone.search(student_text), f"{entry['label']}: {form} is readable"


def readable_forms(written: list[str]) -> set[str]:
    """How the accepted answers (as `helpers.exercises` wrote them for hashing) could appear in
    a notebook's text: 2.594e+00 as 2.594 or 2.5942…, 50305 as 50305 or 50,305. Answers of one
    or two digits (3, 12) and words are left out: such text is everywhere and gives nothing
    away."""
    forms = set()
    for text in written:
        try:
            value = float(text)
        except ValueError:
            continue  # a word
        digits = f"{abs(value):.4g}".replace(".", "").replace("e", " ").split()[0].strip("0")
        if len(digits) < 3:
            continue
        if value == int(value):
            forms |= {f"{int(value)}", f"{int(value):,}"}
        else:
            forms.add(f"{value:.4g}")
    return forms


def visible_text(notebook: dict) -> str:
    """Everything a student can read in a notebook: every cell's source and stored output."""
    return "\n".join(
        "".join(cell["source"])
        + printed(cell)
        + "".join(
            "".join(output.get("data", {}).get("text/plain", ""))
            for output in cell.get("outputs", [])
        )
        for cell in notebook["cells"]
    )


CHECKS = {"check_answer", "check_count", "check_choice", "check_function"}


@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.name)
def test_every_check_holds_keys_not_answers(path):
    """Each call of a check takes the answer from the student and the truth only as a key (a
    string literal, or a list of them): no expected value, formula or reference computation."""
    notebook = json.loads(course_bytes(path))
    calls = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code" or "def check_exercise_" not in "".join(cell["source"]):
            continue
        tree = ast.parse("".join(cell["source"]))
        calls += [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in CHECKS
        ]
        references = [  # no reference computed here
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and ast.unparse(node).startswith("torch.autograd")
        ]
        assert not references, ast.unparse(references[0])
    assert calls, "no checks found"
    for call in calls:
        keywords = {keyword.arg: keyword.value for keyword in call.keywords}
        key = keywords.get("key", keywords.get("keys"))
        literals = key.elts if isinstance(key, ast.List) else [key]
        assert all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in literals)
        positional = 3 if call.func.id == "check_function" else 2  # label, answer (, points)
        assert len(call.args) <= positional, ast.unparse(call)
