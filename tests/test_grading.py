"""`make grade` on a class of synthetic students, built from the student edition of notebook 01:
every row of grades.csv, the summary's counts, the feedback and the batch's time are asserted.
The grade must come from the instructor's checks in the grading process, never from what a
student's kernel defines or prints."""

import csv
import json
import time
from pathlib import Path

import nbformat
import pytest

from tools.grading.__main__ import main as grade
from tools.grading.personal import main as personal_main
from tools.grading.personal import parameters_for

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = "01_polynomial_gradient.ipynb"
TIME_LIMIT = 40  # seconds per notebook; notebook 01 runs in a few
CHECKS = [
    "exercise 1, g'(x) by hand",
    "exercise 1, g'(x) by autograd",
    "exercise 2, x.grad of the running total",
    "exercise 3, the micro-batches' factors",
    "exercise 4, Hv by hand at your point",
    "exercise 4, Hv by autograd",
]
# The reference solutions' results, under the names the exercise cells read.
FROM_SOLUTIONS = (
    "g_prime_by_hand = solution_g_prime\ng_prime_by_autograd = solution_g_prime_by_autograd\n"
    "prediction_2 = x_solution.grad\nfactors_3 = solution_factors\n"
    "hv_by_hand = solution_hv\nhessian_vector_product = solution_hessian_vector_product"
)


def student_edition():
    return nbformat.read(REPO / "student" / NOTEBOOK, as_version=4)


def solution_cells():
    instructor = nbformat.read(REPO / "notebooks" / NOTEBOOK, as_version=4)
    return [
        cell
        for cell in instructor.cells
        if "solution" in cell.metadata.get("tags", []) and cell.cell_type == "code"
    ]


def with_cells(*sources, notebook=None, solutions=False):
    notebook = notebook or student_edition()
    if solutions:
        notebook.cells += solution_cells()
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    return notebook


def without_checks_cell():
    """The checks cell deleted, and with it every call of a check: the answers alone."""
    notebook = student_edition()
    notebook.cells = [c for c in notebook.cells if not c.source.startswith("# The checks")]
    for cell in notebook.cells:
        cell.source = "\n".join(
            line for line in cell.source.splitlines() if "check_exercise" not in line
        )
    answers = [
        "\n".join(line for line in cell.source.splitlines() if "check_exercise" not in line)
        for cell in solution_cells()
    ]
    own_functions = (  # the checks cell defined them
        "def g(x):\n    return x**2 * torch.sin(x)\n\n\n"
        "def q(w):\n    return w[0] ** 2 * w[1] + w[1] ** 3"
    )
    return with_cells(own_functions, *answers, FROM_SOLUTIONS, notebook=notebook)


CHEAT = """
def check_exercise_1(*args, **kwargs):
    print("✓ exercise 1: correct")
    return True


check_answer = check_count = check_function = lambda *args, **kwargs: True
check_exercise_2 = check_exercise_3 = check_exercise_4 = check_exercise_1
g_prime_by_hand = g_prime_by_autograd = lambda x: x
prediction_2, factors_3, hv_by_hand = [0.0] * 4, [0.5, 0.5], [0.0, 0.0]
hessian_vector_product = lambda w, v: v
print("✓ all exercises correct")
"""

