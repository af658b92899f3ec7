"""The grader's parts: what a sandbox holds, the schema, the verdicts, what a kernel is sent, the
graded edition, finding submissions, the signed reference answers, the refusal without a sandbox.
A class graded in sandboxes is tests/test_grading_a_class.py; the attacks and the Dask cluster
are in tests/test_grading_attacks.py and tests/test_grading_dask.py (make slow-test)."""

import json
import os
import re
import subprocess
import sys
import time

import nbformat
import pytest

from grading import schema
from grading.__main__ import main as grade
from grading.batch import job_for
from grading.editions import without_keys
from grading.execute import run_job
from grading.exercises import read_exercises
from grading.kernel_side import UNUSABLE
from grading.progress import Progress
from grading.reference import References
from grading.sandbox import Limits
from grading.submissions import find_notebooks
from grading.verdicts import UNUSABLE_SAYS, verdict
from helpers import exercises as checks
from tests.grading_class import (
    CHECKS,
    HONEST,
    LOOKUP_TABLE,
    NOTEBOOK,
    REPO,
    SANDBOX,
    needs_sandbox,
    read_rows,
    student_edition,
    write_class,
)

TIME_LIMIT = 20  # seconds of CPU per notebook; notebook 01 uses about 5


def test_grading_on_this_machine_imports_no_dask():
    """(In a process of its own: another test module may have imported Dask.)"""
    code = (
        "import sys; import grading.__main__, grading.batch; "
        "from grading.executors import LocalExecutor; LocalExecutor(1).check(); "
        "print('distributed' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


# What a sandbox holds ------------------------------------------------------------------------

PROBE = r"""
import os, socket, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{marker}"],
                 start_new_session=True)
print("of the repository:", sorted(os.listdir({root!r})))
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    print("network: yes")
except OSError:
    print("network: no")
print("repository:", os.path.exists({repo!r}), "submissions:", os.path.exists({submissions!r}))
"""


@needs_sandbox
def test_a_sandbox_holds_no_network_no_repository_and_nothing_outlives_it(tmp_path):
    import psutil

    marker = f"marker-{os.getpid()}-{time.time_ns()}"
    cell = PROBE.format(
        marker=marker, root=str(REPO), repo=str(REPO / "notebooks"), submissions=str(tmp_path)
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    job = {"name": "probe.ipynb", "notebook": nbformat.writes(notebook), "cells": []}
    result = run_job(job, SANDBOX, Limits(cpu_seconds=60))
    assert result.outcome == "finished"
    printed = "".join(o.get("text", "") for o in result.notebook["cells"][0]["outputs"])
    assert "network: no" in printed
    assert "repository: False submissions: False" in printed
    assert "of the repository: ['.venv']" in printed  # the course's Python, nothing else
    alive = [p for p in psutil.process_iter(["cmdline"]) if marker in (p.info["cmdline"] or [])]
    assert alive == []


# What the grader reads from a checks cell ------------------------------------------------------

SHARED_HINT = """
def check_exercise_2(for_f, for_g):
    hint = "How many vectors v?"
    first = check_count("exercise 2, for F", for_f, key="cdccb37ac47e", hint=hint)
    second = check_count("exercise 2, for G", for_g, key="9980e8e33525", hint=hint)
    return first and second


def check_exercise_3(answer):
    hint = "one"
    hint = "the other"  # bound twice: which one a check gets is not read from the syntax
    return check_answer("exercise 3", answer, key="f47f743af0ee", hint=hint)
"""


def test_a_hint_shared_by_two_checks_through_a_name_is_read():
    from grading.exercises import _checks_by_function

    checks = _checks_by_function(SHARED_HINT)
    assert [(c.label, c.kind, c.hint) for c in checks["check_exercise_2"]] == [
        ("exercise 2, for F", "count", "How many vectors v?"),
        ("exercise 2, for G", "count", "How many vectors v?"),
    ]
    assert "check_exercise_3" not in checks


# What a kernel is sent -----------------------------------------------------------------------


def test_a_kernel_is_sent_no_key_and_no_answer():
    exercises = read_exercises(REPO / "notebooks" / NOTEBOOK)
    keys = re.findall(r"[0-9a-f]{12}", exercises.checks_source)
    assert keys
    from grading.submissions import Submission

    job = job_for(Submission("someone", NOTEBOOK, text="{}"), exercises)
    sent = json.dumps(job)
    assert not any(key in sent for key in keys)
    assert "solution_g_prime" not in job["cells"][0][1]


# An attack that the graded edition stops ------------------------------------------------------


def checks_and_attack(notebook) -> dict:
    """The namespace of a kernel that ran `notebook`'s checks cell, then the brute-force-keys
    attack (which reads the cells run before it from `In`, as in a kernel)."""
    import math

    import torch

    sources = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    namespace = {
        "math": math,
        "torch": torch,
        "In": sources,
        "check_answer": checks.check_answer,
        "check_function": checks.check_function,
    }
    exec(next(s for s in sources if s.startswith("# The checks")), namespace)  # noqa: S102
    exec(LOOKUP_TABLE, namespace)  # noqa: S102
    return namespace


def test_the_brute_force_attack_passes_the_practice_checks_and_finds_no_key_in_the_graded():
    """The attack suite's brute-force-keys student is a real attack: against the practice
    edition's keys its lookup table passes exercise 1 and its cracked numbers exercise 2."""
    practice = checks_and_attack(nbformat.read(REPO / "student" / NOTEBOOK, as_version=4))
    by_table = practice["g_prime_by_hand"]
    assert practice["check_exercise_1"](by_table, practice["g_prime_by_autograd"])
    assert practice["check_exercise_2"](practice["prediction_2"])
    graded = checks_and_attack(student_edition())
    assert graded["prediction_2"] is None and graded["_keys"] == set()


# The record, read strictly -------------------------------------------------------------------

KINDS = {"a": "answer", "c": "count", "w": "choice", "f": "function"}


def test_the_record_is_read_as_values_only():
    record = json.dumps(
        {"a": {"numbers": [1.5, None]}, "c": None, "w": {"word": "more"}, "f": {"points": [[1]]}}
    )
    entries = schema.read_record(record, KINDS, {"f": 1})
    assert entries["a"] == schema.Numbers((1.5, None))
    assert entries["c"] is schema.NO_ANSWER
    assert entries["w"] == schema.Word("more")
    assert entries["f"] == schema.Points(((1.0,),))


@pytest.mark.parametrize(
    "record",
    [
        '{"a": {"numbers": [NaN]}}',  # not JSON: Python's json would read it
        '{"a": {"numbers": [Infinity]}}',
        '{"somebody else": {"numbers": [1]}}',
        "[" * 100_000 + "]" * 100_000,
        "not json",
        '"a string"',
    ],
)
def test_a_record_that_is_not_one_is_unreadable(record):
    assert schema.read_record(record, KINDS, {"f": 1}) is None


@pytest.mark.parametrize(
    "entry",
    [
        {"status": "correct"},
        {"status": "A+"},
        {"numbers": [True]},
        {"numbers": "1"},
        {"numbers": [1], "status": "correct"},
        {"word": "x"},  # the wrong kind for a number
        {"unusable": "a reason of my own"},
    ],
)
def test_an_entry_outside_the_schema_is_an_error_of_that_answer_alone(entry):
    entries = schema.read_record(json.dumps({"a": entry, "c": {"numbers": [3]}}), KINDS, {})
    assert entries["a"] is schema.UNREADABLE
    assert verdict("answer", {"written": ["1.000e+00"]}, entries["a"]) == (
        "error",
        "the answer could not be read",
    )
    assert entries["c"] == schema.Numbers((3.0,))
    assert entries["w"] is schema.NOT_RECORDED


def test_inf_nan_and_huge_numbers_are_wrong_answers():
    record = json.dumps({"a": {"numbers": [1e300]}, "c": {"numbers": [None]}})
    entries = schema.read_record(record, KINDS, {})
    assert verdict("count", {"written": ["27"]}, entries["c"]) == ("wrong", "not a finite number")
    assert verdict("answer", {"written": ["1.000e+300"]}, entries["a"])[0] == "wrong"
    right = schema.read_record(json.dumps({"c": {"numbers": [27.0]}}), KINDS, {})["c"]
    assert verdict("count", {"written": ["27"]}, right) == ("correct", "")


def test_every_code_a_kernel_may_send_has_the_graders_own_words():
    assert set(UNUSABLE) == set(UNUSABLE_SAYS)
    for code in UNUSABLE:
        status, detail = verdict("function", {"hidden": [["1.000e+00"]]}, schema.Unusable(code))
        assert status in ("wrong", "error") and detail == UNUSABLE_SAYS[code][1]


def test_a_function_is_graded_at_every_grader_point():
    expected = {"hidden": [["1.000e+00"], ["2.000e+00"]]}
    assert verdict("function", expected, schema.Points(((1.0,), (2.0,))))[0] == "correct"
    assert verdict("function", expected, schema.Points(((1.0,), (2.5,))))[0] == "wrong"


# The graded edition -----------------------------------------------------------------------------


def test_the_graded_edition_holds_no_key_and_checks_the_form_only(capsys):
    exercises = read_exercises(REPO / "notebooks" / NOTEBOOK)
    graded = without_keys(exercises.checks_source)
    assert not re.search(r"[0-9a-f]{12}", graded)
    assert graded.startswith("# The checks (collapsed")
    assert "graded_after_hand_in(values=4)" in graded  # exercise 2: four numbers
    assert "graded_after_hand_in(values=2)" in graded  # exercise 3's factors, exercise 4's Hv
    form = checks.graded_after_hand_in(values=2)
    assert checks.check_answer("x", [1.2345, 2.0], form, hint="h")
    assert "recorded" in capsys.readouterr().out
    assert not checks.check_answer("x", [1.0], form, hint="h")  # one number where two are asked
    assert not checks.check_answer("x", [float("nan"), 1.0], form, hint="h")
    assert checks.check_answer("x", [2.59, 1.0], form, hint="h")
    assert "give more digits" in capsys.readouterr().out
    one = checks.graded_after_hand_in(values=1)
    assert not checks.check_count("x", 2.5, one, hint="h")
    assert checks.check_count("x", 27, one, hint="h")
    assert checks.check_choice("x", "More ", one, hint="h", choices=["fewer", "more"])
    assert not checks.check_choice("x", "lots", one, hint="h", choices=["fewer", "more"])
    assert checks.check_function("x", lambda v: v * 2, [1.0, 2.0], [one, one], hint="h")
    assert not checks.check_function("x", lambda v: v[None].repeat(2), [1.0], [one], hint="h")
    out = capsys.readouterr().out
    assert "correct" not in out.replace("✗", "")


def test_the_graded_edition_is_read_by_the_grader_as_the_instructors():
    notebook = student_edition()
    cell = next(c for c in notebook.cells if c.source.startswith("# The checks"))
    assert "graded_after_hand_in" in cell.source
    labels = set(re.findall(r'check_\w+\(\s*"([^"]+)"', cell.source))
    assert labels == set(CHECKS)


# Finding submissions ----------------------------------------------------------------------------


def test_renamed_notebooks_are_matched_and_ambiguity_reported(tmp_path):
    labels = {NOTEBOOK: set(CHECKS), "02_graph_building.ipynb": {"exercise 1, other"}}
    text = nbformat.writes(student_edition())
    one = tmp_path / "one"
    one.mkdir()
    (one / "Copy of 01_polynomial_gradient.ipynb").write_text(text)
    (one / "notes.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    found, unmatched = find_notebooks(one, labels)
    assert found[NOTEBOOK].text == text and "matched by its exercises" in found[NOTEBOOK].note
    assert unmatched == ["notes.ipynb"]
    assert found["02_graph_building.ipynb"].text is None  # missing
    two = tmp_path / "two"
    two.mkdir()
    (two / "01_polynomial_gradient (1).ipynb").write_text(text)
    (two / "01_polynomial_gradient (2).ipynb").write_text(text)
    found, _ = find_notebooks(two, labels)
    assert found[NOTEBOOK].text is None and "several files" in found[NOTEBOOK].problem
    three = tmp_path / "three"
    three.mkdir()
    (three / NOTEBOOK).symlink_to(one / "Copy of 01_polynomial_gradient.ipynb")
    found, _ = find_notebooks(three, labels)
    assert found[NOTEBOOK].text is None and "symbolic link" in found[NOTEBOOK].problem


# The reference answers, signed ------------------------------------------------------------------


def test_a_changed_reference_file_is_not_believed(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADING_STATE_DIR", str(tmp_path / "state"))
    path = tmp_path / "reference.json"
    references = References(path, 60)
    references.cache = {"x": {"digest": "d", "hidden": {}, "answers": {"a": {"written": ["1"]}}}}
    references.save()
    assert References(path, 60).cache == references.cache
    stored = json.loads(path.read_text())
    stored["entries"]["x"]["answers"]["a"]["written"] = ["2"]
    path.write_text(json.dumps(stored))
    said = []
    assert References(path, 60, say=said.append).cache == {}
    assert "was changed" in said[0]


# Without a sandbox ------------------------------------------------------------------------------


def test_without_a_sandbox_make_grade_refuses_and_says_how(tmp_path, monkeypatch, capsys):
    from grading import executors

    monkeypatch.setattr(executors, "_worker_sandbox", {})
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap
    monkeypatch.delenv("UNSAFE_NO_SANDBOX", raising=False)
    (tmp_path / "submissions" / "someone").mkdir(parents=True)
    assert grade([str(tmp_path / "submissions"), str(tmp_path / "out")]) == 2
    said = capsys.readouterr().err
    assert "bubblewrap (bwrap) is not installed" in said
    assert "apt-get install bubblewrap" in said and "UNSAFE_NO_SANDBOX=1" in said
    assert not (tmp_path / "out").exists()


def test_the_progress_line_counts_and_estimates():
    now = [0.0]
    lines = []
    progress = Progress(
        4, stream=type("S", (), {"write": lambda s, t: lines.append(t), "flush": lambda s: None})()
    )
    progress.clock, progress.start = (lambda: now[0]), 0.0
    now[0] = 30.0
    progress.finished(failed=False)
    now[0] = 60.0
    progress.finished(failed=True)
    assert lines[0] == "graded 1/4 notebooks, 0 failed so far, about 1 min 30 s left"
    assert lines[2] == "graded 2/4 notebooks, 1 failed so far, about 1 min 00 s left"


def test_unsafe_no_sandbox_grades_anyway_and_warns(tmp_path, monkeypatch, capsys):
    from grading import executors

    monkeypatch.setattr(executors, "_worker_sandbox", {})
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap
    monkeypatch.setenv("UNSAFE_NO_SANDBOX", "1")
    write_class(tmp_path / "submissions", {"someone": HONEST["all-unanswered"]})
    arguments = ["--notebooks", "01", "--timeout", str(TIME_LIMIT)]
    assert grade([str(tmp_path / "submissions"), str(tmp_path / "out"), *arguments]) == 0
    assert "WARNING: UNSAFE_NO_SANDBOX=1" in capsys.readouterr().out
    assert {row["status"] for row in read_rows(tmp_path / "out")} == {"unanswered"}


def test_out_inside_the_submissions_is_refused(tmp_path):
    (tmp_path / "someone").mkdir()
    with pytest.raises(SystemExit):
        grade([str(tmp_path), str(tmp_path / "grades")])


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "student").glob("0*.ipynb")))
def test_every_notebook_has_a_graded_edition_the_grader_reads(name):
    import ast

    from grading.editions import edition

    cell = next(c for c in edition(name, "graded").cells if c.source.startswith("# The checks"))
    ast.parse(cell.source)
    assert not re.search(r"[0-9a-f]{12}", cell.source)
    instructor = read_exercises(REPO / "notebooks" / name)
    assert set(re.findall(r'check_\w+\(\s*"([^"]+)"', cell.source)) == {
        c.label for c in instructor.checks
    }
