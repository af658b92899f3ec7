"""Self-checks for the exercises, and `expect_error` for cells that demonstrate an error.

A check says one of three things: not answered yet, correct, or not yet with the exercise's
hint. It never prints how far a wrong answer is from the truth.

A check holds no expected value either. It holds an *answer key*: a short hash of the expected
answer written the way it is checked (a number to `SIGNIFICANT_DIGITS` significant digits, a
count exactly, a word in lower case), salted with the check's label and the value's place in the
answer, so that equal answers (in two exercises, or twice in one) get different keys. The
student's answer is written and hashed the same way. A key keeps the answer out of sight while
a student reads the checks cell; it is not a lock: a number checked to 4 digits is one of some
ten thousand mantissas per power of ten, which a loop of hashes tries in well under a second.
Grading must not rest on these keys. The instructor edition makes its keys with `number_key`,
`count_key`, `word_key` and `function_keys` from its reference solutions.

The graded edition, handed out for homework (`python -m grading.editions`), has no keys: in their
place `graded_after_hand_in(values=N)`, and its checks look only at an answer's form (a number,
N of them, finite; a whole number; one of the choices; a function that runs and returns N
numbers at each point), say so, and leave the verdict to the grader.

`expect_error` turns "this line raises" into a checked claim: the cell fails if the error does
not happen, and prints only the error's first line (no traceback full of file paths).
"""

import hashlib
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch

SIGNIFICANT_DIGITS = 4
# Below this size a value is written as 0: rounding noise (1e-17 where 0 is meant) must not
# decide an answer. No exercise expects a non-zero value this small.
_ZERO_BELOW = 1e-12
_SALT = "beyond-least-squares"

# Every answer a check accepted in this kernel, as written for hashing (`accepted_answers`).
_accepted: list[dict] = []
# The project's tests set this to a file: each accepted answer is also appended there, one JSON
# line, so that one run of the notebooks tells them which answers must stay unreadable.
ANSWERS_LOG_ENV_VAR = "ACCEPTED_ANSWERS_LOG"


@contextmanager
def expect_error(error_type: type[BaseException], match: str = "") -> Iterator[None]:
    """Run the block, require it to raise `error_type` (whose message contains `match`),
    print the error's first line, and carry on."""
    try:
        yield
    except error_type as error:
        message = str(error).strip()
        if match not in message:
            raise AssertionError(
                f"expected a {error_type.__name__} mentioning {match!r}, got: {message[:300]}"
            ) from error
        first_line = message.splitlines()[0] if message else ""
        print(f"Expected {error_type.__name__}: {first_line}")
    else:
        raise AssertionError(f"expected a {error_type.__name__}, but the block ran without one")


# Writing answers down, and hashing what was written --------------------------------------------


def _digest(text: str, field: str) -> str:
    """The key of `text` in `field`: a check's label and a place in its answer (`_field`)."""
    return hashlib.sha256(f"{_SALT}:{field}:{text}".encode()).hexdigest()[:12]


def _field(label: str, position: int, point: int | None = None) -> str:
    """Where a value sits: the check's label, the point of a function check, the position."""
    return f"{label}#{position}" if point is None else f"{label}@{point}#{position}"


def _number_text(x: float) -> str:
    """`x` to SIGNIFICANT_DIGITS significant digits, one spelling per value: 2.594e+00."""
    if abs(x) < _ZERO_BELOW:
        return "0"
    return f"{x:.{SIGNIFICANT_DIGITS - 1}e}"


def _readings(x: float) -> set[str]:
    """The ways `x` can be read at SIGNIFICANT_DIGITS digits. A value printed to one more digit
    can sit on a rounding boundary (2.5945 is 2.594 or 2.595 depending on the digits after it),
    so a twentieth of the last digit's unit either side counts too."""
    if abs(x) < _ZERO_BELOW:
        return {"0"}
    unit = 10.0 ** (math.floor(math.log10(abs(x))) - SIGNIFICANT_DIGITS + 1)
    return {_number_text(x + shift) for shift in (-unit / 20, 0.0, unit / 20)}


