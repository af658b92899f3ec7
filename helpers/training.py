"""Plumbing around a training loop whose five steps stay written out in the notebooks.

Here: minibatches over tensors already in memory, `evaluate` (loss and accuracy without
gradients), a small `History` of per-epoch numbers, and a `progress` bar.
"""

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator

import torch
from tqdm.auto import tqdm


def iterate_minibatches(
    features: torch.Tensor,
    targets: torch.Tensor,
    batch_size: int,
    *,
    shuffle: bool = True,
    generator: torch.Generator | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield `(features[idx], targets[idx])` batches that cover every row once.

    The data stays on its device: a batch is one indexing operation, with no per-sample
    Python work, which is why this beats a `DataLoader` over PIL images by a wide margin.
    Pass a seeded CPU `generator` to make the shuffle order repeatable.
    """
    if features.shape[0] != targets.shape[0]:
        raise ValueError(
            f"features and targets disagree on the number of rows: "
            f"{features.shape[0]} vs {targets.shape[0]}"
        )
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    n_rows = features.shape[0]
    if shuffle:
        order = torch.randperm(n_rows, generator=generator).to(features.device)
    else:
        order = torch.arange(n_rows, device=features.device)
    for start in range(0, n_rows, batch_size):
        batch = order[start : start + batch_size]
        yield features[batch], targets[batch]


@torch.no_grad()
def evaluate(
    model: torch.nn.Module,
    features: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: torch.nn.Module,
    *,
    threshold: float = 0.0,
) -> tuple[float, float]:
    """Return `(mean loss, accuracy)` of a binary classifier on the whole set, without gradients.

    `threshold` is 0.0 for models that output logits and 0.5 for models that end in a sigmoid.
    Targets are `(N,)` floats in {0, 1}; the model's `(N, 1)` output is squeezed to match.
    """
    was_training = model.training
    model.eval()
    try:
        outputs = model(features).reshape(targets.shape)
        loss = loss_fn(outputs, targets).item()
        accuracy = ((outputs > threshold).to(targets.dtype) == targets).float().mean().item()
    finally:
        model.train(was_training)
    return loss, accuracy


class History:
    """Per-epoch numbers of one training run: `record(epoch=1, train_loss=...)`, then
    `history["train_loss"]` is the list and `best("val_accuracy")` the best epoch's record."""

    def __init__(self) -> None:
        self._columns: dict[str, list[float]] = defaultdict(list)
        self._length = 0

    def record(self, **values: float) -> None:
        if self._length and set(values) != set(self._columns):
            raise ValueError(
                f"record() got {sorted(values)} but earlier records had {sorted(self._columns)}"
            )
        for name, value in values.items():
            self._columns[name].append(float(value))
        self._length += 1

    def __getitem__(self, name: str) -> list[float]:
        if name not in self._columns:
            raise KeyError(f"no column {name!r}; recorded: {sorted(self._columns)}")
        return self._columns[name]

    def __len__(self) -> int:
        return self._length

    def best(self, metric: str, mode: str = "max") -> dict[str, float]:
        """The record (all columns of one epoch) where `metric` is largest (or smallest)."""
        if not self._length:
            raise ValueError("History is empty: nothing recorded yet")
        if mode not in ("max", "min"):
            raise ValueError(f"mode must be 'max' or 'min', got {mode!r}")
        column = self[metric]
        pick = max if mode == "max" else min
        index = pick(range(self._length), key=column.__getitem__)
        return {name: values[index] for name, values in self._columns.items()}


def progress(iterable: Iterable, **tqdm_kwargs) -> Iterable:
    """A progress bar (a widget in Jupyter, text elsewhere).

    `make run` and `make test` set TQDM_DISABLE=1, so bars never reach the stored outputs that
    nbval compares; a student running the notebook sees them. (We read the variable ourselves:
    tqdm's notebook widget does not honour it.)
    """
    if os.environ.get("TQDM_DISABLE", "").strip().lower() in ("1", "true", "yes"):
        return iterable
    tqdm_kwargs.setdefault("leave", False)
    return tqdm(iterable, **tqdm_kwargs)
