"""Choose the compute device (cuda, then mps, then cpu) and seed every random generator.

`TORCH_DEVICE=cpu` (or `cuda`, `cuda:1`, `mps`) overrides the automatic choice, so a student
with a GPU can still reproduce the CPU numbers stored in the notebooks.
"""

import os
import random

import numpy as np
import torch

DEVICE_ENV_VAR = "TORCH_DEVICE"
DEVICE_PREFERENCE = ("cuda", "mps", "cpu")


def _is_available(kind: str) -> bool:
    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        mps = getattr(torch.backends, "mps", None)
        return mps is not None and mps.is_available()
    return kind == "cpu"


def _checked_device(requested: str) -> torch.device:
    """Turn a requested name such as 'cuda:1' into a device, or say clearly why it can't be."""
    kind, _, index = requested.partition(":")
    if kind not in DEVICE_PREFERENCE or (index and not index.isdigit()):
        raise ValueError(
            f"Unknown device {requested!r} (from {DEVICE_ENV_VAR} or the argument). "
            f"Choose one of {', '.join(DEVICE_PREFERENCE)} (optionally with an index, e.g. cuda:0)."
        )
    if not _is_available(kind):
        usable = [name for name in DEVICE_PREFERENCE if _is_available(name)]
        raise RuntimeError(
            f"Device {requested!r} was requested but is not available on this machine. "
            f"Available here: {', '.join(usable)}. Unset {DEVICE_ENV_VAR} to choose automatically."
        )
    if kind == "cuda" and index and int(index) >= torch.cuda.device_count():
        raise RuntimeError(
            f"Device {requested!r} was requested but this machine has "
            f"{torch.cuda.device_count()} CUDA device(s), numbered from 0."
        )
    return torch.device(requested)


def get_device(requested: str | None = None) -> torch.device:
    """Return `requested`, else `$TORCH_DEVICE`, else the first available of cuda, mps, cpu."""
    choice = (requested or os.environ.get(DEVICE_ENV_VAR, "")).strip().lower()
    if choice:
        return _checked_device(choice)
    return torch.device(next(kind for kind in DEVICE_PREFERENCE if _is_available(kind)))


def seed_everything(seed: int) -> None:
    """Seed Python's `random`, NumPy and PyTorch (all devices) so that a rerun repeats itself."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
