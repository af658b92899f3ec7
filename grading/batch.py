"""A class graded, start to end: the reference answers first, then one job per (student,
notebook) through an executor (this machine or Dask), each result read and judged in this
process as it arrives, and the reports written once every run is in."""

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from grading import schema
from grading.execute import RunResult
from grading.exercises import NotebookExercises, read_exercises
from grading.kernel_side import capture_cell
from grading.personal import parameters_for
from grading.progress import Progress
from grading.reference import References, hidden_points
from grading.report import write_feedback, write_grades, write_summary
from grading.sandbox import Limits
from grading.submissions import Submission, find_notebooks, student_folders
from grading.verdicts import verdict
from helpers.paths import notebooks_dir

RUN_OUTCOMES = {  # a run's outcome other than "finished": its rows' status (detail: the run's)
    "timeout": "timeout",
    "too much output": "error",
    "unreadable": "error",
    "lost": "error",
    "refused": "error",
}


@dataclass
class Class:
    """What the batch knows before any student's notebook runs."""

    exercises: dict[str, NotebookExercises]
    references: References
    personal: bool
    submissions: list[Submission] = field(default_factory=list)

    def expected(self, submission: Submission) -> dict:
        values = parameters_for(submission.student, submission.notebook) if self.personal else None
        return self.references.answers(submission.notebook, values)


def row(student, notebook, exercise, status, detail=""):
    return {
        "student": student,
        "notebook": notebook,
        "exercise": exercise,
        "status": status,
        "points": int(status == "correct"),
        "detail": detail,
    }


def job_for(submission: Submission, exercises: NotebookExercises) -> dict:
    """What goes into the sandbox: the notebook and the grader's cell, no answer, no key."""
    cell = capture_cell(
        exercises.checks_without_keys,
        exercises.calls,
        hidden_points(exercises),
        "{RECORD_PATH}",
    )
    return {"name": submission.notebook, "notebook": submission.text, "cells": [[-1, cell]]}


def rows_for(submission: Submission, exercises: NotebookExercises, expected, result) -> list:
    """The rows of one student's notebook. `expected()` gives the reference answers."""
    checks = exercises.checks

    def all_rows(status, detail=""):
        return [
            row(submission.student, submission.notebook, c.label, status, detail) for c in checks
        ]

    if submission.problem:
        return all_rows("error", submission.problem)
    if submission.text is None:
        return all_rows("missing")
    if result.outcome != "finished":
        return all_rows(RUN_OUTCOMES[result.outcome], result.detail)
    if result.record is None:
        return all_rows("error", "the notebook did not run to its end")
    answers = expected()
    kinds = {check.label: check.kind for check in checks}
    points = {
        label: len(answer["hidden"]) for label, answer in answers.items() if "hidden" in answer
    }
    entries = schema.read_record(result.record, kinds, points)
    if entries is None:
        return all_rows("error", "the answers could not be read")
    return [
        row(
            submission.student,
            submission.notebook,
            check.label,
            *verdict(check.kind, answers[check.label], entries[check.label]),
        )
        for check in checks
    ]


def save_run(out: Path, submission: Submission, result: RunResult) -> None:
    """OUT/runs/<student>/<notebook>/: the executed notebook (outputs capped in the sandbox) and
    the last lines the run wrote on stderr, for the instructor."""
    folder = out / "runs" / submission.student / submission.notebook.removesuffix(".ipynb")
    folder.mkdir(parents=True, exist_ok=True)
    if result.notebook is not None:
        text = json.dumps(result.notebook, ensure_ascii=False, indent=1)
        (folder / submission.notebook).write_text(text, encoding="utf-8")
    (folder / "stderr.txt").write_text(result.stderr, encoding="utf-8")


def gather(submissions_dir: Path, names: list[str], exercises, say) -> list[Submission]:
    labels = {name: {c.label for c in exercises[name].checks} for name in names}
    found = []
    for folder in student_folders(submissions_dir):
        notebooks, unmatched = find_notebooks(folder, labels)
        for name in unmatched:
            say(f"{folder.name}: {name} matches no notebook of the course: not graded")
        for submission in notebooks.values():
            if submission.note:
                say(f"{folder.name}: {submission.note}")
            if submission.problem:
                say(f"{folder.name}: {submission.problem}")
        found += [notebooks[name] for name in names]
    return found


def grade(submissions_dir: Path, out: Path, names: list[str], executor, *, timeout: float,
          personal: bool = False, say=print) -> list[dict]:  # fmt: skip
    """Grade the class; returns the rows written to OUT/grades.csv."""
    exercises = {name: read_exercises(notebooks_dir() / name) for name in names}
    references = References(out / "reference.json", timeout, say)
    for name in names:  # the shared reference first: a broken instructor edition stops here
        references.answers(name)
    lesson = Class(exercises, references, personal, gather(submissions_dir, names, exercises, say))
    if personal:  # each student's own reference run, before theirs
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(lesson.expected, [s for s in lesson.submissions if s.text]))

    to_run = {
        index: job_for(submission, exercises[submission.notebook])
        for index, submission in enumerate(lesson.submissions)
        if submission.text is not None and not submission.problem
    }
    limits = Limits(cpu_seconds=timeout, threads=executor.threads_per_run())
    results = {}
    progress = Progress(len(to_run))
    for index, result in executor.run(to_run, limits):
        submission = lesson.submissions[index]
        save_run(out, submission, result)
        results[index] = result
        progress.finished(failed=result.outcome != "finished" or result.record is None)

    rows = []
    for index, submission in enumerate(lesson.submissions):
        result = results.get(index, RunResult("finished"))
        exercises_of = exercises[submission.notebook]
        rows += rows_for(submission, exercises_of, lambda s=submission: lesson.expected(s), result)
    references.save()
    hints = {(name, c.label): c.hint for name, ex in exercises.items() for c in ex.checks}
    notes = {(s.student, s.notebook): s.note for s in lesson.submissions if s.note}
    write_grades(rows, out)
    write_summary(rows, out)
    write_feedback(rows, hints, notes, out)
    return rows
