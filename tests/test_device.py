import random

import numpy as np
import pytest
import torch

from helpers.device import get_device, seed_everything


@pytest.fixture
def machine(monkeypatch):
    """Pretend-hardware: set which accelerators torch reports as available."""
    monkeypatch.delenv("TORCH_DEVICE", raising=False)

    def set_available(cuda=False, mps=False, cuda_count=1):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: cuda_count if cuda else 0)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)

    return set_available


@pytest.mark.parametrize(
    "cuda, mps, expected", [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")]
)
def test_prefers_cuda_then_mps_then_cpu(machine, cuda, mps, expected):
    machine(cuda=cuda, mps=mps)
    assert get_device() == torch.device(expected)


def test_environment_variable_overrides_the_automatic_choice(machine, monkeypatch):
    machine(cuda=True, mps=False)
    monkeypatch.setenv("TORCH_DEVICE", "CPU ")
    assert get_device() == torch.device("cpu")


def test_explicit_argument_beats_the_environment(machine, monkeypatch):
    machine(cuda=True, cuda_count=2)
    monkeypatch.setenv("TORCH_DEVICE", "cpu")
    assert get_device("cuda:1") == torch.device("cuda", 1)


@pytest.mark.parametrize("bad", ["tpu", "gpu", "cuda:x", "cpu:zero"])
def test_unknown_device_is_a_value_error_naming_the_choices(machine, monkeypatch, bad):
    machine()
    monkeypatch.setenv("TORCH_DEVICE", bad)
    with pytest.raises(ValueError, match="cuda, mps, cpu"):
        get_device()


def test_unavailable_device_is_a_runtime_error_saying_what_is_available(machine, monkeypatch):
    machine(cuda=False, mps=True)
    monkeypatch.setenv("TORCH_DEVICE", "cuda")
    with pytest.raises(RuntimeError, match="not available.*Available here: mps, cpu"):
        get_device()


def test_cuda_index_beyond_the_device_count_is_refused(machine):
    machine(cuda=True, cuda_count=1)
    with pytest.raises(RuntimeError, match="1 CUDA device"):
        get_device("cuda:3")


def test_seed_everything_repeats_all_three_generators():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    seed_everything(123)
    first = draw()
    seed_everything(123)
    assert draw() == first
    seed_everything(124)
    assert draw() != first


@pytest.mark.parametrize("bad", [-1, 1.5, "7"])
def test_seed_must_be_a_non_negative_int(bad):
    with pytest.raises(ValueError):
        seed_everything(bad)
