"""The student edition (student/) against its source (notebooks/), and the exercises' checks.

- The committed student edition is what `make student` builds from the committed notebooks.
- It has no reference solutions; its exercise cells have no outputs.
- No check holds an answer, and no answer a reference solution got accepted is readable in the
  student edition. The accepted answers come from the one run of the instructor edition that
  `make test` makes under nbval (logged by `helpers.exercises`); a test run without it runs the
  instructor notebooks itself.
- In that run every exercise says "not answered yet" and every reference solution passes (nbval
  compares the stored outputs checked here), and the solutions change nothing that an exercise
  or a later cell reads: so the student edition, the same cells without the solutions, behaves
  the same. `make slow-test` (and `make e2e`, in JupyterLab) also runs every student notebook.
"""

import ast
import json
import os
import re
import symtable
from pathlib import Path

import nbformat
import pytest

from helpers.exercises import ANSWERS_LOG_ENV_VAR
from tools.editions import course_bytes
from tools.lesson_modules import as_python, globals_read_by_functions
from tools.run_notebooks import execute_notebook, ipc_kernel_manager, notebook_client
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


@pytest.mark.slow  # every student notebook once more: `make slow-test`
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
    assert_unreadable(path, json.loads(printed(ask)))


def assert_unreadable(path: Path, accepted: list[dict]) -> None:
    """No accepted answer appears, as a whole number, in the course's copy of `path`."""
    student_text = visible_text(json.loads(course_bytes(path)))
    for entry in accepted:
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


# What one run of the instructor edition tells ---------------------------------------------------


def check_labels(notebook: dict) -> set[str]:
    """The labels of the checks in a notebook's checks cell ("exercise 1, ...")."""
    labels = set()
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and "def check_exercise_" in "".join(cell["source"]):
            labels |= {
                node.args[0].value
                for node in ast.walk(ast.parse("".join(cell["source"])))
                if isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in CHECKS
                and isinstance(node.args[0], ast.Constant)
            }
    return labels


@pytest.fixture(scope="session")
def accepted_answers(tmp_path_factory):
    """accepted_answers(name): the answers the reference solutions of notebook `name` got
    accepted. `make test` runs the instructor notebooks under nbval first, with
    ACCEPTED_ANSWERS_LOG naming a fresh file; a notebook that left nothing there (this file run
    alone) is run here, once."""
    log = Path(os.environ.get(ANSWERS_LOG_ENV_VAR) or tmp_path_factory.mktemp("log") / "none")

    def answers(name: str) -> list[dict]:
        path = REPO / "notebooks" / name
        labels = check_labels(json.loads(path.read_bytes()))
        logged = log.read_text("utf-8").splitlines() if log.exists() else []
        entries = [json.loads(line) for line in logged]
        entries = [entry for entry in entries if entry["label"] in labels]
        if not entries:
            own_log = tmp_path_factory.mktemp("answers") / "accepted.jsonl"
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv(ANSWERS_LOG_ENV_VAR, str(own_log))
                patch.setenv("FIGURES_DIR", str(tmp_path_factory.mktemp("figures")))
                assert execute_notebook(path, write=False).ok, name
            entries = [json.loads(line) for line in own_log.read_text("utf-8").splitlines()]
        return entries

    return answers


@pytest.mark.after_notebooks
@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.name)
def test_no_accepted_answer_is_readable_in_the_student_edition(path, accepted_answers):
    if path.name.startswith("05") and not os.environ.get("MNIST_ROOT"):
        pytest.skip("notebook 05 needs MNIST: set MNIST_ROOT")
    entries = accepted_answers(path.name)
    assert entries, "no reference solution was accepted"
    assert_unreadable(path, entries)


@pytest.mark.parametrize("path", INSTRUCTOR, ids=lambda p: p.name)
def test_the_run_shows_unanswered_exercises_and_passing_solutions(path):
    """The stored outputs, which nbval compares with a fresh run of the instructor edition."""
    cells = json.loads(path.read_bytes())["cells"]
    exercises = [cell for cell in cells if tagged(cell, EXERCISE_TAG)]
    solutions = [cell for cell in cells if tagged(cell, SOLUTION_TAG)]
    for cell in exercises:
        assert NOT_ANSWERED in printed(cell) and "✓" not in printed(cell), printed(cell)
    assert "✓" in "".join(printed(cell) for cell in solutions)
    assert "✗" not in "".join(printed(cell) for cell in solutions)


def reads_and_binds(source: str) -> tuple[set[str], set[str]]:
    """The global names a cell reads (its functions' included) and those it binds."""
    table = symtable.symtable(source, "cell", "exec")
    binds = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    reads = {s.get_name() for s in table.get_symbols() if s.is_referenced()}
    return reads | globals_read_by_functions(table), binds


@pytest.mark.parametrize("path", INSTRUCTOR, ids=lambda p: p.name)
def test_the_solutions_change_nothing_an_exercise_or_a_later_cell_reads(path):
    """Left out of the student edition, the reference solutions must not be missed: no name they
    bind is read by an exercise, by the checks or by a cell after them, and the exercises and
    checks read no name bound only by a solution. So a student's check, run after the
    solutions, still sees only the student's answer."""
    cells = [cell for cell in json.loads(path.read_bytes())["cells"] if cell["cell_type"] == "code"]
    first_solution = next(i for i, cell in enumerate(cells) if tagged(cell, SOLUTION_TAG))
    bound_by_solutions, read_by_students = set(), set()
    for index, cell in enumerate(cells):
        reads, binds = reads_and_binds(as_python("".join(cell["source"])))
        if tagged(cell, SOLUTION_TAG):
            bound_by_solutions |= binds
            continue
        checks = "def check_exercise_" in "".join(cell["source"])
        if index > first_solution or checks or tagged(cell, EXERCISE_TAG):
            read_by_students |= reads
    clash = bound_by_solutions & read_by_students
    assert not clash, f"the solutions bind names the student's cells read: {sorted(clash)}"
