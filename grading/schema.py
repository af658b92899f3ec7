"""The one channel from a kernel to the grader, read strictly: the record (`kernel_side.py`)
is JSON holding values only, and anything else in it makes that answer, or the whole record,
unreadable. Nothing a kernel writes is ever shown: the grader's own words say what went wrong.

`read_record` gives {label: entry} with an entry one of
    NO_ANSWER                 the student left it at None
    Numbers(values)           finite numbers within MAX_MAGNITUDE; None where one was not
    Word(text)
    Points([values, ...])     a function's values, one list per grader point
    Unusable(code)            a code of kernel_side.UNUSABLE
    UNREADABLE                this entry broke the schema
    NOT_RECORDED              the record has no entry for it (the run stopped before)
or None when the record as a whole is not one.
"""

import json
import math
from dataclasses import dataclass

from grading.kernel_side import MAX_VALUES, MAX_WORD, UNUSABLE

MAX_MAGNITUDE = 1e15  # beyond it no answer of this course lies: read as "not a finite number"


@dataclass(frozen=True)
class Numbers:
    values: tuple


@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Points:
    values: tuple  # of tuples


@dataclass(frozen=True)
class Unusable:
    code: str


class _Marker:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


NO_ANSWER = _Marker("NO_ANSWER")
UNREADABLE = _Marker("UNREADABLE")
NOT_RECORDED = _Marker("NOT_RECORDED")

ENTRY_KEYS = {
    "answer": "numbers",
    "count": "numbers",
    "choice": "word",
    "function": "points",
}


class _Invalid(ValueError):
    pass


def _refuse_constant(name):
    raise _Invalid(f"{name} is not JSON")


def _numbers(raw) -> tuple:
    if not isinstance(raw, list) or len(raw) > MAX_VALUES:
        raise _Invalid("not a list of numbers")
    values = []
    for x in raw:
        if x is None:
            values.append(None)
        elif isinstance(x, (int, float)) and not isinstance(x, bool):
            x = float(x)
            values.append(x if math.isfinite(x) and abs(x) <= MAX_MAGNITUDE else None)
        else:
            raise _Invalid("not a number")
    return tuple(values)


def _entry(kind: str, raw, point_count: int):
    if raw is None:
        return NO_ANSWER
    if not isinstance(raw, dict) or len(raw) != 1:
        raise _Invalid("not one value")
    ((name, value),) = raw.items()
    if name == "unusable":
        if value not in UNUSABLE:
            raise _Invalid("unknown code")
        return Unusable(value)
    if name != ENTRY_KEYS[kind]:
        raise _Invalid("the wrong kind of value")
    if name == "numbers":
        return Numbers(_numbers(value))
    if name == "word":
        if not isinstance(value, str) or len(value) > MAX_WORD:
            raise _Invalid("not a word")
        return Word(value)
    if not isinstance(value, list) or len(value) != point_count:
        raise _Invalid("not a value per point")
    return Points(tuple(_numbers(point) for point in value))


def read_record(text: str | None, kinds: dict[str, str], point_counts: dict[str, int]):
    """The record's entries for the checks `kinds` ({label: kind}); `point_counts`: how many
    points each function check was graded on."""
    if text is None:
        return None
    try:
        raw = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # RecursionError: nested past Python's limit
        return None
    if not isinstance(raw, dict) or any(label not in kinds for label in raw):
        return None
    entries = {}
    for label, kind in kinds.items():
        if label not in raw:
            entries[label] = NOT_RECORDED
            continue
        try:
            entries[label] = _entry(kind, raw[label], point_counts.get(label, 0))
        except _Invalid:
            entries[label] = UNREADABLE
    return entries
