"""`make grade SUBMISSIONS=folder OUT=folder`: see grading/__init__.py."""

import argparse
import os
import sys
import time
from pathlib import Path

from grading.batch import grade
from grading.executors import DaskExecutor, LocalExecutor
from grading.reference import ReferenceError
from grading.sandbox import refusal
from helpers.paths import notebooks_dir

DEFAULT_TIMEOUT_SECONDS = 300


def parse(argv):
    parser = argparse.ArgumentParser(prog="make grade", description="grade a class's notebooks")
    parser.add_argument("submissions", type=Path, help="one folder per student, named by its id")
    parser.add_argument("out", type=Path, help="where grades.csv, summary.csv, feedback/ go")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds of CPU time one notebook may use (default %(default)s)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="notebooks run side by side on this machine (default: its cores)",
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
        help="the class had personal editions (grading/personal.py)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="tcp://host:port",
        help="run the notebooks as tasks of this Dask cluster (default: on this machine)",
    )
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder of submissions")
    # Absolute from here on: nothing later depends on a working folder.
    args.submissions, args.out = args.submissions.resolve(), args.out.resolve()
    if args.out.is_relative_to(args.submissions) or args.submissions.is_relative_to(args.out):
        parser.error("OUT and SUBMISSIONS must be apart: neither inside the other")
    return parser, args


def main(argv=None) -> int:
    parser, args = parse(argv)
    names = sorted(p.name for p in notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
    if args.notebooks:
        names = [name for name in names if name[:2] in args.notebooks]
    if not names:
        parser.error(f"no course notebook is numbered {' or '.join(args.notebooks)}")
    executor = DaskExecutor(args.scheduler) if args.scheduler else LocalExecutor(args.jobs)
    try:
        problem = executor.check()
        if problem:
            print(refusal(problem), file=sys.stderr)
            return 2
        args.out.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        rows = grade(
            args.submissions, args.out, names, executor,
            timeout=args.timeout, personal=args.personal,
        )  # fmt: skip
    except ReferenceError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        if args.scheduler:
            executor.close()
    students = len({row["student"] for row in rows})
    seconds = time.perf_counter() - start
    print(
        f"graded {students} students × {len(names)} notebooks in {seconds:.0f} s: "
        f"{args.out / 'grades.csv'}, {args.out / 'summary.csv'}, {args.out / 'feedback'}/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
