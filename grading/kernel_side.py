"""What the grader runs inside a notebook's kernel: it reads the answers, as values, and writes
them to one file. It never decides anything: nothing here knows an answer or a key, and what it
writes (`record_path`) is data that the grading process validates (`schema.py`) and judges
(`verdicts.py`).

This file is not imported by the kernel: `capture_cell` and `reference_cell` send its text in a
cell, executed in a namespace of its own; only the four check names are put into the notebook's
namespace, as recorders, since the instructor's checks cell calls them by those names.

The record: {check label: entry}, an entry being
    null                          no answer (None, or the answer variable deleted)
    {"numbers": [x, ...]}         a number, a list or a tensor, flattened (null: not finite)
    {"word": "..."}               a one-word answer, lower case
    {"points": [[x, ...], ...]}   a function's values at the grader's points
    {"unusable": CODE}            CODE one of UNUSABLE
In a reference run (the instructor edition, outside any sandbox) a function entry also has
"public": its values at the points the student edition shows (for personal editions' keys),
and every entry "accepted": whether the notebook's own check accepted it.
"""

import json
from pathlib import Path

UNUSABLE = ("not a number", "too many values", "not a word", "not a function", "raised",
            "call failed", "checks failed")  # fmt: skip
MAX_VALUES = 100_000  # per answer or per point
MAX_WORD = 200


def capture(spec: dict, namespace: dict) -> None:
    """After the student's last cell: the instructor's checks (without keys), each exercise's
    call, the record written."""
    import torch

    record = {}
    path = Path(spec["record_path"])

    def keep(label, entry):
        if label not in record:  # the first reading of a label counts
            record[label] = entry

    checks = compile(spec["checks"], "<the instructor's checks>", "exec")
    for call, labels in spec["calls"].items():
        # Before each call, again: a student's function called by the one before may have
        # replaced a recorder or a check_exercise_N.
        install(spec, namespace, keep, torch)
        try:
            exec(checks, namespace)  # noqa: S102
        except BaseException:  # noqa: BLE001  (SystemExit too: the record is written all the same)
            for label in labels:
                keep(label, {"unusable": "checks failed"})
            continue
        try:
            eval(compile(call, "<an exercise's call>", "eval"), namespace)
        except NameError:  # an answer variable the student deleted: no answer
            failed = None
        except BaseException:  # noqa: BLE001
            failed = {"unusable": "call failed"}
        else:
            continue
        for label in labels:
            keep(label, failed)
    path.write_text(json.dumps(record, allow_nan=False), encoding="utf-8")


def reference(spec: dict, namespace: dict) -> None:
    """In the instructor edition, right after its checks cell: from here on its reference
    solutions' calls are recorded (and, with spec["verify"], still checked against the keys),
    and the record is rewritten after each."""
    import torch

    record = {}
    path = Path(spec["record_path"])

    def keep(label, entry):
        record[label] = entry
        path.write_text(json.dumps(record, allow_nan=False), encoding="utf-8")

    install(spec, namespace, keep, torch)


