from pathlib import Path

import pytest
import torch

from helpers.memory import (
    CUDA_BLOCK_BYTES,
    MemoryMeasurementUnavailable,
    allocated_bytes,
    available_memory_bytes,
    cuda_block_bytes,
    format_bytes,
    memory_measurement_available,
    peak_extra_bytes,
    tensor_bytes,
)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

MB8 = 1000 * 1000 * 8  # a (1000, 1000) float64 tensor


def test_one_known_tensor():
    assert peak_extra_bytes(lambda: torch.empty(1000, 1000, dtype=torch.float64)) == MB8


def test_peak_is_the_maximum_not_the_sum_of_allocations():
    def allocate_then_free_twice():
        a = torch.empty(1000, 1000, dtype=torch.float64)
        del a
        b = torch.empty(500, 1000, dtype=torch.float64)
        del b

    assert peak_extra_bytes(allocate_then_free_twice) == MB8


def test_tensors_alive_together_add_up():
    def two_alive():
        a = torch.empty(1000, 1000, dtype=torch.float64)
        b = torch.empty(250, 1000, dtype=torch.float32)
        return a, b

    assert peak_extra_bytes(two_alive) == MB8 + 250 * 1000 * 4


def test_existing_tensors_are_not_counted():
    existing = torch.ones(1000, 1000, dtype=torch.float64)
    assert peak_extra_bytes(lambda: existing.sum()) <= 64  # only the scalar result
    assert MB8 <= peak_extra_bytes(lambda: existing * 2) <= MB8 + 64  # + the wrapped scalar 2


def test_gram_matrix_costs_p_squared_and_matvec_costs_n():
    n, p = 2000, 300
    X = torch.randn(n, p, dtype=torch.float64)
    w = torch.randn(p, dtype=torch.float64)
    assert peak_extra_bytes(lambda: X.T @ X) == 8 * p * p
    assert peak_extra_bytes(lambda: X @ w) == 8 * n


def test_autograd_allocations_are_seen():
    w = torch.randn(500, dtype=torch.float64)

    def forward_backward():
        leaf = w.clone().requires_grad_(True)
        (leaf * 2).sum().backward()
        return leaf.grad

    assert peak_extra_bytes(forward_backward) >= 2 * 500 * 8  # the clone and its .grad


def test_other_devices_are_refused_clearly():
    with pytest.raises(ValueError, match="cuda' or 'cpu'"):
        peak_extra_bytes(lambda: None, device="mps")


def test_profiler_noise_does_not_reach_python_stderr(capfd):
    peak_extra_bytes(lambda: torch.empty(10))
    captured = capfd.readouterr()
    assert "profiler" not in captured.err.lower() and captured.out == ""


def test_small_helpers():
    assert tensor_bytes(torch.empty(3, 4, dtype=torch.float64)) == 96
    assert format_bytes(512) == "512 B"
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(32 * 1024**2) == "32.0 MiB"
    free = available_memory_bytes("cpu")
    assert free is None or free > 0


# float64 tensors of 1 to 10**7 numbers and the growth of torch.cuda.max_memory_allocated that
# each caused, read on an H100 (torch 2.11.0+cu130): PyTorch's 512-byte blocks.
CUDA_PEAKS_SEEN = {
    8: 512,
    80: 512,
    800: 1024,
    8_000: 8192,
    80_000: 80_384,
    800_000: 800_256,
    8_000_000: 8_000_000,
    80_000_000: 80_000_000,
}


def test_cuda_blocks_are_multiples_of_512_bytes_and_at_least_512():
    assert CUDA_BLOCK_BYTES == 512  # kMinBlockSize in c10/cuda/CUDACachingAllocator.cpp
    assert cuda_block_bytes(0) == 0  # an empty tensor allocates nothing
    assert [cuda_block_bytes(b) for b in (1, 511, 512, 513, 1024, 1025)] == [
        512,
        512,
        512,
        1024,
        1024,
        1536,
    ]
    for n_bytes, seen in CUDA_PEAKS_SEEN.items():
        assert cuda_block_bytes(n_bytes) == seen, n_bytes
    with pytest.raises(ValueError):
        cuda_block_bytes(-1)


def test_allocated_bytes_rounds_on_cuda_only():
    assert allocated_bytes(8_000, "cpu") == 8_000
    assert allocated_bytes(8_000, "cuda") == 8_192
    assert allocated_bytes(8, torch.device("cuda", 0)) == 512


def test_cpu_peaks_are_not_rounded():
    for n_bytes in (8, 800, 80_000):
        assert peak_extra_bytes(lambda n=n_bytes: torch.empty(n, dtype=torch.uint8)) == (
            allocated_bytes(n_bytes, "cpu")
        )


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_peaks_are_the_rounded_blocks():
    torch.empty(1, device="cuda")  # initialise CUDA outside the measurement
    for n_bytes in CUDA_PEAKS_SEEN:
        measured = peak_extra_bytes(
            lambda n=n_bytes: torch.empty(n // 8, dtype=torch.float64, device="cuda"), "cuda"
        )
        assert measured == allocated_bytes(n_bytes, "cuda"), n_bytes


@pytest.fixture
def without_private_profiler_api(monkeypatch):
    """What a PyTorch release without the profiler internals that the CPU route reads looks
    like: importing `_EventType` from `torch._C._profiler` fails."""
    import torch._C._profiler

    monkeypatch.delattr(torch._C._profiler, "_EventType")


def test_missing_private_api_is_a_named_error_not_a_crash(without_private_profiler_api):
    with pytest.raises(MemoryMeasurementUnavailable, match=r"torch .* does not expose"):
        peak_extra_bytes(lambda: torch.empty(1000))
    assert not memory_measurement_available("cpu")


def test_changed_private_api_is_reported_unavailable(monkeypatch):
    import torch._C._profiler

    monkeypatch.setattr(torch._C._profiler, "_EventType", object())  # no .Allocation
    assert not memory_measurement_available("cpu")


def test_measurement_is_available_with_this_torch():
    assert memory_measurement_available("cpu")
    assert not memory_measurement_available("meta")  # a device it cannot measure


@pytest.mark.slow  # all of notebook 04 once more: `make slow-test`
def test_notebook_04_runs_without_the_private_api(tmp_path, monkeypatch):
    """The whole notebook in a kernel whose torch lacks the internals: no error, one sentence."""
    import nbformat
    from nbclient import NotebookClient

    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-remove-profiler-internals.py").write_text(
        "import torch._C._profiler\ndel torch._C._profiler._EventType\n"
    )
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("FIGURES_DIR", str(tmp_path / "figures"))
    path = NOTEBOOKS / "04_least_squares_memory.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()  # raises CellExecutionError on any failing cell

    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "does not let us measure memory" in printed
    assert "nothing to check" in printed
    assert "Traceback" not in printed
