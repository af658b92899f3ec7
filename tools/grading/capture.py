"""The grader's recording checks, and the two cells that use them.

`RECORDERS` defines its own `check_answer`, `check_count`, `check_choice` and `check_function`:
each records what it is given in `_grader_record` instead of judging it (a function answer is
called on the check's points and its results recorded) and returns True. Nothing recorded says
whether an answer is right: the grading process decides that.

- `capture_cell_source`: the cell the grader appends to a student's notebook. It runs after
  every cell of the student's, so it replaces whatever the student defined under these names,
  then runs the instructor's checks cell and each exercise cell's call on its own (a deleted
  answer variable is "unanswered", another exception "error"), and writes the record.
- `recording_checks_source` and `dump_cell_source`: for a run of the instructor edition with a
  student's own numbers (personal editions), whose keys cannot yet exist: the checks cell gets
  the recorders in front, so the reference solutions' calls record their answers, and a last
  cell writes them.
"""

import json

RECORDERS = r"""
import json as _grader_json

import torch as _grader_torch

_grader_record = {}


def _grader_numbers(value):
    if isinstance(value, _grader_torch.Tensor):
        return value.detach().to("cpu", _grader_torch.float64).flatten().tolist()
    if isinstance(value, (list, tuple)):
        return [x for item in value for x in _grader_numbers(item)]
    return [float(value)]


def _grader_keep(label, value):
    if value is None:
        _grader_record[label] = {"status": "unanswered"}
        return True
    try:
        _grader_record[label] = {"values": _grader_numbers(value)}
    except (TypeError, ValueError, RuntimeError):
        detail = f"not a number: {type(value).__name__}"
        _grader_record[label] = {"status": "wrong", "detail": detail}
    return True


def check_answer(label, answer, key=None, *, hint=""):
    return _grader_keep(label, answer)


def check_count(label, answer, key=None, *, hint=""):
    return _grader_keep(label, answer)


def check_choice(label, answer, key=None, *, hint="", choices=()):
    if answer is None:
        _grader_record[label] = {"status": "unanswered"}
    else:
        _grader_record[label] = {"word": str(answer).strip().lower()}
    return True


def check_function(label, candidate, points, keys=None, *, hint=""):
    if candidate is None:
        _grader_record[label] = {"status": "unanswered"}
        return True
    if not callable(candidate):
        _grader_record[label] = {"status": "wrong", "detail": "not a function"}
        return True
    values = []
    for point in points:
        arguments = point if isinstance(point, tuple) else (point,)
        arguments = [
            _grader_torch.as_tensor(a, dtype=_grader_torch.float64).clone() for a in arguments
        ]
        try:
            values.append(_grader_numbers(candidate(*arguments)))
        except Exception as error:  # the student's function: report, never stop
            detail = f"{type(error).__name__}: {error}"
            _grader_record[label] = {"status": "error", "detail": detail}
            return True
    _grader_record[label] = {"points": values}
    return True
"""

CAPTURE = r"""
try:
    exec(compile(_GRADER_CHECKS, "<the instructor's checks>", "exec"), globals())
except Exception as _grader_error:
    _grader_failed = f"{type(_grader_error).__name__}: {_grader_error}"
    for _grader_call, _grader_labels in _GRADER_CALLS:
        for _grader_label in _grader_labels:
            _grader_record[_grader_label] = {"status": "error", "detail": _grader_failed}
for _grader_call, _grader_labels in _GRADER_CALLS:
    try:
        eval(_grader_call, globals())
        continue
    except NameError as _grader_error:  # an answer variable the student deleted
        _grader_failed = {"status": "unanswered", "detail": str(_grader_error)}
    except Exception as _grader_error:
        _grader_failed = f"{type(_grader_error).__name__}: {_grader_error}"
        _grader_failed = {"status": "error", "detail": _grader_failed}
    for _grader_label in _grader_labels:
        _grader_record.setdefault(_grader_label, _grader_failed)
"""

DUMP = r"""
with open(_GRADER_RECORD_PATH, "w", encoding="utf-8") as _grader_file:
    _grader_json.dump(_grader_record, _grader_file)
"""


def capture_cell_source(checks_source: str, calls: list, record_path: str) -> str:
    """The cell appended to a student's notebook: the instructor's checks, and the exercise
    cells' calls as [call, [the labels of the checks it makes]]."""
    constants = (
        f"_GRADER_CHECKS = {json.dumps(checks_source)}\n"
        f"_GRADER_CALLS = {json.dumps(calls)}\n"
        f"_GRADER_RECORD_PATH = {json.dumps(record_path)}\n"
    )
    return constants + RECORDERS + CAPTURE + DUMP


def recording_checks_source(checks_source: str) -> str:
    """The instructor's checks cell with the recorders in front of it."""
    return RECORDERS + "\n\n" + checks_source


def dump_cell_source(record_path: str) -> str:
    return f"_GRADER_RECORD_PATH = {json.dumps(record_path)}\n" + DUMP
