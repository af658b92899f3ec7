import math

import pytest
import torch

from helpers.exercises import (
    check_answer,
    check_choice,
    check_function,
    expect_error,
    tolerance,
)


def test_expect_error_prints_the_first_line_and_continues(capsys):
    with expect_error(RuntimeError, match="second time"):
        raise RuntimeError("Trying to backward through the graph a second time\nmore detail")
    assert capsys.readouterr().out == (
        "Expected RuntimeError: Trying to backward through the graph a second time\n"
    )


def test_expect_error_fails_when_nothing_is_raised():
    with pytest.raises(AssertionError, match="ran without one"), expect_error(RuntimeError):
        pass


def test_expect_error_fails_on_the_wrong_message():
    with (
        pytest.raises(AssertionError, match="mentioning 'inplace'"),
        expect_error(RuntimeError, match="inplace"),
    ):
        raise RuntimeError("something else")


def test_expect_error_lets_other_error_types_through():
    with pytest.raises(KeyError), expect_error(RuntimeError):
        raise KeyError("k")


HINT = "the hint of this exercise"


@pytest.mark.parametrize(
    "answer, expected, passed, printed",
    [
        (None, 1.0, False, "… q: not answered yet"),
        (3.0, 3.0, True, "✓ q: correct (checked to 4 significant digits)"),
        (torch.tensor([3.0]), 3.0, True, "✓ q: correct"),
        (torch.tensor([1.0, 2.0]), [1.0, 2.0], True, "✓ q: correct"),
        (3.1416, math.pi, True, "✓ q: correct"),  # what a notebook prints for π
        (3.142, math.pi, True, "✓ q: correct"),  # four significant digits
        (3.141, math.pi, False, "✗ q: not yet"),  # the fourth digit is wrong
        (0.0, 0.0, True, "✓ q: correct"),
        (0.0004, 0.0, True, "✓ q: correct"),  # an expected 0 is read on the scale of 1
        (27.0, 27.0, True, "✓ q: correct"),
        (9.0, 27.0, False, "✗ q: not yet"),
        ("three", 3.0, False, "expected a number or a tensor"),
        (torch.ones(3), [1.0, 1.0], False, "expected 2 values, got 3"),
        (float("nan"), 1.0, False, "inf or nan"),
    ],
)
def test_check_answer(capsys, answer, expected, passed, printed):
    assert check_answer("q", answer, expected, hint=HINT) is passed
    out = capsys.readouterr().out
    assert printed in out
    if passed or answer is None:
        assert HINT not in out
    else:
        assert f"Hint: {HINT}" in out


@pytest.mark.parametrize("answer, expected", [(9.0, 27.0), (2.5, 3.0), (-1.0, 0.25)])
def test_a_wrong_answer_never_shows_its_distance_or_the_answer(capsys, answer, expected):
    check_answer("q", answer, expected, hint=HINT)
    out = capsys.readouterr().out
    for number in (expected, abs(expected - answer)):
        assert f"{number:g}" not in out.replace(f"{answer:g}", "")
    assert "off by" not in out


def test_tolerance_is_half_a_unit_in_the_fourth_significant_digit():
    assert tolerance(torch.tensor(math.pi)) == pytest.approx(5e-4)
    assert tolerance(torch.tensor([27.0, -3.0])) == pytest.approx(5e-3)
    assert tolerance(torch.tensor(0.00123)) == pytest.approx(5e-7)
    assert tolerance(torch.tensor(0.0)) == pytest.approx(5e-4)
    assert tolerance(torch.tensor(123.0), significant_digits=2) == pytest.approx(5.0)


def test_check_choice(capsys):
    assert check_choice("c", None, "smaller", hint=HINT, choices=["smaller", "larger"]) is False
    assert "not answered yet" in capsys.readouterr().out
    assert check_choice("c", " Smaller ", "smaller", hint=HINT, choices=["smaller", "larger"])
    assert "✓ c: correct" in capsys.readouterr().out
    assert not check_choice("c", "larger", "smaller", hint=HINT, choices=["smaller", "larger"])
    out = capsys.readouterr().out
    assert f"Hint: {HINT}" in out and "smaller" not in out
    assert not check_choice("c", "bigger", "smaller", hint=HINT, choices=["smaller", "larger"])
    assert "one of 'smaller' or 'larger'" in capsys.readouterr().out


def test_check_function_compares_on_every_point(capsys):
    def reference(x):
        return 3 * x**2 - 3

    points = [-2.0, 0.5, 1.0, 1.7]
    assert check_function("f", None, reference, points, hint=HINT) is False
    assert "not answered yet" in capsys.readouterr().out
    assert check_function("f", lambda x: 3 * x * x - 3, reference, points, hint=HINT)
    assert "✓ f: correct" in capsys.readouterr().out
    # right at three points, wrong at one: still wrong
    assert not check_function("f", lambda x: 3 * x**2 - 3 + (x > 1.5), reference, points, hint=HINT)
    assert f"Hint: {HINT}" in capsys.readouterr().out


def test_check_function_reports_an_error_in_one_line(capsys):
    def broken(x):
        return undefined_name * x  # noqa: F821

    assert not check_function("f", broken, lambda x: x, [1.0], hint=HINT)
    out = capsys.readouterr().out
    assert "your function raised NameError" in out and f"Hint: {HINT}" in out
    assert not check_function("f", 3.0, lambda x: x, [1.0], hint=HINT)
    assert "expected a function, got float" in capsys.readouterr().out


def test_check_function_takes_several_arguments(capsys):
    assert check_function(
        "g", lambda a, b: a * b, lambda a, b: b * a, [(1.0, 2.0), (torch.ones(2), 3.0)], hint=HINT
    )