def install(spec, namespace, keep, torch):
    """Put the four recorders into the notebook's namespace."""
    import math

    import helpers.exercises as real_checks

    reference_run = spec["mode"] == "reference"

    def numbers(value):
        """The value's numbers (None where not finite), or an UNUSABLE code."""
        try:
            if isinstance(value, torch.Tensor):
                tensor = value.detach().to("cpu", torch.float64)
            else:
                tensor = torch.as_tensor(value, dtype=torch.float64)
            if tensor.numel() > MAX_VALUES:
                return "too many values"
            values = tensor.flatten().tolist()
        except Exception:  # noqa: BLE001  (whatever a student's object does)
            return "not a number"
        return [x if math.isfinite(x) else None for x in values]

    def verified(kind, label, entry, *args, **kwargs):
        if reference_run and spec.get("verify"):
            check = getattr(real_checks, f"check_{kind}")
            entry["accepted"] = bool(check(label, *args, **kwargs))
        return entry

    def number_entry(kind, label, answer, key, hint):
        if answer is None:
            return keep(label, None)
        values = numbers(answer)
        entry = {"unusable": values} if isinstance(values, str) else {"numbers": values}
        keep(label, verified(kind, label, entry, answer, key, hint=hint))

    def check_answer(label, answer, key=None, *, hint=""):
        number_entry("answer", label, answer, key, hint)
        return True

    def check_count(label, answer, key=None, *, hint=""):
        number_entry("count", label, answer, key, hint)
        return True

    def check_choice(label, answer, key=None, *, hint="", choices=()):
        if answer is None:
            keep(label, None)
            return True
        try:
            word = str(answer).strip().lower()[: MAX_WORD + 1]
            entry = {"word": word}
        except Exception:  # noqa: BLE001
            entry = {"unusable": "not a word"}
        keep(label, verified("choice", label, entry, answer, key, hint=hint, choices=choices))
        return True

    def values_at(candidate, points):
        found = []
        for point in points:
            arguments = point if isinstance(point, tuple) else (point,)
            arguments = [torch.as_tensor(a, dtype=torch.float64).clone() for a in arguments]
            try:
                values = numbers(candidate(*arguments))
            except Exception:  # noqa: BLE001  (the student's function: recorded, never raised)
                return "raised"
            if isinstance(values, str):
                return values
            found.append(values)
        return found

    def check_function(label, candidate, points, keys=None, *, hint=""):
        if candidate is None:
            keep(label, None)
            return True
        if not callable(candidate):
            keep(label, {"unusable": "not a function"})
            return True
        points = list(points)
        hidden = values_at(candidate, grader_points(spec["hidden"].get(label), points, namespace))
        if isinstance(hidden, str):
            keep(label, {"unusable": hidden})
            return True
        entry = {"points": hidden}
        if reference_run:
            entry["public"] = values_at(candidate, points)
        keep(label, verified("function", label, entry, candidate, points, keys, hint=hint))
        return True

    namespace.update(
        check_answer=check_answer,
        check_count=check_count,
        check_choice=check_choice,
        check_function=check_function,
    )


def grader_points(how, public, namespace):
    """The points a function answer is graded on, none of them shown in the student edition:
    the instructor's own (`how["expression"]`, evaluated in the notebook's namespace) or, by
    default, each shown point moved by a random 0-20 % (`how["seed"]`, the grader's secret).
    An argument whose values are whole numbers at every shown point (a count, a 0/1 label) is
    kept as it is."""
    import torch

    if how is None:
        return public
    if "expression" in how:
        return list(eval(how["expression"], namespace))
    generator = torch.Generator().manual_seed(how["seed"])
    as_tuples = [point if isinstance(point, tuple) else (point,) for point in public]
    tensors = [[torch.as_tensor(a, dtype=torch.float64) for a in point] for point in as_tuples]
    whole = [
        all(bool((point[i] == point[i].round()).all()) for point in tensors)
        for i in range(len(tensors[0]))
    ]
    moved = []
    for original, point in zip(public, tensors):
        arguments = []
        for i, tensor in enumerate(point):
            if not whole[i]:
                shift = torch.rand(tensor.shape, generator=generator, dtype=torch.float64) * 2 - 1
                tensor = torch.where(tensor == 0, 0.1 * shift, tensor * (1 + 0.2 * shift))
            arguments.append(tensor)
        moved.append(tuple(arguments) if isinstance(original, tuple) else arguments[0])
    return moved


def _cell(function: str, spec: dict) -> str:
    """A cell that runs this file's `function` on `spec` and the notebook's namespace, leaving
    no name of its own behind."""
    source = Path(__file__).read_text(encoding="utf-8")
    return (
        f"def _grader_cell(source, spec):\n"
        f"    namespace = {{'__name__': 'grading_kernel_side'}}\n"
        f"    exec(compile(source, '<the grader>', 'exec'), namespace)\n"
        f"    namespace[{function!r}](spec, globals())\n\n\n"
        f"_grader_cell({source!r}, {spec!r})\n"
        f"del _grader_cell\n"
    )


def capture_cell(checks: str, calls: dict, hidden: dict, record_path: str) -> str:
    """The cell appended to a student's notebook. `checks`: the instructor's checks cell without
    its keys; `calls`: {an exercise cell's call: the labels of its checks}; `hidden`: {a function
    check's label: how its points are made (`grader_points`)}."""
    spec = {"mode": "student", "checks": checks, "calls": calls, "hidden": hidden,
            "record_path": record_path}  # fmt: skip
    return _cell("capture", spec)


def reference_cell(hidden: dict, record_path: str, verify: bool) -> str:
    """The cell put after the instructor edition's checks cell for a reference run."""
    spec = {"mode": "reference", "hidden": hidden, "record_path": record_path, "verify": verify}
    return _cell("reference", spec)
