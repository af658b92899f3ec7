"""Synthetic classes for the grading tests: notebook-01 submissions built from the student
edition, honest ones and attacks, written as real notebooks into a submissions folder.

Every attack below is one a student could hand in; none knows an answer. `ATTACKS` maps a
student to the notebook and the rows expected of it; none may earn a "correct".
"""

import csv
import io
import json
from pathlib import Path

import nbformat
import pytest

from grading.sandbox import find_sandbox

SANDBOX, NO_SANDBOX_WHY = find_sandbox()
# The grading tests run notebooks in the sandbox; without one (no bubblewrap) they are skipped,
# and .ci/run installs it.
needs_sandbox = pytest.mark.skipif(SANDBOX is None, reason=f"no sandbox: {NO_SANDBOX_WHY}")
REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = "01_polynomial_gradient.ipynb"
CHECKS = [
    "exercise 1, g'(x) by hand",
    "exercise 2, g'' at your point",
    "exercise 3, accumulated x.grad",
    "exercise 4, the .sum() trick on q(v) = (v₀ + v₁)²",
]
# The reference solutions' results, under the names the exercise cells read.
FROM_SOLUTIONS = (
    "g_prime_by_hand = solution_g_prime\nanswer_2 = d2g\n"
    "prediction_3 = x_solution.grad\nprediction_4 = q_trick"
)


def student_edition():
    """What the class is handed for homework: the graded edition (no keys)."""
    from grading.editions import edition

    return edition(NOTEBOOK, "graded")


def solution_cells():
    instructor = nbformat.read(REPO / "notebooks" / NOTEBOOK, as_version=4)
    return [
        cell
        for cell in instructor.cells
        if "solution" in cell.metadata.get("tags", []) and cell.cell_type == "code"
    ]


def with_cells(*sources, notebook=None, solutions=False, first=None):
    """The student edition (or `notebook`) with the reference solutions' cells and `sources`
    appended; `first`, a cell put right after the setup cell."""
    notebook = notebook or student_edition()
    if first is not None:
        notebook.cells.insert(2, nbformat.v4.new_code_cell(first))
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
    own_g = "def g(x):  # the checks cell defined it\n    return x**2 * torch.sin(x)"
    return with_cells(own_g, *answers, FROM_SOLUTIONS, notebook=notebook)


CHEAT = """
def check_exercise_1(*args, **kwargs):
    print("✓ exercise 1: correct")
    return True


check_answer = check_count = check_function = lambda *args, **kwargs: True
check_exercise_2 = check_exercise_3 = check_exercise_4 = check_exercise_1
g_prime_by_hand = lambda x: x
answer_2, prediction_3, prediction_4 = 1.0, 3, [0.0, 0.0]
print("✓ all exercises correct")
"""

ALL_CORRECT = ["correct"] * 4

# Honest students, graded alone and beside the attacks: (file name, notebook, statuses).
HONEST = {
    "all-correct": (NOTEBOOK, lambda: with_cells(FROM_SOLUTIONS, solutions=True), ALL_CORRECT),
    "all-unanswered": (NOTEBOOK, student_edition, ["unanswered"] * 4),
    "some-wrong": (
        NOTEBOOK,
        lambda: with_cells(FROM_SOLUTIONS, "answer_2 = 2.5\nprediction_3 = 18", solutions=True),
        ["correct", "wrong", "wrong", "correct"],
    ),
    "no-checks-cell": (NOTEBOOK, without_checks_cell, ALL_CORRECT),
    # An honest accident: inf and nan as answers are wrong answers, never a stopped batch.
    "inf-and-nan": (
        NOTEBOOK,
        lambda: with_cells(
            FROM_SOLUTIONS, "answer_2 = float('nan')\nprediction_3 = float('inf')", solutions=True
        ),
        ["correct", "wrong", "wrong", "correct"],
    ),
    # A 1 MB line of output (quadratic in nbclient's stream coalescing): graded as usual.
    "one-long-line": (
        NOTEBOOK,
        lambda: with_cells(FROM_SOLUTIONS, "print(list(range(150_000)))", solutions=True),
        ALL_CORRECT,
    ),
    # Renamed by a download or a copy: matched by the checks it calls, and graded.
    "renamed-copy": (
        f"{NOTEBOOK.removesuffix('.ipynb')} (1).ipynb",
        lambda: with_cells(FROM_SOLUTIONS, solutions=True),
        ALL_CORRECT,
    ),
    "copy-of": (f"Copy of {NOTEBOOK}", student_edition, ["unanswered"] * 4),
}


# Attacks --------------------------------------------------------------------------------------

FAKE_JSON = """
import json
_real_dumps = json.dumps


def _forged(record, *args, **kwargs):
    if isinstance(record, dict):
        record = {label: {"status": "correct"} for label in record}
    return _real_dumps(record, *args, **kwargs)


json.dumps = _forged
json.dump = lambda record, file, *args, **kwargs: file.write(_forged(record))
"""

