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
    "exercise 1, g'(x) by autograd",
    "exercise 2, x.grad of the running total",
    "exercise 3, the micro-batches' factors",
    "exercise 4, Hv by hand at your point",
    "exercise 4, Hv by autograd",
]
# The reference solutions' results, under the names the exercise cells read.
FROM_SOLUTIONS = (
    "g_prime_by_hand = solution_g_prime\ng_prime_by_autograd = solution_g_prime_by_autograd\n"
    "prediction_2 = x_solution.grad\nfactors_3 = solution_factors\n"
    "hv_by_hand = solution_hv\nhv_by_autograd = solution_hv_by_autograd"
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
    own_functions = (  # the checks cell defined them
        "def g(x):\n    return x**2 * torch.sin(x)\n\n\n"
        "def q(w):\n    return w[0] ** 2 * w[1] + w[1] ** 3"
    )
    return with_cells(own_functions, *answers, FROM_SOLUTIONS, notebook=notebook)


CHEAT = """
def check_exercise_1(*args, **kwargs):
    print("✓ exercise 1: correct")
    return True


check_answer = check_count = check_function = lambda *args, **kwargs: True
check_exercise_2 = check_exercise_3 = check_exercise_4 = check_exercise_1
g_prime_by_hand = g_prime_by_autograd = lambda x: x
prediction_2, factors_3, hv_by_hand = [0.0] * 4, [0.5, 0.5], [0.0, 0.0]
hv_by_autograd = lambda w: w
print("✓ all exercises correct")
"""

ALL_CORRECT = ["correct"] * len(CHECKS)
ALL_UNANSWERED = ["unanswered"] * len(CHECKS)
# Exercises 2 and 3 answered wrong, the others right.
TWO_WRONG = ["correct", "correct", "wrong", "wrong", "correct", "correct"]

# Honest students, graded alone and beside the attacks: (file name, notebook, statuses).
HONEST = {
    "all-correct": (NOTEBOOK, lambda: with_cells(FROM_SOLUTIONS, solutions=True), ALL_CORRECT),
    "all-unanswered": (NOTEBOOK, student_edition, ALL_UNANSWERED),
    "some-wrong": (
        NOTEBOOK,
        lambda: with_cells(
            FROM_SOLUTIONS, "prediction_2 = [1, 2, 3, 4]\nfactors_3 = [0.5, 0.5]", solutions=True
        ),
        TWO_WRONG,
    ),
    "no-checks-cell": (NOTEBOOK, without_checks_cell, ALL_CORRECT),
    # An honest accident: inf and nan as answers are wrong answers, never a stopped batch.
    "inf-and-nan": (
        NOTEBOOK,
        lambda: with_cells(
            FROM_SOLUTIONS,
            "prediction_2 = [float('nan')] * 4\nfactors_3 = [float('inf'), -float('inf')]",
            solutions=True,
        ),
        TWO_WRONG,
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
    "copy-of": (f"Copy of {NOTEBOOK}", student_edition, ALL_UNANSWERED),
}


# Attacks --------------------------------------------------------------------------------------

FAKE_JSON = """
import json
_real_dumps = json.dumps


def _forged(record, *args, **kwargs):
    # Only the grader's record (keyed by the checks' labels): the kernel's own messages, also
    # JSON, go through untouched, so the kernel keeps running to the grader's cell.
    if isinstance(record, dict) and record and all(str(k).startswith("exercise") for k in record):
        record = {label: {"status": "correct"} for label in record}
    return _real_dumps(record, *args, **kwargs)


json.dumps = _forged
json.dump = lambda record, file, *args, **kwargs: file.write(_forged(record))
"""

# Rewrites the grader's cell, before it runs, into one that writes a record of its own: every
# label the grader's cell names (its spec, read from the cell's syntax tree) marked correct.
INPUT_TRANSFORMER = r"""
import ast, json


def _rewrite(lines):
    text = "".join(lines)
    if "_grader_cell" not in text:
        return lines
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_grader_cell":
            spec = ast.literal_eval(node.args[1])
            labels = [label for labels in spec["calls"].values() for label in labels]
            forged = {label: {"status": "correct"} for label in labels}
            return [f"open({spec['record_path']!r}, 'w').write({json.dumps(forged)!r})\n"]
    return lines


get_ipython().input_transformers_post.append(_rewrite)
"""

# Exercise 1's two functions as a lookup table of g' at the points the checks cell shows (what
# cracking the practice keys gives), and exercise 2's four whole numbers brute-forced from
# whatever keys it can find in the notebook it was handed. Against the practice edition both
# pass their checks (tests/test_grading.py); the graded edition holds no key.
LOOKUP_TABLE = """
import hashlib, math, re
_shown = [-2.0, -0.3, 0.5, math.pi / 2, 3.0]
_table = {round(x, 6): 2 * x * math.sin(x) + x * x * math.cos(x) for x in _shown}


def g_prime_by_hand(x):
    return torch.tensor([_table.get(round(float(v), 6), 0.0) for v in x.flatten()])


g_prime_by_autograd = g_prime_by_hand
_keys = set(re.findall(r"[0-9a-f]{12}", "\\n".join(In)))
_label = "exercise 2, x.grad of the running total"
_cracked = {}
for _position in range(4):
    for _n in range(-100, 101):
        _written = "0" if _n == 0 else f"{float(_n):.3e}"
        _text = f"beyond-least-squares:{_label}#{_position}:{_written}"
        if hashlib.sha256(_text.encode()).hexdigest()[:12] in _keys:
            _cracked[_position] = _n
prediction_2 = [_cracked[i] for i in range(4)] if len(_cracked) == 4 else None
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
        g_prime_by_hand, g_prime_by_autograd = solution_g_prime, solution_g_prime_by_autograd
        prediction_2, factors_3, hv_by_hand = x_solution.grad, solution_factors, solution_hv
        hv_by_autograd = solution_hv_by_autograd
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
    prediction_2 = [float(x) for x in _answers[{CHECKS[2]!r}]["written"]]
    factors_3 = [float(x) for x in _answers[{CHECKS[3]!r}]["written"]]
    hv_by_hand = [float(x) for x in _answers[{CHECKS[4]!r}]["written"]]
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

# Called by exercise 1's first check, it replaces the recorders that the checks after it call
# (exercise 1's second check, in the same call of check_exercise_1, and the later exercises').
REPLACE_RECORDER = """
def g_prime_by_hand(x):
    import gc
    for thing in gc.get_objects():
        if isinstance(thing, dict) and "exercise 2, x.grad of the running total" in thing:
            thing["exercise 2, x.grad of the running total"] = {"status": "correct"}
    globals()["check_answer"] = lambda label, *args, **kwargs: True
    globals()["check_function"] = lambda label, *args, **kwargs: True
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
    '{"exercise 1, g\\'(x) by hand": {"points": [[NaN, Infinity, 1e999, 0, 0]]},'
    ' "exercise 1, g\\'(x) by autograd": {"status": "correct"},'
    ' "exercise 2, x.grad of the running total": {"status": "A+"},'
    ' "exercise 3, the micro-batches\\' factors": {"numbers": [Infinity, 0.5]},'
    ' "exercise 4, Hv by hand at your point": {"numbers": "A+"},'
    ' "exercise 4, Hv by autograd": {"points": [[1e999, 0], [0, 0], [0, 0]]}}'
)
for _path in ("/tmp/work/.grading-record.json", ".grading-record.json"):
    try:
        open(_path, "w").write(_forged)
    except OSError:
        pass
prediction_2 = [float("inf")] * 4
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
    every = len(CHECKS)
    return {
        "fake-json-dump": (NOTEBOOK, with_cells(FAKE_JSON), [error] * every),
        "input-transformer": (NOTEBOOK, with_cells(INPUT_TRANSFORMER), [error] * every),
        "brute-force-keys": (NOTEBOOK, with_cells(LOOKUP_TABLE), [wrong] * 2 + [unanswered] * 4),
        "finds-repository": (NOTEBOOK, with_cells(find_repository(repo)), [unanswered] * every),
        "reads-reference": (NOTEBOOK, with_cells(read_reference(out)), [unanswered] * every),
        # Both of exercise 1's checks: the SystemExit ends the call that makes them.
        "own-record-then-exit": (
            NOTEBOOK,
            with_cells(OWN_RECORD_THEN_EXIT),
            [error] * 2 + [unanswered] * 4,
        ),
        # Exercise 1's second check called the student's stand-in, so nothing was recorded for
        # it; exercise 2 had the recorders back, and its wrong answer is read as wrong.
        "replaces-recorder": (
            NOTEBOOK,
            with_cells(REPLACE_RECORDER, "prediction_2 = [1.0, 1.0, 1.0, 1.0]"),
            [wrong, error, wrong] + [unanswered] * 3,
        ),
        "detached-spoiler": (
            NOTEBOOK,
            with_cells(first=detached_spoiler(repo, out, marker)),
            [(unanswered, error)] * every,
        ),
        # It reads every file it can reach, CPU-bound: on a busy machine it can meet its CPU limit
        # first (CI on a loaded machine: exercise 1 'timeout'). Either way it earns nothing.
        "leaking-exception": (
            NOTEBOOK,
            with_cells(LEAKING_EXCEPTION),
            [(wrong, "timeout")] + [(unanswered, "timeout")] * (every - 1),
        ),
        "forged-values": (NOTEBOOK, with_cells(FORGED_VALUES), [error] * every),
        "sigstop": (NOTEBOOK, with_cells(SIGSTOP_EVERYONE), ["timeout"] * every),
        "huge-output": (NOTEBOOK, with_cells(HUGE_OUTPUT), [unanswered] * every),
        "fork-bomb": (NOTEBOOK, with_cells(FORK_BOMB), [(unanswered, "timeout")] * every),
    }


# What the grader says of the attacks whose forged record reaches it: the record was read, and
# refused by the schema (not an attack that failed on its own before the grader's cell).
FORGED_RECORD_REFUSED = {
    "fake-json-dump": "the answer could not be read",
    "input-transformer": "the answer could not be read",
    "forged-values": "the answers could not be read",
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
