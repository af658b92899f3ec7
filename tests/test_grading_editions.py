"""Personal editions and the two kinds of handout (make slow-test): each student's own numbers,
keys made for them in the practice edition and none in the graded one, and a class graded on
its own numbers."""

import re

import nbformat
import pytest

from grading.__main__ import main as grade
from grading.editions import main as editions_main
from grading.personal import parameters_for
from tests.grading_class import (
    CHECKS,
    FROM_SOLUTIONS,
    NOTEBOOK,
    needs_sandbox,
    read_rows,
    with_cells,
)

TIME_LIMIT = 20
pytestmark = [pytest.mark.slow, needs_sandbox]
PERSONAL = ["exercise 3, the micro-batches' factors", "exercise 4, Hv by hand at your point"]
PARAMETERS = ("EXERCISE_3_FIRST_BATCH", "EXERCISE_4_POINT")


def two_students_with_other_numbers():
    ids = [f"student-{k}" for k in range(20)]
    first = parameters_for(ids[0], NOTEBOOK)
    for other in ids[1:]:
        values = parameters_for(other, NOTEBOOK)
        if all(values[name] != first[name] for name in PARAMETERS):
            return ids[0], other
    raise AssertionError("no two ids with other numbers")


def test_a_students_numbers_depend_on_the_id_alone():
    first, other = two_students_with_other_numbers()
    assert parameters_for(first, NOTEBOOK) == parameters_for(first, NOTEBOOK)
    assert parameters_for(first, NOTEBOOK) != parameters_for(other, NOTEBOOK)
    assert parameters_for(first, "05_mnist_models.ipynb") is None  # not personal (yet)


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """Both students' personal editions, practice and graded."""
    first, other = two_students_with_other_numbers()
    ids = tmp_path_factory.mktemp("ids") / "ids.txt"
    ids.write_text(f"{first}\n{other}\n")
    folders = {}
    for kind in ("practice", "graded"):
        folders[kind] = tmp_path_factory.mktemp(kind)
        assert editions_main([str(folders[kind]), "--ids", str(ids), "--edition", kind]) == 0
    return first, other, folders


def checks_cell(folder, student):
    notebook = nbformat.read(folder / student / NOTEBOOK, as_version=4)
    parameters = next(c.source for c in notebook.cells if c.source.startswith(PARAMETERS[0]))
    return parameters, next(c.source for c in notebook.cells if c.source.startswith("# The checks"))


def test_a_personal_edition_holds_its_own_numbers_and_keys_only_for_practice(editions):
    first, other, folders = editions
    for student in (first, other):
        values = parameters_for(student, NOTEBOOK)
        for kind in ("practice", "graded"):
            parameters, _ = checks_cell(folders[kind], student)
            for name in PARAMETERS:
                assert f"{name} = {values[name]!r}" in parameters
    practice = {s: checks_cell(folders["practice"], s)[1] for s in (first, other)}
    assert practice[first] != practice[other]  # other keys for other numbers
    for student in (first, other):
        graded = checks_cell(folders["graded"], student)[1]
        assert not re.search(r"[0-9a-f]{12}", graded) and "graded_after_hand_in" in graded
    assert not (folders["practice"] / "reference.json").exists()  # no answers beside handouts


def test_each_student_is_graded_on_their_own_numbers(editions, tmp_path):
    """The first student answers from the reference solutions in their own graded edition; the
    second hands in the first one's notebook as their own."""
    first, other, folders = editions
    answered = with_cells(
        FROM_SOLUTIONS,
        notebook=nbformat.read(folders["graded"] / first / NOTEBOOK, as_version=4),
        solutions=True,
    )
    for student in (first, other):
        (tmp_path / "submissions" / student).mkdir(parents=True)
        nbformat.write(answered, tmp_path / "submissions" / student / NOTEBOOK)
    arguments = ["--notebooks", "01", "--timeout", str(TIME_LIMIT), "--personal"]
    assert grade([str(tmp_path / "submissions"), str(tmp_path / "out"), *arguments]) == 0
    rows = {(r["student"], r["exercise"]): r["status"] for r in read_rows(tmp_path / "out")}
    for check in CHECKS:
        assert rows[first, check] == "correct", check
        # Right only where the numbers are everyone's (exercises 1 and 2, exercise 4's
        # function).
        assert rows[other, check] == ("wrong" if check in PERSONAL else "correct"), check