INPUT_TRANSFORMER = r"""
import re


def _rewrite(lines):
    text = "".join(lines)
    found = re.search(r"'record_path': '([^']+)'", text)
    if "_grader_cell" not in text or not found:
        return lines
    labels = re.findall(r"check_\w+\(\s*\"([^\"]+)\"", text)
    forged = {label: {"status": "correct"} for label in labels}
    return [f"open({found.group(1)!r}, 'w').write({json.dumps(forged)!r})\n"]


import json
get_ipython().input_transformers_post.append(_rewrite)
"""

# A lookup table of g' at the points the checks cell shows (what cracking the practice keys
# gives), and whatever keys it can find in the notebook it was handed, brute-forced.
LOOKUP_TABLE = """
import hashlib, math, re
_shown = [-2.0, -0.3, 0.5, math.pi / 2, 3.0]
_table = {round(x, 6): 2 * x * math.sin(x) + x * x * math.cos(x) for x in _shown}


def g_prime_by_hand(x):
    return torch.tensor(_table.get(round(float(x), 6), 0.0))


_keys = re.findall(r"[0-9a-f]{12}", "\\n".join(In))
_cracked = {}
for _key in _keys:
    for _n in range(-100, 101):
        for _label in ("exercise 3, accumulated x.grad",):
            field = f"{_label}#0"
            _text = f"beyond-least-squares:{field}:{_n}"
            if hashlib.sha256(_text.encode()).hexdigest()[:12] == _key:
                _cracked[_label] = _n
prediction_3 = _cracked.get("exercise 3, accumulated x.grad")
print("keys found:", len(_keys), "cracked:", _cracked)
"""


def find_repository(repo: Path) -> str:
    return f"""
import json, os, pathlib, sys
_places = [pathlib.Path(os.readlink(f"/proc/{{os.getppid()}}/cwd")), pathlib.Path.cwd(),
           pathlib.Path(sys.prefix).parent, pathlib.Path({str(repo)!r})]
_places += [parent for place in list(_places) for parent in place.parents]
for _place in _places:
    _instructor = _place / "notebooks" / {NOTEBOOK!r}
    if _instructor.is_file():
        for _cell in json.loads(_instructor.read_text())["cells"]:
            if "solution" in _cell["metadata"].get("tags", []) and _cell["cell_type"] == "code":
                exec("".join(_cell["source"]))
        g_prime_by_hand, answer_2 = solution_g_prime, d2g
        prediction_3, prediction_4 = x_solution.grad, q_trick
        break
"""


def read_reference(out: Path) -> str:
    return f"""
import json, pathlib
_paths = [pathlib.Path("../../../reference.json"), pathlib.Path({str(out)!r}) / "reference.json"]
for _path in _paths:
    try:
        _entries = json.loads(_path.read_text())["entries"]
    except OSError:
        continue
    _answers = _entries[{NOTEBOOK!r}]["answers"]
    answer_2 = float(_answers["exercise 2, g'' at your point"]["written"][0])
    prediction_3 = int(_answers["exercise 3, accumulated x.grad"]["written"][0])
    prediction_4 = [float(x) for x in _answers[{CHECKS[3]!r}]["written"]]
"""


OWN_RECORD_THEN_EXIT = f"""
import json


def g_prime_by_hand(x):
    import gc
    for thing in gc.get_objects():
        if isinstance(thing, dict) and "record_path" in thing:
            forged = {{label: {{"status": "correct"}} for label in {CHECKS!r}}}
            open(thing["record_path"], "w").write(json.dumps(forged))
    raise SystemExit(0)
"""

REPLACE_RECORDER = """
def g_prime_by_hand(x):
    import gc
    for thing in gc.get_objects():
        if isinstance(thing, dict) and "exercise 2, g'' at your point" in thing:
            thing["exercise 2, g'' at your point"] = {"status": "correct"}
    globals()["check_answer"] = lambda label, *args, **kwargs: True
    globals()["check_count"] = lambda label, *args, **kwargs: True
    return x
"""


def detached_spoiler(repo: Path, out: Path, marker: str) -> str:
    """A process started in the first cell, detached (setsid, double fork), that tries to
    backdoor the grader, rewrite other students' records while they run, and the reports and
    reference answers after the batch."""
    return f"""
import os, subprocess, sys, textwrap
_spoiler = textwrap.dedent('''
    import os, pathlib, time
    repo, out = pathlib.Path({str(repo)!r}), pathlib.Path({str(out)!r})
    for name in ("grading/__main__.py", "grading/batch.py", "tools/__init__.py"):
        try:
            with open(repo / name, "a") as file:
                file.write("\\\\nraise SystemExit('backdoor')\\\\n")
        except OSError:
            pass
    end = time.time() + 600
    while time.time() < end:
        for root in (out, pathlib.Path("/tmp")):
            found = [p for pattern in ("*.json", "*.csv", "*.md") for p in root.rglob(pattern)]
            for path in found:
                try:
                    path.write_text('{{"status": "correct"}}')
                except OSError:
                    pass
        time.sleep(0.2)
''')
subprocess.Popen([sys.executable, "-c", _spoiler, {marker!r}], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
"""


