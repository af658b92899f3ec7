import pytest

from helpers.timing import median_seconds


def test_median_of_repeats_after_warmup():
    calls = []
    seconds = median_seconds(lambda: calls.append(1), repeats=5, warmup=2)
    assert len(calls) == 7
    assert 0 <= seconds < 1


@pytest.mark.parametrize("repeats, warmup", [(0, 1), (3, -1)])
def test_arguments_are_checked(repeats, warmup):
    with pytest.raises(ValueError):
        median_seconds(lambda: None, repeats=repeats, warmup=warmup)
