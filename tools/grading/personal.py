"""Personal editions: every student gets their own numbers in the exercises where that is
natural, drawn from the student's id, and the grader checks each student against their own.

    python -m tools.grading.personal IDS_FILE OUT   # OUT/<id>/NN_topic.ipynb, one per student

So far notebook 01: the size of exercise 3's first micro-batch and the point w of exercise 4's
Hessian–vector product. A notebook takes part through a code cell tagged `parameters`
with one `NAME = value` line per number; `DRAWS` says what each may be. A personal edition is the
student edition with that cell's values replaced and its checks' keys made for them: the
instructor edition runs once with the student's values (its reference solutions read the same
names), and the answers its checks accept become the keys. `make grade ... PERSONAL=1` checks
each student against the answers for their own values (`reference.py`).
"""

import argparse
import ast
import hashlib
import itertools
import re
import sys
from pathlib import Path

import nbformat

from helpers.exercises import written_key
from tools.editions import student_dir
from tools.grading.exercises import CHECKS_MARKER

PARAMETERS_TAG = "parameters"
DRAWS = {  # notebook: {name: the values it may take}
    "01_polynomial_gradient.ipynb": {
        "EXERCISE_3_FIRST_BATCH": list(range(4, 14)),  # 4 … 13 of the 17 grid points
        "EXERCISE_4_POINT": [  # w of Hv: neither entry of Hv = (2w₁ − 2w₀, 2w₀ − 6w₁) is 0
            (1.0, 2.0),
            (2.0, 1.0),
            (-1.0, 2.0),
            (0.5, -1.5),
            (1.5, 2.5),
            (-2.0, -1.0),
            (3.0, 2.0),
            (-0.5, 1.5),
        ],
    },
}


def parameters_for(student: str, notebook: str) -> dict | None:
    """The student's values for the notebook, the same on every call; None: not personal."""
    draws = DRAWS.get(notebook)
    if draws is None:
        return None
    values = {}
    for name, choices in draws.items():
        digest = hashlib.sha256(f"{student}\0{notebook}\0{name}".encode()).digest()
        values[name] = choices[int.from_bytes(digest[:8], "big") % len(choices)]
    return values


def with_parameters(notebook, values: dict) -> None:
    """Set the values in the notebook's `parameters` cell (in place), and clear its output."""
    cell = next(c for c in notebook.cells if PARAMETERS_TAG in c.metadata.get("tags", []))
    for name, value in values.items():
        pattern = re.compile(rf"^{name} = [^#\n]+?(?=\s*(#|$))", re.MULTILINE)
        cell.source, count = pattern.subn(f"{name} = {value!r}", cell.source)
        if count != 1:
            raise ValueError(f"the parameters cell has no single line `{name} = ...`")
    cell.outputs, cell.execution_count = [], None


CALL = re.compile(r'check_(answer|count|choice|function)\(\s*"([^"]*)"')
TOKEN = re.compile(r"\b[0-9a-f]{12}\b")


def rekeyed(checks_source: str, answers: dict[str, list[str]]) -> str:
    """The checks cell with every key made for `answers` ({label: the answer as written})."""
    starts = [match.start() for match in CALL.finditer(checks_source)] + [len(checks_source)]
    result = checks_source[: starts[0]]
    for begin, end in itertools.pairwise(starts):
        chunk = checks_source[begin:end]
        kind, label = CALL.match(chunk).groups()
        if not TOKEN.search(chunk):  # a check without a key
            result += chunk
            continue
        written = answers[label]
        if kind == "function":  # keys=[...], one string per point
            keys = re.search(r"keys=(\[.*?\]),\n", chunk, re.DOTALL).group(1)
            keys = ast.literal_eval(keys)
            places = [(i, k) for k, key in enumerate(keys) for i in range(len(key.split()))]
        else:
            places = [(i, None) for i in range(len(written))]
        new = [written_key(label, w, i, k) for w, (i, k) in zip(written, places, strict=True)]
        pieces = TOKEN.split(chunk)  # the text around the keys, in order
        result += "".join(piece + key for piece, key in zip(pieces, [*new, ""], strict=True))
    return result


def personal_edition(student: str, name: str, answers: dict) -> nbformat.NotebookNode:
    """The student edition of `name` with the student's values and keys for `answers`."""
    notebook = nbformat.read(student_dir() / name, as_version=4)
    with_parameters(notebook, parameters_for(student, name))
    checks = next(c for c in notebook.cells if c.source.startswith(CHECKS_MARKER))
    checks.source = rekeyed(checks.source, answers)
    return notebook


SAFE_ID = re.compile(r"^[\w][\w.-]*$")  # a folder name on every system


def main(argv=None) -> int:
    from tools.grading.reference import References

    parser = argparse.ArgumentParser(prog="make personal", description=__doc__.splitlines()[0])
    parser.add_argument("ids", type=Path, help="a text file, one student id a line")
    parser.add_argument("out", type=Path, help="a folder: OUT/<id>/ gets that student's notebooks")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per reference run")
    args = parser.parse_args(argv)
    if not args.ids.is_file():
        parser.error(f"{args.ids} is not a file of student ids")
    students = args.ids.read_text(encoding="utf-8").split()
    unsafe = [student for student in students if not SAFE_ID.match(student)]
    if unsafe or not students:
        parser.error(f"ids must be letters, digits, '.', '-' or '_': {unsafe or 'none given'}")
    references = References(args.out, args.timeout)
    for student in students:
        folder = args.out / student
        folder.mkdir(parents=True, exist_ok=True)
        for name in DRAWS:
            answers = references.answers(name, parameters_for(student, name))
            nbformat.write(personal_edition(student, name, answers), folder / name)
    references.save()
    print(f"{len(students)} personal editions of {', '.join(DRAWS)} in {args.out}/<id>/; the")
    print("other notebooks are the same for everyone: hand out student/ beside them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
