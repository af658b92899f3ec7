"""Wall-clock timing that is fair to both sides of a comparison: warm-up, then the median, or
the minimum over interleaved rounds when the comparison must hold on a busy computer."""

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def median_seconds(
    fn: Callable[[], object],
    *,
    repeats: int = 5,
    warmup: int = 1,
    device: torch.device | str = "cpu",
) -> float:
    """Median wall time of `fn()` over `repeats` calls after `warmup` untimed calls.

    GPU work is asynchronous, so the device is synchronised before reading the clock.
    """
    if repeats < 1 or warmup < 0:
        raise ValueError(f"need repeats >= 1 and warmup >= 0, got {repeats} and {warmup}")
    device = torch.device(device)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        _synchronize(device)
        start = time.perf_counter()
        fn()
        _synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_min_seconds(
    fns: dict[str, Callable[[], object]],
    *,
    rounds: int = 7,
    warmup: int = 1,
    device: torch.device | str = "cpu",
) -> dict[str, float]:
    """Fastest wall time of each of `fns` over `rounds` rounds; every round calls each function
    once, in turn.

    Taking turns exposes every function to the same background load, and the minimum keeps the
    least disturbed call: other programs on a busy computer only ever add time. So ratios of
    these times hold on a loaded laptop, where medians of separate runs do not.
    """
    if rounds < 1 or warmup < 0:
        raise ValueError(f"need rounds >= 1 and warmup >= 0, got {rounds} and {warmup}")
    device = torch.device(device)
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    fastest = dict.fromkeys(fns, float("inf"))
    for _ in range(rounds):
        for name, fn in fns.items():
            _synchronize(device)
            start = time.perf_counter()
            fn()
            _synchronize(device)
            fastest[name] = min(fastest[name], time.perf_counter() - start)
    return fastest


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block on one CPU thread, then restore PyTorch's setting.

    Timings then count work, not how well an operation spreads over cores; and on a busy
    computer a multi-threaded operation waits for its slowest thread to be scheduled, which can
    turn microseconds into milliseconds.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