LEAKING_EXCEPTION = """
import pathlib


def g_prime_by_hand(x):
    found = []
    for root in (pathlib.Path("/course"), pathlib.Path("/tmp"), pathlib.Path.cwd()):
        for path in root.rglob("*"):
            if path.is_file():
                try:
                    found.append(path.read_text()[:2000])
                except (OSError, UnicodeDecodeError):
                    pass
    raise ValueError("LEAKED " + " ".join(found))
"""

FORGED_VALUES = """
import os
_forged = (
    '{"exercise 1, g\\'(x) by hand": {"points": [[NaN], [Infinity], [1e999], [0], [0]]},'
    ' "exercise 2, g\\'\\' at your point": {"status": "A+"},'
    ' "exercise 3, accumulated x.grad": {"numbers": [Infinity]},'
    ' "exercise 4, the .sum() trick on q(v) = (v₀ + v₁)²": {"numbers": "A+"}}'
)
for _path in ("/tmp/work/.grading-record.json", ".grading-record.json"):
    try:
        open(_path, "w").write(_forged)
    except OSError:
        pass
prediction_3 = float("inf")
os._exit(0)
"""

SIGSTOP_EVERYONE = """
import os, signal
for _pid in sorted(int(p) for p in os.listdir("/proc") if p.isdigit()):
    if _pid != os.getpid():
        try:
            os.kill(_pid, signal.SIGSTOP)
        except OSError:
            pass
"""

HUGE_OUTPUT = """
_chunk = "x" * 1_000_000
for _ in range(50):
    print(_chunk)
"""

FORK_BOMB = """
import os, time
_children = 0
for _ in range(3000):  # bounded: never more than 3000, whatever the limits
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    _children += 1
print("forked", _children)
"""


def attacks(repo: Path, out: Path, marker: str) -> dict:
    """{student: (file name, notebook, the statuses expected)}: none earned. A status given as
    a tuple: any of these (the detached process races the grader's own read)."""
    error, unanswered, wrong = "error", "unanswered", "wrong"
    return {
        "fake-json-dump": (NOTEBOOK, with_cells(FAKE_JSON), [error] * 4),
        "input-transformer": (NOTEBOOK, with_cells(INPUT_TRANSFORMER), [error] * 4),
        "brute-force-keys": (
            NOTEBOOK,
            with_cells(LOOKUP_TABLE),
            [wrong, unanswered, unanswered, unanswered],
        ),
        "finds-repository": (NOTEBOOK, with_cells(find_repository(repo)), [unanswered] * 4),
        "reads-reference": (NOTEBOOK, with_cells(read_reference(out)), [unanswered] * 4),
        "own-record-then-exit": (
            NOTEBOOK,
            with_cells(OWN_RECORD_THEN_EXIT),
            [error, unanswered, unanswered, unanswered],
        ),
        "replaces-recorder": (
            NOTEBOOK,
            with_cells(REPLACE_RECORDER, "answer_2 = 1.0"),
            [wrong] * 2 + [unanswered] * 2,
        ),
        "detached-spoiler": (
            NOTEBOOK,
            with_cells(first=detached_spoiler(repo, out, marker)),
            [(unanswered, error)] * 4,
        ),
        "leaking-exception": (NOTEBOOK, with_cells(LEAKING_EXCEPTION), [wrong] + [unanswered] * 3),
        "forged-values": (NOTEBOOK, with_cells(FORGED_VALUES), [error] * 4),
        "sigstop": (NOTEBOOK, with_cells(SIGSTOP_EVERYONE), ["timeout"] * 4),
        "huge-output": (NOTEBOOK, with_cells(HUGE_OUTPUT), [unanswered] * 4),
        "fork-bomb": (NOTEBOOK, with_cells(FORK_BOMB), [(unanswered, "timeout")] * 4),
    }


def write_class(submissions: Path, students: dict) -> None:
    """One folder per student; a notebook of None hands in nothing, a str is the file's text."""
    for student, (file_name, notebook, _) in students.items():
        folder = submissions / student
        folder.mkdir(parents=True, exist_ok=True)
        notebook = notebook() if callable(notebook) else notebook
        if isinstance(notebook, str):
            (folder / file_name).write_text(notebook)
        elif notebook is not None:
            nbformat.write(notebook, folder / file_name)


def read_rows(out: Path) -> list[dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def csv_lines_of(out: Path, students) -> list[str]:
    """The lines of grades.csv, as bytes would compare, of these students."""
    text = (out / "grades.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    return [json.dumps(row) for row in rows[1:] if row[0] in students]
