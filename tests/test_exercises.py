import math

import pytest
import torch

from helpers.exercises import (
    accepted_answers,
    check_answer,
    check_choice,
    check_count,
    check_function,
    count_key,
    expect_error,
    function_keys,
    number_key,
    word_key,
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
        (2.5942, 2.59416, True, "✓ q: correct"),
        (2.5945, 2.594499, True, "✓ q: correct"),  # printed on a rounding boundary
        (2.5945, 2.59451, True, "✓ q: correct"),  # the other side of it
        (0.0, 0.0, True, "✓ q: correct"),
        (1e-17, 0.0, True, "✓ q: correct"),  # rounding noise where 0 is meant
        (27.0, 27.0, True, "✓ q: correct"),
        (9.0, 27.0, False, "✗ q: not yet"),  # short, and wrong as far as it goes: the hint
        (2.6, 2.59416, False, "give at least 4 significant digits"),
        (2.59, 2.59416, False, "give at least 4 significant digits"),
        (torch.tensor(2.59), 2.59416, False, "give at least 4 significant digits"),  # float32
        (2.583, 2.59416, False, "✗ q: not yet"),
        ("three", 3.0, False, "expected a number or a tensor"),
        (torch.ones(3), [1.0, 1.0], False, "expected 2 values, got 3"),
        (float("nan"), 1.0, False, "inf or nan"),
    ],
)
def test_check_answer(capsys, answer, expected, passed, printed):
    assert check_answer("q", answer, number_key("q", expected), hint=HINT) is passed
    out = capsys.readouterr().out
    assert printed in out
    if passed or answer is None or "significant digits." in out:
        assert HINT not in out
    else:
        assert f"Hint: {HINT}" in out


@pytest.mark.parametrize("answer, expected", [(9.0, 27.0), (2.5, 3.0), (-1.0, 0.25)])
def test_a_wrong_answer_never_shows_its_distance_or_the_answer(capsys, answer, expected):
    check_answer("q", answer, number_key("q", expected), hint=HINT)
    out = capsys.readouterr().out
    for number in (expected, abs(expected - answer)):
        assert f"{number:g}" not in out.replace(f"{answer:g}", "")
    assert "off by" not in out


def test_a_key_does_not_contain_its_value():
    for count in (50305, 18_000_000):
        assert str(count) not in number_key("q", count) + count_key("q", count)
    assert "2.594" not in number_key("q", 2.59416)


def test_equal_answers_get_different_keys():
    """A key says nothing about other keys: the same value in two checks, or twice in one
    answer, hashes differently (salted with the label and the place)."""
    twice = number_key("q", [4.0, 4.0]).split()
    assert twice[0] != twice[1]
    assert number_key("q", 4.0) != number_key("r", 4.0)
    assert count_key("q", 12) != count_key("r", 12) and word_key("q", "a") != word_key("r", "a")
    at_two_points = function_keys("f", lambda x: x * 0 + 1, [0.0, 1.0])
    assert at_two_points[0] != at_two_points[1]


def test_a_key_is_checked_in_its_own_place(capsys):
    key = number_key("q", [1.0, 2.0])
    assert check_answer("q", [1.0, 2.0], key, hint=HINT)
    assert not check_answer("q", [2.0, 1.0], key, hint=HINT)  # swapped: wrong
    assert not check_answer("r", [1.0, 2.0], key, hint=HINT)  # another check's key: wrong
    assert check_answer("q", [1.0, 2.59], number_key("q", [1.0, 2.594]), hint=HINT) is False
    assert "give at least 4 significant digits" in capsys.readouterr().out


@pytest.mark.parametrize(
    "answer, passed, printed",
    [
        (None, False, "not answered yet"),
        (50305, True, "✓ n: correct (exact)"),
        (50305.0, True, "✓ n: correct"),
        (torch.tensor([50305]), True, "✓ n: correct"),
        (50304, False, "✗ n: not yet"),  # a forgotten bias is wrong, not "4 digits right"
        (50310, False, "✗ n: not yet"),
        (5.03e4, False, "✗ n: not yet"),
        (50305.5, False, "a count is exact"),
        ("50305", False, "expected a whole number, got str"),
    ],
)
def test_check_count_is_exact(capsys, answer, passed, printed):
    assert check_count("n", answer, count_key("n", 50305), hint=HINT) is passed
    assert printed in capsys.readouterr().out


def test_check_choice(capsys):
    key = word_key("c", "smaller")
    assert check_choice("c", None, key, hint=HINT, choices=["smaller", "larger"]) is False
    assert "not answered yet" in capsys.readouterr().out
    assert check_choice("c", " Smaller ", key, hint=HINT, choices=["smaller", "larger"])
    assert "✓ c: correct" in capsys.readouterr().out
    assert not check_choice("c", "larger", key, hint=HINT, choices=["smaller", "larger"])
    out = capsys.readouterr().out
    assert f"Hint: {HINT}" in out and "smaller" not in out
    assert not check_choice("c", "bigger", key, hint=HINT, choices=["smaller", "larger"])
    assert "one of 'smaller' or 'larger'" in capsys.readouterr().out


def test_check_function_compares_on_every_point(capsys):
    def reference(x):
        return 3 * x**2 - 3

    points = [-2.0, 0.5, 1.0, 1.7]
    keys = function_keys("f", reference, points)
    assert check_function("f", None, points, keys, hint=HINT) is False
    assert "not answered yet" in capsys.readouterr().out
    assert check_function("f", lambda x: 3 * x * x - 3, points, keys, hint=HINT)
    assert "✓ f: correct" in capsys.readouterr().out
    # right at three points, wrong at one: still wrong
    assert not check_function("f", lambda x: 3 * x**2 - 3 + (x > 1.5), points, keys, hint=HINT)
    assert f"Hint: {HINT}" in capsys.readouterr().out


def test_check_function_reports_an_error_in_one_line(capsys):
    def broken(x):
        return undefined_name * x  # noqa: F821

    keys = function_keys("f", lambda x: x, [1.0])
    assert not check_function("f", broken, [1.0], keys, hint=HINT)
    out = capsys.readouterr().out
    assert "your function raised NameError" in out and f"Hint: {HINT}" in out
    assert not check_function("f", 3.0, [1.0], keys, hint=HINT)
    assert "expected a function, got float" in capsys.readouterr().out


def test_check_function_takes_several_arguments_and_vector_results(capsys):
    points = [(1.0, 2.0), (torch.ones(2), 3.0)]
    keys = function_keys("g", lambda a, b: b * a, points)
    assert check_function("g", lambda a, b: a * b, points, keys, hint=HINT)


def test_accepted_answers_are_recorded_as_written_for_hashing(capsys):
    check_count("recorded count", 12, count_key("recorded count", 12), hint=HINT)
    check_answer("recorded number", 2.59416, number_key("recorded number", 2.59416), hint=HINT)
    recorded = {entry["label"]: entry["written"] for entry in accepted_answers()}
    assert recorded["recorded count"] == ["12"]
    assert recorded["recorded number"] == ["2.594e+00"]
