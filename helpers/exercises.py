"""Self-checks for the exercises, and `expect_error` for cells that demonstrate an error.

A check says one of three things: not answered yet, correct, or not yet with the exercise's
hint. It never prints how far a wrong answer is from the truth (that would give the answer
away). Numbers are accepted to `SIGNIFICANT_DIGITS` significant digits, the precision a student
can read off a printed value.

`expect_error` turns "this line raises" into a checked claim: the cell fails if the error does
not happen, and prints only the error's first line (no traceback full of file paths).
"""

import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import torch

SIGNIFICANT_DIGITS = 4


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


def tolerance(expected: torch.Tensor, significant_digits: int = SIGNIFICANT_DIGITS) -> float:
    """Half a unit in the last significant digit of the largest expected value: 3.1416 and
    3.142 both pass for π at 4 digits. An expected 0 is read on the scale of 1."""
    scale = expected.abs().max().item() if expected.numel() else 0.0
    exponent = math.floor(math.log10(scale)) if scale > 0 else 0
    return 0.5 * 10.0 ** (exponent - significant_digits + 1)


def _not_answered(label: str) -> bool:
    print(f"… {label}: not answered yet (replace None with your answer)")
    return False


def _wrong(label: str, hint: str, why: str = "not yet") -> bool:
    print(f"✗ {label}: {why}.\n  Hint: {hint}")
    return False


def _as_float64(value) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", torch.float64)
    return torch.as_tensor(value, dtype=torch.float64)


def check_answer(
    label: str,
    answer,
    expected,
    *,
    hint: str,
    significant_digits: int = SIGNIFICANT_DIGITS,
) -> bool:
    """Compare a number, a list of numbers or a tensor with `expected`, to `significant_digits`
    significant digits (on the scale of the largest expected value). Returns whether it passed."""
    if answer is None:
        return _not_answered(label)
    try:
        got = _as_float64(answer)
    except (TypeError, ValueError, RuntimeError):
        return _wrong(label, hint, f"expected a number or a tensor, got {type(answer).__name__}")
    want = _as_float64(expected)
    if got.numel() != want.numel():
        count = f"{want.numel()} value" + ("s" if want.numel() != 1 else "")
        return _wrong(label, hint, f"expected {count}, got {got.numel()}")
    if not torch.isfinite(got).all():
        return _wrong(label, hint, "your answer contains inf or nan")
    got = got.reshape(want.shape)
    if (got - want).abs().max().item() <= tolerance(want, significant_digits):
        print(f"✓ {label}: correct (checked to {significant_digits} significant digits)")
        return True
    return _wrong(label, hint)


def check_choice(label: str, answer, expected: str, *, hint: str, choices: Iterable[str]) -> bool:
    """A one-word answer out of `choices` (case and surrounding spaces ignored)."""
    choices = [choice.lower() for choice in choices]
    if answer is None:
        return _not_answered(label)
    given = str(answer).strip().lower()
    if given not in choices:
        options = " or ".join(repr(choice) for choice in choices)
        return _wrong(label, hint, f"answer with one of {options}, not {answer!r}")
    if given == expected.lower():
        print(f"✓ {label}: correct")
        return True
    return _wrong(label, hint)


def check_function(
    label: str,
    candidate: Callable | None,
    reference: Callable,
    points: Iterable,
    *,
    hint: str,
    significant_digits: int = SIGNIFICANT_DIGITS,
) -> bool:
    """Call the student's function and the reference on each point (float64 tensors) and compare
    the results to `significant_digits` significant digits. An error inside the student's function
    is reported in one line, with the hint."""
    if candidate is None:
        return _not_answered(label)
    if not callable(candidate):
        return _wrong(label, hint, f"expected a function, got {type(candidate).__name__}")
    for point in points:
        arguments = point if isinstance(point, tuple) else (point,)
        arguments = tuple(_as_float64(argument) for argument in arguments)
        want = _as_float64(reference(*arguments))
        try:
            got = candidate(*(argument.clone() for argument in arguments))
            got = _as_float64(got)
        except Exception as error:  # noqa: BLE001  (the student's code: report it in one line)
            return _wrong(label, hint, f"your function raised {type(error).__name__}: {error}")
        if got.numel() != want.numel() or not torch.isfinite(got).all():
            return _wrong(label, hint)
        if (got.reshape(want.shape) - want).abs().max().item() > tolerance(
            want, significant_digits
        ):
            return _wrong(label, hint)
    print(f"✓ {label}: correct (checked to {significant_digits} significant digits)")
    return True