CLASS = {  # student: (their notebook, or None for none handed in; the expected statuses)
    "all-correct": (with_cells(FROM_SOLUTIONS, solutions=True), ["correct"] * 6),
    "all-unanswered": (student_edition(), ["unanswered"] * 6),
    "some-wrong": (
        with_cells(
            FROM_SOLUTIONS, "prediction_2 = [1, 2, 3, 4]\nfactors_3 = [0.5, 0.5]", solutions=True
        ),
        ["correct", "correct", "wrong", "wrong", "correct", "correct"],
    ),
    "cheater": (with_cells(CHEAT), ["wrong"] * 6),
    "no-checks-cell": (without_checks_cell(), ["correct"] * 6),
    "endless-loop": (with_cells("while True:\n    pass"), ["timeout"] * 6),
    "hands-in-nothing": (None, ["missing"] * 6),
    "not-json": ("this is not a notebook {", ["error"] * 6),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("out")
    for student, (notebook, _) in CLASS.items():
        folder = submissions / student
        folder.mkdir()
        if isinstance(notebook, str):
            (folder / NOTEBOOK).write_text(notebook)
        elif notebook is not None:
            nbformat.write(notebook, folder / NOTEBOOK)
    start = time.perf_counter()
    status = grade([str(submissions), str(out), "--notebooks", "01", "--timeout", str(TIME_LIMIT)])
    seconds = time.perf_counter() - start
    with open(out / "grades.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return status, seconds, rows, out


def test_every_row_of_grades_csv(graded):
    status, _, rows, _ = graded
    assert status == 0
    found = {(row["student"], row["exercise"]): row for row in rows}
    assert len(rows) == len(CLASS) * len(CHECKS)
    for student, (_, statuses) in CLASS.items():
        for check, expected in zip(CHECKS, statuses, strict=True):
            row = found[student, check]
            assert (row["notebook"], row["status"]) == (NOTEBOOK, expected), (student, check)
            assert row["points"] == str(int(expected == "correct"))


def test_the_summary_counts_each_status(graded):
    *_, out = graded
    with open(out / "summary.csv", newline="", encoding="utf-8") as file:
        summary = {row["exercise"]: row for row in csv.DictReader(file)}
    for index, check in enumerate(CHECKS):
        counts = {status: 0 for status in ("correct", "wrong", "unanswered", "error", "timeout")}
        for _, statuses in CLASS.values():
            if statuses[index] in counts:
                counts[statuses[index]] += 1
        for status, count in counts.items():
            assert summary[check][status] == str(count), (check, status)
        assert summary[check]["missing"] == "1"


def test_feedback_gives_hints_and_never_the_answers(graded):
    *_, out = graded
    feedback = (out / "feedback" / "some-wrong.md").read_text(encoding="utf-8")
    assert "Points: 4 of 6." in feedback
    assert "not yet right" in feedback and "Hint: Entry j of vᵀJ" in feedback
    reference = json.loads((out / "reference.json").read_text(encoding="utf-8"))
    for written in reference[NOTEBOOK]["answers"].values():
        for answer in written:
            for student in CLASS:
                text = (out / "feedback" / f"{student}.md").read_text(encoding="utf-8")
                assert answer not in text and answer.split("e")[0] not in text


def test_the_batch_ends_within_the_time_limit(graded):
    _, seconds, *_ = graded
    # The reference run and eight notebooks, two at a time; the endless one stops at the limit.
    assert seconds < TIME_LIMIT + 120


# Personal editions ------------------------------------------------------------------------------

PERSONAL = ["exercise 3, the micro-batches' factors", "exercise 4, Hv by hand at your point"]


def two_students_with_other_numbers():
    ids = [f"student-{k}" for k in range(20)]
    first = parameters_for(ids[0], NOTEBOOK)
    for other in ids[1:]:
        values = parameters_for(other, NOTEBOOK)
        if all(
            values[name] != first[name] for name in ("EXERCISE_3_FIRST_BATCH", "EXERCISE_4_POINT")
        ):
            return ids[0], other
    raise AssertionError("no two ids with other numbers")


def test_a_students_numbers_depend_on_the_id_alone():
    first, other = two_students_with_other_numbers()
    assert parameters_for(first, NOTEBOOK) == parameters_for(first, NOTEBOOK)
    assert parameters_for(first, NOTEBOOK) != parameters_for(other, NOTEBOOK)
    assert parameters_for(first, "05_mnist_models.ipynb") is None  # not personal (yet)


@pytest.fixture(scope="module")
def personal_class(tmp_path_factory):
    """Two personal editions; the first student answers from the reference solutions in their
    own edition, the second hands in the first one's notebook as their own."""
    first, other = two_students_with_other_numbers()
    ids = tmp_path_factory.mktemp("ids") / "ids.txt"
    ids.write_text(f"{first}\n{other}\n")
    editions = tmp_path_factory.mktemp("editions")
    assert personal_main([str(ids), str(editions)]) == 0
    submissions = tmp_path_factory.mktemp("personal-submissions")
    answered = with_cells(
        FROM_SOLUTIONS,
        notebook=nbformat.read(editions / first / NOTEBOOK, as_version=4),
        solutions=True,
    )
    for student in (first, other):
        (submissions / student).mkdir()
        nbformat.write(answered, submissions / student / NOTEBOOK)
    out = tmp_path_factory.mktemp("personal-out")
    arguments = [str(submissions), str(out), "--notebooks", "01", "--timeout", str(TIME_LIMIT)]
    assert grade([*arguments, "--personal"]) == 0
    with open(out / "grades.csv", newline="", encoding="utf-8") as file:
        rows = {(row["student"], row["exercise"]): row["status"] for row in csv.DictReader(file)}
    return first, other, editions, rows


def test_a_personal_edition_holds_its_own_numbers_and_keys(personal_class):
    first, other, editions, _ = personal_class
    sources = {
        student: [cell.source for cell in nbformat.read(editions / student / NOTEBOOK, 4).cells]
        for student in (first, other)
    }
    for student in (first, other):
        values = parameters_for(student, NOTEBOOK)
        parameters = next(s for s in sources[student] if s.startswith("EXERCISE_3_FIRST_BATCH ="))
        for name in ("EXERCISE_3_FIRST_BATCH", "EXERCISE_4_POINT"):
            assert f"{name} = {values[name]!r}" in parameters
    checks = {s: next(c for c in sources[s] if c.startswith("# The checks")) for s in sources}
    assert checks[first] != checks[other]  # other keys for other numbers


def test_each_student_is_graded_on_their_own_numbers(personal_class):
    first, other, _, rows = personal_class
    for check in CHECKS:
        assert rows[first, check] == "correct", check
        # The first student's answers, handed in by the other: right only where the numbers
        # are everyone's (exercises 1 and 2, and exercise 4's function).
        assert rows[other, check] == ("wrong" if check in PERSONAL else "correct"), check
