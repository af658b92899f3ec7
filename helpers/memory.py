"""Measure how much memory a computation allocates: the peak of its extra bytes.

"Extra" means beyond what existed before the call: for a gradient computation, everything it
allocates on top of X and y (intermediates, the result), at the worst moment.

- On a CUDA device: `torch.cuda.max_memory_allocated` after `reset_peak_memory_stats`.
- Elsewhere (CPU): PyTorch's profiler with `profile_memory=True` records every allocation and
  free of the CPU allocator with its size; the running sum of those sizes, in time order, peaks
  at the answer. (MPS has no peak counter: measure on the CPU, which allocates the same tensors.)

The tests check both against tensors of known size. The profiler's native log lines are kept
out of notebook outputs.

The two count differently. The CPU route counts each tensor's own bytes. CUDA's caching
allocator hands out blocks, and its counter counts blocks: `allocated_bytes` says what one new
tensor adds on either device, so a theory written tensor by tensor holds on both.

The CPU route reads the profiler's event tree through private PyTorch internals
(`torch._C._profiler`, `experimental_event_tree`). A PyTorch release without them, or with a
different shape, raises `MemoryMeasurementUnavailable`; `memory_measurement_available` asks
once, by measuring a tensor of known size, so a notebook can say so in a sentence and go on.
"""

import contextlib
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterator

import torch


class MemoryMeasurementUnavailable(RuntimeError):
    """This PyTorch does not offer what `peak_extra_bytes` reads on the CPU."""


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence what C++ code writes to file descriptor 2 (the profiler's start/stop lines)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _cpu_allocation_events(prof) -> list[tuple[int, int]]:
    """(time in ns, signed bytes) of every allocator event the profiler saw, in time order."""
    try:
        from torch._C._profiler import _EventType

        events = []
        stack = list(prof.profiler.kineto_results.experimental_event_tree())
        while stack:
            event = stack.pop()
            stack.extend(event.children)
            if event.tag == _EventType.Allocation and event.extra_fields.device.type == "cpu":
                events.append((event.start_time_ns, event.extra_fields.alloc_size))
    except (ImportError, AttributeError, TypeError) as error:
        raise MemoryMeasurementUnavailable(
            f"torch {torch.__version__} does not expose the profiler's allocation events that "
            f"peak_extra_bytes reads on the CPU ({type(error).__name__}: {error})."
        ) from None
    events.sort(key=lambda item: item[0])
    return events


def _peak_extra_bytes_cpu(fn: Callable[[], object]) -> int:
    from torch.profiler import ProfilerActivity, profile

    with _quiet_native_stderr(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
            result = fn()
        del result
    live = peak = 0
    for _, size in _cpu_allocation_events(prof):
        live += size
        peak = max(peak, live)
    return peak


def _peak_extra_bytes_cuda(fn: Callable[[], object], device: torch.device) -> int:
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    before = torch.cuda.memory_allocated(device)
    result = fn()
    torch.cuda.synchronize(device)
    peak = torch.cuda.max_memory_allocated(device) - before
    del result
    return peak


def peak_extra_bytes(fn: Callable[[], object], device: torch.device | str = "cpu") -> int:
    """Call `fn()` once and return the most bytes it had allocated at any moment beyond what
    was allocated before the call (its result included, since it is alive when `fn` returns)."""
    device = torch.device(device)
    if device.type == "cuda":
        return _peak_extra_bytes_cuda(fn, device)
    if device.type != "cpu":
        raise ValueError(
            f"peak_extra_bytes measures on 'cuda' or 'cpu', not {device.type!r}: "
            "run the computation on the CPU to measure it there."
        )
    return _peak_extra_bytes_cpu(fn)


def memory_measurement_available(device: torch.device | str = "cpu") -> bool:
    """Whether `peak_extra_bytes` works with this PyTorch on this device: it must measure a new
    4 KiB tensor as exactly 4 KiB."""
    probe_bytes = 4096
    try:
        measured = peak_extra_bytes(
            lambda: torch.empty(probe_bytes, dtype=torch.uint8, device=device), device
        )
    except (MemoryMeasurementUnavailable, ValueError):  # ValueError: a device we can't measure
        return False
    return measured == probe_bytes


def tensor_bytes(tensor: torch.Tensor) -> int:
    return tensor.numel() * tensor.element_size()


# PyTorch's CUDA caching allocator (c10/cuda/CUDACachingAllocator.cpp, `round_size`): every
# request is rounded up to a multiple of kMinBlockSize = 512 bytes, and is at least that.
CUDA_BLOCK_BYTES = 512


def cuda_block_bytes(n_bytes: int) -> int:
    """The block CUDA's caching allocator gives a tensor of `n_bytes`, which is what
    `torch.cuda.memory_allocated` and `max_memory_allocated` count: rounded up to a multiple of
    512 bytes, at least 512; an empty tensor allocates nothing.

    This is the allocator's default. `PYTORCH_CUDA_ALLOC_CONF=roundup_power2_divisions:...`
    rounds larger requests more coarsely, and a request over 1 MiB served from a cached free
    block may be given that block whole when less than 1 MiB of it would remain.
    """
    if n_bytes < 0:
        raise ValueError(f"a tensor has 0 or more bytes, not {n_bytes}")
    if n_bytes == 0:
        return 0
    return -(-n_bytes // CUDA_BLOCK_BYTES) * CUDA_BLOCK_BYTES


def allocated_bytes(n_bytes: int, device: torch.device | str = "cpu") -> int:
    """What a new tensor of `n_bytes` adds to `peak_extra_bytes` on `device`: its bytes on the
    CPU, its rounded block (`cuda_block_bytes`) on a CUDA GPU."""
    if torch.device(device).type == "cuda":
        return cuda_block_bytes(n_bytes)
    if n_bytes < 0:
        raise ValueError(f"a tensor has 0 or more bytes, not {n_bytes}")
    return n_bytes


def available_memory_bytes(device: torch.device | str = "cpu") -> int | None:
    """Memory free for new tensors right now, or None where the system will not say."""
    device = torch.device(device)
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return free
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # e.g. macOS has no SC_AVPHYS_PAGES
        return None


def format_bytes(n_bytes: float) -> str:
    """1536 -> '1.5 KiB'; a measurement that could not be made (NaN) -> 'n/a'."""
    if math.isnan(n_bytes):
        return "n/a"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n_bytes) < 1024 or unit == "GiB":
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    raise AssertionError("unreachable")