def written_number(x: float) -> str:
    """`x` written the way a check writes it for its key (2.594e+00): for the grader."""
    return _number_text(x)


def number_readings(x: float) -> set[str]:
    """Every way a check accepts `x` as written at SIGNIFICANT_DIGITS digits (the grader compares
    a student's value with the reference's written answer this way)."""
    return _readings(x) if math.isfinite(x) else set()


def _digits_written(x: float) -> int:
    """How many significant digits `x` was typed with, up to SIGNIFICANT_DIGITS (2.59 has 3),
    allowing for float32 storage of what was typed."""
    for digits in range(1, SIGNIFICANT_DIGITS):
        if abs(float(f"{x:.{digits - 1}e}") - x) <= 1e-6 * abs(x):
            return digits
    return SIGNIFICANT_DIGITS


def _right_but_short(x: float, digest: str, field: str) -> bool:
    """Whether `x`, typed with fewer significant digits than asked, agrees with the key as far
    as it goes: 2.59 for 2.594 does, 9 for 27 does not. Tries every SIGNIFICANT_DIGITS-digit
    value that rounds to `x` (at most a few thousand hashes)."""
    digits = _digits_written(x)
    if x == 0 or digits >= SIGNIFICANT_DIGITS:
        return False
    exponent = math.floor(math.log10(abs(x)))
    step = 10.0 ** (exponent - SIGNIFICANT_DIGITS + 1)
    half_range = 10 ** (SIGNIFICANT_DIGITS - digits) // 2
    return any(
        _digest(_number_text(x + k * step), field) == digest
        for k in range(-half_range, half_range + 1)
    )


def _as_float64(value) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", torch.float64)
    return torch.as_tensor(value, dtype=torch.float64)


def _values(value) -> list[float]:
    return _as_float64(value).flatten().tolist()


def _numbers(answer) -> list[float] | None:
    """The answer's numbers, or None when it is not a number, a list of them or a tensor."""
    try:
        return _values(answer)
    except (TypeError, ValueError, RuntimeError):
        return None


def number_key(label: str, value, point: int | None = None) -> str:
    """The key of a number, a list of numbers or a tensor for the check `label`, checked to
    SIGNIFICANT_DIGITS."""
    return " ".join(
        _digest(_number_text(x), _field(label, position, point))
        for position, x in enumerate(_values(value))
    )


def count_key(label: str, value: int) -> str:
    """The key of a count (parameters, bytes, passes) for the check `label`, checked exactly."""
    if int(value) != value:
        raise ValueError(f"a count is a whole number, got {value!r}")
    return _digest(str(int(value)), _field(label, 0))


def word_key(label: str, word: str) -> str:
    """The key of a one-word answer for the check `label` (case and outer spaces ignored)."""
    return _digest(word.strip().lower(), _field(label, 0))


def written_key(label: str, written: str, position: int = 0, point: int | None = None) -> str:
    """The key of one value already written the way its check writes it (an accepted answer),
    at `position` in the answer (and at `point` of a function check): for personal editions."""
    return _digest(written, _field(label, position, point))


def function_keys(label: str, reference: Callable, points: Iterable) -> list[str]:
    """The key of `reference`'s value at each point (arguments as float64 tensors)."""
    return [
        number_key(label, reference(*_arguments(point)), point=index)
        for index, point in enumerate(points)
    ]


def _arguments(point) -> tuple[torch.Tensor, ...]:
    arguments = point if isinstance(point, tuple) else (point,)
    return tuple(_as_float64(argument) for argument in arguments)


def accepted_answers() -> list[dict]:
    """Each answer a check accepted in this kernel: its label and how it was written for hashing
    (used to make sure no notebook text prints an answer)."""
    return [dict(entry) for entry in _accepted]


# The graded edition: the form of an answer, no key -----------------------------------------------


@dataclass(frozen=True)
class GradedAfterHandIn:
    """What stands in a key's place in the graded edition: the answer's form only."""

    values: int = 1  # how many numbers the answer (or a function at one point) has


