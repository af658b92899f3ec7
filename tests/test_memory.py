import pytest
import torch

from helpers.memory import (
    available_memory_bytes,
    format_bytes,
    peak_extra_bytes,
    tensor_bytes,
)

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
