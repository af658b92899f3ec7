"""Self-checks for exercises, and `expect_error` for cells that demonstrate an error.

`expect_error` turns "this line raises" into a checked claim: the cell fails if the error does
not happen, and prints only the error's first line (no traceback full of file paths).
"""

from collections.abc import Iterator
from contextlib import contextmanager

import torch


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


def check_answer(label: str, answer, expected, *, atol: float = 1e-6, rtol: float = 1e-6) -> bool:
    """Print a pass line if `answer` matches `expected` (numbers or tensors), else say what is
    off without giving the answer away. Returns whether it passed."""
    if answer is None:
        print(f"… {label}: not answered yet (replace None with your answer)")
        return False
    try:
        got = torch.as_tensor(answer, dtype=torch.float64).detach()
        want = torch.as_tensor(expected, dtype=torch.float64).detach()
    except (TypeError, ValueError, RuntimeError):
        print(f"✗ {label}: expected a number or a tensor, got {type(answer).__name__}")
        return False
    if got.shape != want.shape and got.numel() != want.numel():
        print(f"✗ {label}: expected {want.numel()} value(s), got shape {tuple(got.shape)}")
        return False
    got = got.reshape(want.shape)
    if torch.allclose(got, want, atol=atol, rtol=rtol):
        print(f"✓ {label}: correct")
        return True
    off = (got - want).abs().max().item()
    print(f"✗ {label}: not yet — your value is off by {off:.3g}. Check the hint and try again.")
    return False
