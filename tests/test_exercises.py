import pytest
import torch

from helpers.exercises import check_answer, expect_error


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


@pytest.mark.parametrize(
    "answer, expected, passed, printed",
    [
        (None, 1.0, False, "not answered yet"),
        (3.0, 3.0, True, "✓ q: correct"),
        (torch.tensor([3.0]), 3.0, True, "✓ q: correct"),
        (torch.tensor([1.0, 2.0]), [1.0, 2.0], True, "correct"),
        (2.5, 3.0, False, "off by 0.5"),
        ("three", 3.0, False, "expected a number"),
        (torch.ones(3), [1.0, 1.0], False, "expected 2 value(s)"),
    ],
)
def test_check_answer(capsys, answer, expected, passed, printed):
    assert check_answer("q", answer, expected) is passed
    out = capsys.readouterr().out
    assert printed in out
    if not passed:
        assert str(expected) not in out or answer is None  # the answer is not given away
