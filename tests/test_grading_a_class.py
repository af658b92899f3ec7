"""`make grade` on a small class of notebook 01 (honest students, a cheater, an endless loop,
nothing handed in, a file that is not a notebook, a renamed copy, a folder that is a link to a
classmate's), graded once in sandboxes: every row, the summary, the feedback and the batch's time
are asserted. The longest module of make test, so tests/conftest.py hands it out first. The rest
of the grader is tested in tests/test_grading.py; the attacks and the Dask cluster in
tests/test_grading_attacks.py and tests/test_grading_dask.py (make slow-test)."""

import csv
import json
import os
import time

import pytest

from grading.__main__ import main as grade
from tests.grading_class import (
    CHEAT,
    CHECKS,
    HONEST,
    NOTEBOOK,
    needs_sandbox,
    read_rows,
    with_cells,
    write_class,
)

TIME_LIMIT = 20  # seconds of CPU per notebook; notebook 01 uses about 5

# Every honest student of tests/grading_class.py is graded again beside the attacks (make
# slow-test); here, fewer: the all-correct student's download is the renamed copy, and the
# student without the checks cell waits for the attack suite.
RENAMED = HONEST["renamed-copy"][0]
CLASS = {
    "all-correct": (RENAMED, *HONEST["all-correct"][1:]),
    **{name: HONEST[name] for name in ("all-unanswered", "some-wrong")},
    "cheater": (NOTEBOOK, lambda: with_cells(CHEAT), ["wrong"] * len(CHECKS)),
    "endless-loop": (
        NOTEBOOK,
        lambda: with_cells("while True:\n    pass"),
        ["timeout"] * len(CHECKS),
    ),
    "hands-in-nothing": (NOTEBOOK, None, ["missing"] * len(CHECKS)),
    "not-json": (NOTEBOOK, "this is not a notebook {", ["error"] * len(CHECKS)),
}
LINKED = "links-to-all-correct"  # a folder that is a symbolic link to a classmate's


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded once, with OUT given relative to the working folder, as the README's
    own `OUT=grades` does."""
    root = tmp_path_factory.mktemp("class")
    write_class(root / "submissions", CLASS)
    (root / "submissions" / LINKED).symlink_to(root / "submissions" / "all-correct")
    os.environ.setdefault("GRADING_STATE_DIR", str(root / "state"))
    before = os.getcwd()
    os.chdir(root)
    try:
        start = time.perf_counter()
        arguments = ["submissions", "grades", "--notebooks", "01", "--timeout", str(TIME_LIMIT)]
        status = grade(arguments)
        seconds = time.perf_counter() - start
    finally:
        os.chdir(before)
    return status, seconds, read_rows(root / "grades"), root / "grades"


@needs_sandbox
def test_every_row_of_grades_csv(graded):
    status, _, rows, _ = graded
    assert status == 0
    found = {(row["student"], row["exercise"]): row for row in rows}
    assert len(rows) == (len(CLASS) + 1) * len(CHECKS)
    for student, (_, _, statuses) in CLASS.items():
        for check, expected in zip(CHECKS, statuses, strict=True):
            row = found[student, check]
            assert (row["notebook"], row["status"]) == (NOTEBOOK, expected), (student, check)
            assert row["points"] == str(int(expected == "correct"))
    for check in CHECKS:  # a link to a classmate's folder earns nothing of theirs
        assert found[LINKED, check]["status"] == "error"
        assert "symbolic link" in found[LINKED, check]["detail"]


@needs_sandbox
def test_the_summary_counts_each_status(graded):
    *_, out = graded
    with open(out / "summary.csv", newline="", encoding="utf-8") as file:
        summary = {row["exercise"]: row for row in csv.DictReader(file)}
    for index, check in enumerate(CHECKS):
        counts = dict.fromkeys(("correct", "wrong", "unanswered", "error", "timeout", "missing"), 0)
        for _, _, statuses in CLASS.values():
            counts[statuses[index]] += 1
        counts["error"] += 1  # the linked folder
        for status, count in counts.items():
            assert summary[check][status] == str(count), (check, status)


@needs_sandbox
def test_feedback_gives_hints_and_never_the_answers(graded):
    *_, out = graded
    feedback = (out / "feedback" / "some-wrong.md").read_text(encoding="utf-8")
    assert "Points: 4 of 6." in feedback
    assert "not yet right" in feedback and "Hint: Entry j of vᵀJ" in feedback
    renamed = (out / "feedback" / "all-correct.md").read_text(encoding="utf-8")
    assert "(1).ipynb as 01_polynomial_gradient.ipynb" in renamed
    entries = json.loads((out / "reference.json").read_text(encoding="utf-8"))["entries"]
    answers = entries[NOTEBOOK]["answers"]
    written = [w for answer in answers.values() for w in answer.get("written", [])]
    written += [w for answer in answers.values() for p in answer.get("hidden", []) for w in p]
    assert len(written) == 2 * 5 + 4 + 2 + 2 + 3 * 2  # every check's values, functions' too
    for student in [*CLASS, LINKED]:
        text = (out / "feedback" / f"{student}.md").read_text(encoding="utf-8")
        for answer in written:
            assert answer not in text and answer.split("e")[0] not in text


@needs_sandbox
def test_the_batch_ends_within_its_limits(graded):
    _, seconds, *_ = graded
    # The reference run and six notebooks, two at a time; the endless one stops at its CPU
    # limit.
    assert seconds < TIME_LIMIT + 150
