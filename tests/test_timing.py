import time

import pytest
import torch

from helpers.timing import interleaved_min_seconds, median_seconds, one_thread


def test_median_of_repeats_after_warmup():
    calls = []
    seconds = median_seconds(lambda: calls.append(1), repeats=5, warmup=2)
    assert len(calls) == 7
    assert 0 <= seconds < 1


@pytest.mark.parametrize("repeats, warmup", [(0, 1), (3, -1)])
def test_arguments_are_checked(repeats, warmup):
    with pytest.raises(ValueError):
        median_seconds(lambda: None, repeats=repeats, warmup=warmup)


def test_interleaved_rounds_take_turns_and_keep_the_fastest_call():
    order = []
    clock = iter([5.0, 1.0, 2.0, 9.0])  # the "slow" function is fast in round 2 only

    def slow():
        order.append("slow")
        time.sleep(next(clock) * 1e-3)

    def quick():
        order.append("quick")

    fastest = interleaved_min_seconds({"slow": slow, "quick": quick}, rounds=3, warmup=1)
    assert order == ["slow", "quick"] * 4  # warm-up, then three rounds, always in turn
    assert 1e-3 <= fastest["slow"] < 2e-3  # the 1 ms call, not the 2 or 9 ms ones
    assert fastest["quick"] < fastest["slow"]


def test_interleaved_arguments_are_checked():
    with pytest.raises(ValueError):
        interleaved_min_seconds({"f": lambda: None}, rounds=0)


def test_one_thread_restores_the_setting_even_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), one_thread():
        assert torch.get_num_threads() == 1
        raise RuntimeError("inside the block")
    assert torch.get_num_threads() == before
