"""The expected answers: the instructor edition run once per notebook (and, for personal
editions, once per student's values), its reference solutions passing its own checks, each
accepted answer logged as it was written for the check (helpers.exercises' answers log). Kept in
OUT/reference.json and reused while the instructor notebook's bytes are unchanged, so a second
batch does not run the instructor edition again."""

import hashlib
import json
import tempfile
import threading
from pathlib import Path

import nbformat

from helpers.paths import notebooks_dir
from tools.grading.capture import dump_cell_source, recording_checks_source
from tools.grading.exercises import CHECKS_MARKER, read_exercises
from tools.grading.runner import run_notebook
from tools.grading.verdicts import written_forms


def recording_edition(instructor: Path, values: dict, record: Path):
    """The instructor edition with a student's values, whose checks record the answers."""
    from tools.grading.personal import with_parameters

    notebook = nbformat.read(instructor, as_version=4)
    with_parameters(notebook, values)
    checks = next(cell for cell in notebook.cells if cell.source.startswith(CHECKS_MARKER))
    checks.source = recording_checks_source(checks.source)
    notebook.cells.append(nbformat.v4.new_code_cell(dump_cell_source(str(record))))
    return notebook


def answers_from_log(log: Path) -> dict[str, list[str]]:
    """{check label: the reference answer as written}, from an accepted-answers log."""
    answers = {}
    if log.is_file():
        for line in log.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            answers[entry["label"]] = entry["written"]
    return answers


class References:
    """The instructor's answers per notebook and values, computed at most once each."""

    def __init__(self, out: Path, timeout: float):
        self.path, self.timeout = out / "reference.json", timeout
        try:
            self.cache = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.cache = {}
        self.lock = threading.Lock()
        self.running = {}  # cache key: a lock, so that two threads never run the same one

    def answers(self, name: str, values: dict | None = None) -> dict[str, list[str]]:
        instructor = notebooks_dir() / name
        key = name if values is None else f"{name} {json.dumps(values, sort_keys=True)}"
        digest = hashlib.sha256(instructor.read_bytes()).hexdigest()
        with self.lock:
            one = self.running.setdefault(key, threading.Lock())
        with one:
            entry = self.cache.get(key)
            if entry and entry["digest"] == digest:
                return entry["answers"]
            answers = self._run(instructor, values)
            with self.lock:
                self.cache[key] = {"digest": digest, "answers": answers}
            return answers

    def _run(self, instructor: Path, values: dict | None) -> dict[str, list[str]]:
        """The instructor edition as it is: the answers its checks accept (their keys are for
        its own numbers). With a student's values, whose keys do not exist yet: its checks
        record what the reference solutions hand them (capture.py)."""
        checks = read_exercises(instructor).checks
        with tempfile.TemporaryDirectory() as scratch:
            log, record = Path(scratch) / "answers.jsonl", Path(scratch) / "record.json"
            notebook, options = instructor, {"answers_log": log}
            if values is not None:
                notebook, options = Path(scratch) / instructor.name, {}
                nbformat.write(recording_edition(instructor, values, record), notebook)
            status, detail = run_notebook(notebook, Path(scratch) / "run", self.timeout, **options)
            if values is None:
                answers = answers_from_log(log)
            else:
                recorded = json.loads(record.read_text()) if record.is_file() else {}
                answers = {
                    check.label: written_forms(check.kind, recorded[check.label])
                    for check in checks
                    if "status" not in recorded.get(check.label, {"status": "none"})
                }
        labels = [check.label for check in checks]
        missing = [label for label in labels if label not in answers]
        if status != "ran" or missing:
            raise SystemExit(
                f"the instructor edition of {instructor.name} (values {values}) did not pass its"
                f" own checks: {status} {detail}; not accepted: {missing}"
            )
        return answers

    def save(self) -> None:
        self.path.write_text(json.dumps(self.cache, indent=1, ensure_ascii=False), "utf-8")
