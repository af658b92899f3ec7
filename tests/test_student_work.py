"""A student's work is never lost: the path of a student who answers exercises, runs notebooks,
then runs the README's test command and `make student`, replayed in a copy of the repository.

The copy holds this checkout's last commit (`git archive HEAD`) as the one commit of a fresh git
repository: what the working tree holds beside it stays out (a student's answers in student/,
with which the edition there is out of date; changes not committed yet). The copy's own `helpers`
and `tools` are imported there (PYTHONPATH), run by this checkout's Python (.venv).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools.run_notebooks import execute_notebook

# Runs notebooks beyond the once-per-edition of `make test`: `make slow-test` runs it.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = "student/01_polynomial_gradient.ipynb"
# Exercise 3's factors for the edition's first micro-batch, 8 of 17 points, to 5 significant digits.
ANSWER = "factors_3 = [0.47059, 0.52941]"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "student",
    "GIT_AUTHOR_EMAIL": "student@example.org",
    "GIT_COMMITTER_NAME": "student",
    "GIT_COMMITTER_EMAIL": "student@example.org",
}


def git(folder: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *arguments],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_IDENTITY},
    ).stdout


@pytest.fixture
def clone(tmp_path, monkeypatch):
    """A copy of the repository as a student gets it: one commit, a clean work tree."""
    copy = tmp_path / "course"
    copy.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", "HEAD"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(copy)], input=archive, check=True)
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "the course")
    monkeypatch.setenv("PYTHONPATH", str(copy))  # the copy's helpers and tools, in every process
    monkeypatch.delenv("FIGURES_DIR", raising=False)  # where a student's figures really go
    monkeypatch.setenv("TQDM_DISABLE", "1")
    return copy


def answer_exercise(notebook: Path) -> None:
    content = json.loads(notebook.read_text(encoding="utf-8"))
    cells = [cell for cell in content["cells"] if "factors_3 = None" in "".join(cell["source"])]
    assert len(cells) == 1
    cells[0]["source"] = "".join(cells[0]["source"]).replace("factors_3 = None", ANSWER)
    notebook.write_text(json.dumps(content, indent=1, ensure_ascii=False), encoding="utf-8")


def run_in(folder: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *command], cwd=folder, capture_output=True, text=True, check=False
    )


def test_a_students_answers_survive_the_test_command_and_make_student(clone):
    notebook = clone / NOTEBOOK
    answer_exercise(notebook)
    run = execute_notebook(notebook, write=True)  # the student runs it and saves
    assert run.ok, run.error[-2000:]
    assert "✓ exercise 3, the micro-batches' factors: correct" in notebook.read_text(
        encoding="utf-8"
    )

    # Running a student notebook changes no tracked file but the notebook itself.
    assert git(clone, "status", "--porcelain").splitlines() == [f" M {NOTEBOOK}"]
    assert list((clone / "student" / "figures").glob("*.png"))  # its figures went here

    # The test command's edition checks read the course's copy, not the student's answers.
    tests = run_in(
        clone,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "tests/test_student_edition.py",
        "-k",
        "up_to_date or drops_solutions or keys_not_answers",
    )
    assert tests.returncode == 0, tests.stdout[-3000:]

    # `make student` refuses, names the notebook, says how to keep the work; nothing is written.
    before = notebook.read_bytes()
    refused = run_in(clone, "-m", "tools.student_edition")
    assert refused.returncode == 1
    for words in (NOTEBOOK, "git stash", "git commit", "FORCE=1", "Nothing was written"):
        assert words in refused.stderr, refused.stderr
    assert notebook.read_bytes() == before and ANSWER in notebook.read_text(encoding="utf-8")

    # So do `make run` (asked before it runs anything) and the site build (the course's copy).
    assert run_in(clone, "-m", "tools.student_edition", "--refuse-if-edited").returncode == 1

    # Forced, the edition is written again and the answer is gone: the student asked for it.
    forced = run_in(clone, "-m", "tools.student_edition", "--force")
    assert forced.returncode == 0, forced.stderr
    assert ANSWER not in notebook.read_text(encoding="utf-8")


def test_make_student_rewrites_what_it_wrote_itself(clone):
    """A maintainer's cycle: change an instructor notebook, `make student`, change it again,
    `make student` again. Generated files are not somebody's work: no refusal."""
    instructor = clone / "notebooks" / Path(NOTEBOOK).name
    for version in ("first", "second"):
        notebook = nbformat.read(instructor, as_version=4)
        notebook.cells.append(nbformat.v4.new_markdown_cell(f"A {version} new sentence."))
        nbformat.write(notebook, instructor)
        written = run_in(clone, "-m", "tools.student_edition")
        assert written.returncode == 0, written.stderr
        assert f"A {version} new sentence." in (clone / NOTEBOOK).read_text(encoding="utf-8")
