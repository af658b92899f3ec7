from types import SimpleNamespace

import pytest
import torch

import helpers.timing
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


def test_interleaved_rounds_take_turns_and_keep_the_fastest_call(monkeypatch):
    # A clock that moves only when the functions say so: the test holds on a busy machine, where
    # a real 1 ms sleep can take several.
    now = [0.0]
    monkeypatch.setattr(helpers.timing, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    order = []
    durations = iter([0.25, 2.0, 1.0, 9.0])  # warm-up (not counted), then rounds 1, 2 and 3

    def slow():
        order.append("slow")
        now[0] += next(durations)

    def quick():
        order.append("quick")
        now[0] += 0.5

    fastest = interleaved_min_seconds({"slow": slow, "quick": quick}, rounds=3, warmup=1)
    assert order == ["slow", "quick"] * 4  # warm-up, then three rounds, always in turn
    assert fastest == {"slow": 1.0, "quick": 0.5}  # the fastest round of each, warm-up left out


def test_interleaved_arguments_are_checked():
    with pytest.raises(ValueError):
        interleaved_min_seconds({"f": lambda: None}, rounds=0)


def test_one_thread_restores_the_setting_even_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), one_thread():
        assert torch.get_num_threads() == 1
        raise RuntimeError("inside the block")
    assert torch.get_num_threads() == before
