"""`make grade SUBMISSIONS=folder OUT=folder`: see tools/grading/__init__.py."""

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers.paths import notebooks_dir
from tools.grading.capture import capture_cell_source
from tools.grading.exercises import read_exercises
from tools.grading.personal import parameters_for
from tools.grading.reference import References
from tools.grading.report import write_feedback, write_grades, write_summary
from tools.grading.runner import run_notebook
from tools.grading.verdicts import verdict

DEFAULT_TIMEOUT_SECONDS = 300


def row(student, notebook, exercise, status, detail=""):
    return {
        "student": student,
        "notebook": notebook,
        "exercise": exercise,
        "status": status,
        "points": int(status == "correct"),
        "detail": detail,
    }


def grade_one(student, name, submission: Path, exercises, expected, out: Path, timeout):
    """The rows of one student's notebook; `expected()` gives the reference answers."""
    checks = exercises.checks
    if not submission.is_file():
        return [row(student, name, check.label, "missing") for check in checks]
    workdir = out / "runs" / student / name.removesuffix(".ipynb")
    workdir.mkdir(parents=True, exist_ok=True)
    record_path = workdir / "answers.json"
    record_path.unlink(missing_ok=True)
    calls = [[ex.call, [check.label for check in ex.checks]] for ex in exercises.exercises]
    cell = workdir / "capture.py"
    cell.write_text(capture_cell_source(exercises.checks_source, calls, str(record_path)))
    status, detail = run_notebook(submission, workdir, timeout, capture=cell)
    if status == "timeout":
        return [row(student, name, check.label, "timeout", detail) for check in checks]
    if status != "ran" or not record_path.is_file():
        detail = detail or "the notebook did not reach its end"
        return [row(student, name, check.label, "error", detail) for check in checks]
    record = json.loads(record_path.read_text(encoding="utf-8"))
    answers = expected()
    return [
        row(
            student,
            name,
            check.label,
            *verdict(check.kind, answers[check.label], record.get(check.label)),
        )
        for check in checks
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="make grade", description="grade a class's notebooks")
    parser.add_argument("submissions", type=Path, help="one folder per student, named by its id")
    parser.add_argument("out", type=Path, help="where grades.csv, summary.csv, feedback/ go")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds one notebook may run (default %(default)s)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="notebooks run side by side (default: the machine's cores)",
    )
    parser.add_argument(
        "--notebooks",
        nargs="*",
        default=None,
        metavar="NN",
        help="grade only these notebooks, by number (default: all five)",
    )
    parser.add_argument(
        "--personal",
        action="store_true",
        help="the class had personal editions (tools/grading/personal.py)",
    )
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder of submissions")
    students = sorted(
        p.name
        for p in args.submissions.iterdir()
        if p.is_dir() and not p.name.startswith((".", "__"))  # .git, __MACOSX
    )
    if not students:
        parser.error(f"{args.submissions} holds no student folders")
    names = sorted(p.name for p in notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
    if args.notebooks:
        names = [name for name in names if name[:2] in args.notebooks]
    args.out.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    exercises = {name: read_exercises(notebooks_dir() / name) for name in names}
    references = References(args.out, args.timeout)
    for name in names:  # the shared reference first: a broken instructor edition stops here
        references.answers(name)

    def expected_for(student, name):
        values = parameters_for(student, name) if args.personal else None
        return lambda: references.answers(name, values)

    def grade_task(task):
        student, name = task
        submission = args.submissions / student / name
        return grade_one(
            student, name, submission, exercises[name], expected_for(student, name),
            args.out, args.timeout,
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        tasks = [(student, name) for student in students for name in names]
        rows = [r for rows_of_one in pool.map(grade_task, tasks) for r in rows_of_one]
    references.save()
    hints = {(name, c.label): c.hint for name, ex in exercises.items() for c in ex.checks}
    write_grades(rows, args.out)
    write_summary(rows, args.out)
    write_feedback(rows, hints, args.out)
    seconds = time.perf_counter() - start
    print(
        f"graded {len(students)} students × {len(names)} notebooks in {seconds:.0f} s: "
        f"{args.out / 'grades.csv'}, {args.out / 'summary.csv'}, {args.out / 'feedback'}/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
