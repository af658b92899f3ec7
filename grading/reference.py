"""The reference answers: what the instructor edition's reference solutions hand to their checks,
computed by the grader outside any sandbox (the instructor's own notebook) and kept where no
kernel can reach them.

A reference run is the instructor edition with one cell added after its checks cell
(`kernel_side.reference_cell`): from there on each check the solutions call is recorded, and,
for the edition as it is, still checked against its keys (a solution its own check rejects stops
the batch). With a student's personal values (`personal.py`) the keys are for other numbers, so
the values are recorded only. A function answer is recorded at the grader's hidden points and
at the shown ones (the keys of personal practice editions).

They are kept in OUT/reference.json, signed with the grader's secret (`instructor_key.py`), and
reused while the instructor notebook and the hidden points are unchanged and the signature
holds; a file changed by anyone else is reported and recomputed.
"""

import hashlib
import json
import os
import threading
from pathlib import Path

import nbformat

from grading import instructor_key
from grading.execute import run_job
from grading.exercises import CHECKS_MARKER, NotebookExercises, read_exercises
from grading.kernel_side import reference_cell
from grading.personal import with_parameters
from grading.sandbox import Limits, Unsandboxed
from helpers.exercises import written_number
from helpers.paths import notebooks_dir


class ReferenceError(RuntimeError):
    """The instructor edition did not give an answer for every check."""


def hidden_points(exercises: NotebookExercises) -> dict[str, dict]:
    """{a function check's label: how its grading points are made}: the instructor's own
    expression from the notebook's metadata, else a seed from the grader's secret."""
    return {
        check.label: (
            {"expression": exercises.hidden_points[check.label]}
            if check.label in exercises.hidden_points
            else {"seed": instructor_key.seed(exercises.name, check.label)}
        )
        for check in exercises.checks
        if check.kind == "function"
    }


def _written(values) -> list[str]:
    if values is None or isinstance(values, str) or any(x is None for x in values):
        raise ValueError("no finite numbers recorded")
    return [written_number(x) for x in values]


def written_answer(kind: str, entry: dict) -> dict:
    """A recorded reference answer written the way its check writes it."""
    if kind == "choice":
        return {"written": [entry["word"]]}
    if kind == "function":
        points = entry["points"]
        if isinstance(points, str) or isinstance(entry.get("public"), str):
            raise ValueError("the reference function did not give values")
        return {
            "hidden": [_written(point) for point in points],
            "public": [_written(point) for point in entry["public"]],
        }
    values = _written(entry.get("numbers"))
    if kind == "count":
        number = float(values[0])
        if number != int(number):
            raise ValueError("a count that is not a whole number")
        return {"written": [str(int(number))]}
    return {"written": values}


def reference_job(instructor: Path, values: dict | None, hidden: dict) -> dict:
    """The run of the instructor edition (with `values` in its parameters cell) with its
    recording cell after the checks cell (the record path is filled in by execute.run_job)."""
    notebook = nbformat.read(instructor, as_version=4)
    if values is not None:
        with_parameters(notebook, values)
    index = next(i for i, c in enumerate(notebook.cells) if c.source.startswith(CHECKS_MARKER))
    cell = reference_cell(hidden, "{RECORD_PATH}", verify=values is None)
    return {
        "name": instructor.name,
        "notebook": nbformat.writes(notebook),
        "cells": [[index + 1, cell]],
    }


class References:
    """The reference answers per notebook and personal values, each computed at most once."""

    def __init__(self, path: Path | None, timeout: float, say=print):
        """`path`: where they are kept (OUT/reference.json), or None: not kept."""
        self.path, self.timeout, self.say = path, timeout, say
        self.cache = self._load() if path is not None else {}
        self.lock = threading.Lock()
        self.running = {}  # cache key: a lock, so that two threads never run the same one

    def _load(self) -> dict:
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            entries, signature = stored["entries"], stored["signature"]
            data = json.dumps(entries, sort_keys=True).encode()
        except (OSError, ValueError, KeyError, TypeError):
            return {}
        if not isinstance(signature, str) or not instructor_key.signed(data, signature):
            self.say(
                f"{self.path} was changed since the grader wrote it (or was written with another"
                " key): not used; the reference answers are computed again."
            )
            return {}
        return entries

    def answers(self, name: str, values: dict | None = None) -> dict[str, dict]:
        """{label: the reference answer} for notebook `name` (with personal `values`)."""
        instructor = notebooks_dir() / name
        exercises = read_exercises(instructor)
        hidden = hidden_points(exercises)
        key = name if values is None else f"{name} {json.dumps(values, sort_keys=True)}"
        digest = hashlib.sha256(instructor.read_bytes()).hexdigest()
        with self.lock:
            one = self.running.setdefault(key, threading.Lock())
        with one:
            entry = self.cache.get(key)
            if entry and entry["digest"] == digest and entry["hidden"] == hidden:
                return entry["answers"]
            answers = self._run(instructor, exercises, values, hidden)
            with self.lock:
                self.cache[key] = {"digest": digest, "hidden": hidden, "answers": answers}
            return answers

    def _run(self, instructor, exercises, values, hidden) -> dict[str, dict]:
        job = reference_job(instructor, values, hidden)
        # The instructor's own notebook: all the machine's threads, no memory cap.
        limits = Limits(
            cpu_seconds=self.timeout * (os.cpu_count() or 1), memory_bytes=1 << 40, threads=0
        )
        result = run_job(job, Unsandboxed(), limits)
        try:
            record = json.loads(result.record or "")
        except ValueError:
            record = {}
        answers, refused = {}, []
        for check in exercises.checks:
            entry = record.get(check.label)
            try:
                if not entry or entry.get("accepted") is False:
                    raise ValueError("not accepted")
                answers[check.label] = written_answer(check.kind, entry)
            except (ValueError, KeyError, TypeError):
                refused.append(check.label)
        if refused:
            raise ReferenceError(
                f"the instructor edition of {instructor.name}"
                + (f" with the values {values}" if values else "")
                + f" gave no accepted answer for: {refused} ({result.outcome}"
                + (f": {result.detail}" if result.detail else "")
                + f"). Its last lines on stderr:\n{result.stderr[-2000:]}"
            )
        return answers

    def save(self) -> None:
        if self.path is None:
            return
        with self.lock:
            data = json.dumps(self.cache, sort_keys=True).encode()
            stored = {"entries": self.cache, "signature": instructor_key.sign(data)}
        self.path.write_text(json.dumps(stored, indent=1, ensure_ascii=False), encoding="utf-8")
