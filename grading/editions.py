"""What students are handed: the practice edition or the graded edition, common or personal.

    python -m grading.editions OUT [--ids IDS_FILE] [--edition graded|practice]

- The **practice edition** is `student/`: its checks hold keys and say right or wrong at once.
  A key is not a lock (helpers.exercises): a student can recover the answer from it in about a
  second, so answers checked this way must not count for a grade.
- The **graded edition** (the default here; hand it out for homework) has no keys: each check
  says whether the answer has the right form (a number, how many, a whole number, one of the
  choices, a function that runs) and that it is graded after hand-in (`make grade`).

Without `--ids`, OUT gets the five notebooks of the chosen edition. With `--ids` (a text file,
one student id a line), OUT/<id>/ gets each student's personal edition of the notebooks that
take personal numbers (`personal.py`; notebook 01 so far): their own numbers and, in the
practice edition, keys made for them from a reference run with those numbers.
"""

import argparse
import ast
import itertools
import re
import sys
from pathlib import Path

import nbformat

from grading.exercises import CHECKS_MARKER, KEY_LITERAL
from grading.personal import DRAWS, SAFE_ID, parameters_for, with_parameters
from helpers.exercises import written_key
from helpers.paths import repo_root

EDITIONS = ("graded", "practice")
GRADED_FIRST_LINE = (
    "# The checks (collapsed: no need to read them). They look at your answer's form only: "
    "it is\n# graded after you hand in.\nfrom helpers.exercises import graded_after_hand_in\n"
)


def student_dir() -> Path:
    return repo_root() / "student"


def _checks_cell(notebook):
    return next(cell for cell in notebook.cells if cell.source.startswith(CHECKS_MARKER))


def without_keys(checks_source: str) -> str:
    """The graded edition's checks cell: each key replaced by the form it stood for."""
    body = checks_source.split("\n", 1)[1]  # the first line said the cell holds keys

    def form(match: re.Match) -> str:
        return f"graded_after_hand_in(values={len(match.group(0).split())})"

    return GRADED_FIRST_LINE + KEY_LITERAL.sub(form, body)


CALL = re.compile(r'check_(answer|count|choice|function)\(\s*"([^"]*)"')
TOKEN = re.compile(r"\b[0-9a-f]{12}\b")


def rekeyed(checks_source: str, answers: dict[str, dict]) -> str:
    """The checks cell with every key made for `answers` (reference.py's, for a student's
    numbers): a function's keys are its values at the shown points."""
    starts = [match.start() for match in CALL.finditer(checks_source)] + [len(checks_source)]
    result = checks_source[: starts[0]]
    for begin, end in itertools.pairwise(starts):
        chunk = checks_source[begin:end]
        kind, label = CALL.match(chunk).groups()
        if not TOKEN.search(chunk):  # a check without a key
            result += chunk
            continue
        answer = answers[label]
        if kind == "function":  # keys=[...], one string per point
            keys = ast.literal_eval(re.search(r"keys=(\[.*?\]),\n", chunk, re.DOTALL).group(1))
            written = [w for point in answer["public"] for w in point]
            places = [(i, k) for k, key in enumerate(keys) for i in range(len(key.split()))]
        else:
            written = answer["written"]
            places = [(i, None) for i in range(len(written))]
        new = [written_key(label, w, i, k) for w, (i, k) in zip(written, places, strict=True)]
        pieces = TOKEN.split(chunk)  # the text around the keys, in order
        result += "".join(piece + key for piece, key in zip(pieces, [*new, ""], strict=True))
    return result


def edition(name: str, kind: str, student: str | None = None, answers: dict | None = None):
    """Notebook `name` of the `kind` edition; with `student`, that student's personal one
    (`answers`: the reference answers for their numbers, needed for practice keys)."""
    notebook = nbformat.read(student_dir() / name, as_version=4)
    if student is not None:
        with_parameters(notebook, parameters_for(student, name))
    checks = _checks_cell(notebook)
    if kind == "graded":
        checks.source = without_keys(checks.source)
    elif student is not None:
        checks.source = rekeyed(checks.source, answers)
    return notebook


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="make edition", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder to write the notebooks to")
    parser.add_argument("--ids", type=Path, help="a text file, one student id a line")
    parser.add_argument("--edition", choices=EDITIONS, default="graded")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per reference run")
    args = parser.parse_args(argv)
    names = sorted(p.name for p in student_dir().glob("[0-9][0-9]_*.ipynb"))
    if args.ids is None:
        args.out.mkdir(parents=True, exist_ok=True)
        for name in names:
            nbformat.write(edition(name, args.edition), args.out / name)
        print(f"the {args.edition} edition of {len(names)} notebooks in {args.out}/")
        return 0
    if not args.ids.is_file():
        parser.error(f"{args.ids} is not a file of student ids")
    students = args.ids.read_text(encoding="utf-8").split()
    unsafe = [student for student in students if not SAFE_ID.match(student)]
    if unsafe or not students:
        parser.error(f"ids must be letters, digits, '.', '-' or '_': {unsafe or 'none given'}")
    references = None
    if args.edition == "practice":
        from grading.reference import References  # runs the instructor edition: only for keys

        references = References(None, args.timeout)  # never kept beside the handouts
    for student in students:
        folder = args.out / student
        folder.mkdir(parents=True, exist_ok=True)
        for name in DRAWS:
            answers = None
            if references is not None:
                answers = references.answers(name, parameters_for(student, name))
            nbformat.write(edition(name, args.edition, student, answers), folder / name)
    print(f"{len(students)} personal {args.edition} editions of {', '.join(DRAWS)} in")
    print(f"{args.out}/<id>/; the other notebooks are the same for everyone: hand out the")
    print(f"{args.edition} edition of those beside them (without --ids).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