def graded_after_hand_in(values: int = 1) -> GradedAfterHandIn:
    return GradedAfterHandIn(values)


def _recorded(label: str, what: str, note: str = "") -> bool:
    print(f"• {label}: {what}. It is graded after you hand in.{note}")
    return True


def _short_note(values: list[float]) -> str:
    short = [x for x in values if x != int(x) and _digits_written(x) < SIGNIFICANT_DIGITS]
    if not short:
        return ""
    return (
        f"\n  Answers are compared to {SIGNIFICANT_DIGITS} significant digits: unless "
        f"{short[0]:g} is exact, give more digits."
    )


def _number_form(label, answer, form: GradedAfterHandIn, hint: str, whole: bool = False) -> bool:
    if answer is None:
        return _not_answered(label)
    values = _numbers(answer)
    if values is None:
        return _wrong(label, hint, f"expected a number or a tensor, got {type(answer).__name__}")
    if len(values) != form.values:
        count = f"{form.values} value" + ("s" if form.values != 1 else "")
        return _wrong(label, hint, f"expected {count}, got {len(values)}")
    if not all(math.isfinite(x) for x in values):
        return _wrong(label, hint, "your answer contains inf or nan")
    if whole:
        if values[0] != int(values[0]):
            return _wrong(label, hint, "expected one whole number (a count is exact)")
        return _recorded(label, f"recorded, {int(values[0])}")
    what = f"recorded, {len(values)} number" + ("s" if len(values) != 1 else "")
    return _recorded(label, what, _short_note(values))


def _function_form(label, candidate, points: list, forms: list, hint: str) -> bool:
    if candidate is None:
        return _not_answered(label)
    if not callable(candidate):
        return _wrong(label, hint, f"expected a function, got {type(candidate).__name__}")
    for point, form in zip(points, forms, strict=True):
        try:
            values = _values(candidate(*(argument.clone() for argument in _arguments(point))))
        except Exception as error:  # noqa: BLE001  (the student's code: report it in one line)
            return _wrong(label, hint, f"your function raised {type(error).__name__}: {error}")
        if len(values) != form.values or not all(math.isfinite(x) for x in values):
            count = f"{form.values} finite number" + ("s" if form.values != 1 else "")
            return _wrong(label, hint, f"expected {count} at each point, got {len(values)}")
    what = f"recorded: your function runs at the {len(points)} points and returns numbers"
    return _recorded(label, what, " The grader also calls it at points of its own.")


# What a check prints ---------------------------------------------------------------------------


def _not_answered(label: str) -> bool:
    print(f"… {label}: not answered yet (replace None with your answer)")
    return False


def _wrong(label: str, hint: str, why: str = "not yet") -> bool:
    print(f"✗ {label}: {why}.\n  Hint: {hint}")
    return False


def _correct(label: str, written: list[str], how: str = "") -> bool:
    _accepted.append({"label": label, "written": written})
    log = os.environ.get(ANSWERS_LOG_ENV_VAR)
    if log:
        with open(log, "a", encoding="utf-8") as file:
            file.write(json.dumps(_accepted[-1]) + "\n")
    print(f"✓ {label}: correct{how}")
    return True


def _matches_one(x: float, digest: str, field: str) -> bool:
    return any(_digest(reading, field) == digest for reading in _readings(x))


def _matches(values: list[float], key: str, label: str, point: int | None = None) -> bool:
    digests = key.split()
    return len(values) == len(digests) and all(
        _matches_one(x, digest, _field(label, position, point))
        for position, (x, digest) in enumerate(zip(values, digests, strict=True))
    )


# The checks ------------------------------------------------------------------------------------


def check_answer(label: str, answer, key, *, hint: str) -> bool:
    """A number, a list of numbers or a tensor, against `number_key(label, expected)`: each value to
    SIGNIFICANT_DIGITS significant digits. Returns whether it passed."""
    if isinstance(key, GradedAfterHandIn):
        return _number_form(label, answer, key, hint)
    if answer is None:
        return _not_answered(label)
    values = _numbers(answer)
    if values is None:
        return _wrong(label, hint, f"expected a number or a tensor, got {type(answer).__name__}")
    expected_count = len(key.split())
    if len(values) != expected_count:
        count = f"{expected_count} value" + ("s" if expected_count != 1 else "")
        return _wrong(label, hint, f"expected {count}, got {len(values)}")
    if not all(math.isfinite(x) for x in values):
        return _wrong(label, hint, "your answer contains inf or nan")
    if _matches(values, key, label):
        written = [_number_text(x) for x in values]
        return _correct(label, written, f" (checked to {SIGNIFICANT_DIGITS} significant digits)")
    digests = key.split()
    fields = [_field(label, position) for position in range(len(values))]
    if all(
        _matches_one(x, digest, field) or _right_but_short(x, digest, field)
        for x, digest, field in zip(values, digests, fields, strict=True)
    ):
        print(f"✗ {label}: give at least {SIGNIFICANT_DIGITS} significant digits.")
        return False
    return _wrong(label, hint)


def check_count(label: str, answer, key: str, *, hint: str) -> bool:
    """A whole number (parameters, bytes, passes) against `count_key(label, expected)`."""
    if isinstance(key, GradedAfterHandIn):
        return _number_form(label, answer, key, hint, whole=True)
    if answer is None:
        return _not_answered(label)
    values = _numbers(answer)
    if values is None:
        return _wrong(label, hint, f"expected a whole number, got {type(answer).__name__}")
    if len(values) != 1 or not math.isfinite(values[0]) or values[0] != int(values[0]):
        return _wrong(label, hint, "expected one whole number (a count is exact)")
    written = str(int(values[0]))
    if _digest(written, _field(label, 0)) == key:
        return _correct(label, [written], " (exact)")
    return _wrong(label, hint)


def check_choice(label: str, answer, key: str, *, hint: str, choices: Iterable[str]) -> bool:
    """A one-word answer out of `choices` (case and surrounding spaces ignored), against
    `word_key(label, expected)`."""
    choices = [choice.lower() for choice in choices]
    if answer is None:
        return _not_answered(label)
    given = str(answer).strip().lower()
    if given not in choices:
        options = " or ".join(repr(choice) for choice in choices)
        return _wrong(label, hint, f"answer with one of {options}, not {answer!r}")
    if isinstance(key, GradedAfterHandIn):  # the graded edition: its form is all there is
        return _recorded(label, f"recorded, {given!r}")
    if _digest(given, _field(label, 0)) == key:
        return _correct(label, [given])
    return _wrong(label, hint)


def check_function(
    label: str, candidate: Callable | None, points: Iterable, keys: list[str], *, hint: str
) -> bool:
    """Call the student's function on each point (arguments as float64 tensors) and compare
    each result with that point's key from `function_keys`, to SIGNIFICANT_DIGITS significant
    digits. An error inside the student's function is reported in one line, with the hint."""
    if candidate is None:
        return _not_answered(label)
    if not callable(candidate):
        return _wrong(label, hint, f"expected a function, got {type(candidate).__name__}")
    points = list(points)
    if len(points) != len(keys):
        raise ValueError(f"{len(points)} points but {len(keys)} keys")
    if all(isinstance(key, GradedAfterHandIn) for key in keys):
        return _function_form(label, candidate, points, keys, hint)
    written = []
    for index, (point, key) in enumerate(zip(points, keys, strict=True)):
        try:
            values = _values(candidate(*(argument.clone() for argument in _arguments(point))))
        except Exception as error:  # noqa: BLE001  (the student's code: report it in one line)
            return _wrong(label, hint, f"your function raised {type(error).__name__}: {error}")
        if not all(math.isfinite(x) for x in values) or not _matches(values, key, label, index):
            return _wrong(label, hint)
        written.extend(_number_text(x) for x in values)
    return _correct(label, written, f" (checked to {SIGNIFICANT_DIGITS} significant digits)")
