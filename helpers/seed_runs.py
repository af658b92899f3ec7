"""Many seeds of one experiment at once: the plumbing behind notebook 05's ladder of optimisers.

Notebook 05 writes its training loop out once, for one model and one seed. To show the
seed-to-seed noise of every rung of its ladder, the same loop runs here for several seeds and
several optimisers together: the parameters of all the copies are stacked along a first axis
(`torch.func.stack_module_state`) and one `torch.func.vmap`-ed forward pass computes every copy's
scores. Each copy's loss is its own batch mean and the total is their sum, so each copy's
gradient is exactly the gradient it would get alone, and the optimisers (SGD, momentum, Adam,
weight decay) act elementwise. A copy with seed `s` starts from the weights
`torch.manual_seed(s); model_class()` gives and draws its batches with
`iterate_minibatches(..., generator=torch.Generator().manual_seed(s))`, as the plain loop does;
all optimisers share those weights and that batch order for one seed, so rungs are compared seed
by seed. What this buys is time: one vmapped step costs a few plain steps, not `copies` of them.

Two options serve a step-size grid: `record_every_pass=False` evaluates the copies only before
the first pass and after the last (a grid needs only where each run ends), and `average_last=k`
also keeps, for every copy, the average of all its iterates over the last `k` passes
(Polyak–Ruppert tail averaging, the standard remedy for the noise of SGD's last iterate).
"""

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from helpers.training import progress

# The seed study of notebook 05 (benchmarks/seed_study.py writes it), package data: a notebook
# shows it wherever `helpers` is installed, on Colab too, not only in a checkout.
SEED_STUDY = Path(__file__).with_name("seed_study.json")
COLUMNS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "squared_norm")


@dataclass
class SeedRuns:
    """One optimiser's runs over `seeds`: `history[column]` is `(rows, len(seeds))`, row r
    holding the weights after `recorded[r]` passes over the data (every pass from 0, or only 0
    and the last); `best_pass[i]` is the recorded pass with seed i's best validation accuracy
    (first on ties); `averaged[column]` is `(len(seeds),)` for the tail average of the iterates,
    when one was kept."""

    seeds: list[int]
    history: dict[str, torch.Tensor]
    recorded: torch.Tensor
    best_pass: torch.Tensor
    averaged: dict[str, torch.Tensor] | None
    _template: nn.Module
    _last: dict[str, torch.Tensor]
    _best: dict[str, torch.Tensor]
    _average: dict[str, torch.Tensor] | None

    def models(self, which: str = "best") -> list[nn.Module]:
        """One ordinary module per seed, with the weights of its best validation pass
        (`which="best"`), of its last pass (`"last"`) or its tail average (`"averaged"`)."""
        stacked = {"best": self._best, "last": self._last, "averaged": self._average}[which]
        if stacked is None:
            raise ValueError("these runs kept no average: train them with average_last > 0")
        modules = []
        for index in range(len(self.seeds)):
            module = copy.deepcopy(self._template)
            module.load_state_dict({name: value[index] for name, value in stacked.items()})
            modules.append(module)
        return modules


def _scores(template: nn.Module) -> Callable:
    def one_copy(params, features):
        return functional_call(template, params, (features,)).squeeze(-1)

    return one_copy


def train_seeds_together(
    model_class: Callable[[], nn.Module],
    optimisers: dict[str, Callable],
    seeds: Sequence[int],
    data: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor],
    *,
    passes: int,
    batch_size: int | None,
    description: str = "",
    record_every_pass: bool = True,
    average_last: int = 0,
) -> dict[str, SeedRuns]:
    """Train `model_class()` with every optimiser of `optimisers` (name -> factory taking a
    list of parameters) and every seed, for `passes` passes over the training data in batches
    of `batch_size` (`None`: full-batch gradient descent, one step per pass).

    `data` is `(X_train, y_train, X_val, y_val)` on one device, targets `(N,)` floats in {0, 1}
    and the model's output a logit; the loss is `BCEWithLogitsLoss`. After every pass each copy
    is evaluated on the whole training and validation sets (`COLUMNS`), or only after the last
    pass with `record_every_pass=False`. `average_last=k` also averages each copy's iterates,
    every step of the last `k` passes, and evaluates that average at the end. A progress bar
    over the passes carries `description`.
    """
    if not 0 <= average_last <= passes:
        raise ValueError(f"average_last must be between 0 and passes={passes}, got {average_last}")
    X_train, y_train, X_val, y_val = data
    device = X_train.device
    seeds = list(seeds)
    n_seeds, names = len(seeds), list(optimisers)
    stacks, optimizers = {}, {}
    for name in names:  # every optimiser starts from the same weights for one seed
        modules = []
        for seed in seeds:
            torch.manual_seed(seed)
            modules.append(model_class().to(device))
        params, _ = stack_module_state(modules)  # {name: (n_seeds, ...)} leaf tensors
        stacks[name] = params
        optimizers[name] = optimisers[name](list(params.values()))
    steppers = _one_per_class(list(optimizers.values()))
    template = copy.deepcopy(modules[0]).to("meta")
    scores = _scores(template)
    on_batches = vmap(scores)  # every copy has its own batch
    on_shared = vmap(scores, in_dims=(0, None))  # every copy sees the same rows
    keys = list(stacks[names[0]])

    def all_params():  # (len(names) * n_seeds, ...) views joined for one forward pass
        return {key: torch.cat([stacks[name][key] for name in names]) for key in keys}

    recorded = torch.arange(passes + 1) if record_every_pass else torch.tensor([0, passes])
    history = {column: torch.empty(len(recorded), len(names) * n_seeds) for column in COLUMNS}

    @torch.no_grad()
    def measure(params):
        """{column: (copies,)} for the stacked parameters `params`."""
        row = {}
        for split, X, y in (("train", X_train, y_train), ("val", X_val, y_val)):
            logits = on_shared(params, X)  # (copies, N)
            targets = y.expand_as(logits)
            loss = nn.functional.binary_cross_entropy_with_logits(
                logits, targets, reduction="none"
            ).mean(1)
            row[f"{split}_loss"] = loss.cpu()
            accuracy = ((logits > 0).float() == targets).float().mean(1)
            row[f"{split}_accuracy"] = accuracy.cpu()
        row["squared_norm"] = sum(
            value.reshape(len(value), -1).pow(2).sum(1) for value in params.values()
        ).cpu()
        return row

    def record(row):
        for column, values in measure(all_params()).items():
            history[column][row] = values

    record(0)
    average = {key: torch.zeros_like(value) for key, value in all_params().items()}  # joined
    averaged_steps = 0
    best = {name: {k: v.detach().clone() for k, v in stacks[name].items()} for name in names}
    best_accuracy = history["val_accuracy"][0].clone()
    best_pass = torch.zeros(len(names) * n_seeds, dtype=torch.int64)
    generators = [torch.Generator().manual_seed(seed) for seed in seeds]
    n_rows = len(y_train)
    for pass_number in progress(range(1, passes + 1), desc=description):
        if batch_size is None:
            batches = [None]
        else:  # each seed's own shuffle, drawn as iterate_minibatches draws it
            orders = torch.stack([torch.randperm(n_rows, generator=g) for g in generators])
            orders = orders.to(device)
            batches = [orders[:, i : i + batch_size] for i in range(0, n_rows, batch_size)]
        for rows in batches:
            for optimizer in steppers:
                optimizer.zero_grad()
            params = all_params()
            if rows is None:
                logits = on_shared(params, X_train)
                targets = y_train.expand_as(logits)
            else:
                rows = rows.repeat(len(names), 1)  # (copies, batch)
                logits, targets = on_batches(params, X_train[rows]), y_train[rows]
            losses = nn.functional.binary_cross_entropy_with_logits(
                logits, targets, reduction="none"
            ).mean(1)  # (copies,): each copy's own batch mean
            losses.sum().backward()  # so each copy gets its own gradient
            for optimizer in steppers:
                optimizer.step()
            if pass_number > passes - average_last:  # the tail: a running mean of the iterates
                averaged_steps += 1
                with torch.no_grad():
                    for key, value in all_params().items():
                        average[key] += (value - average[key]) / averaged_steps
        if pass_number not in recorded:
            continue
        row = int((recorded == pass_number).nonzero())
        record(row)
        improved = history["val_accuracy"][row] > best_accuracy
        best_accuracy = torch.where(improved, history["val_accuracy"][row], best_accuracy)
        best_pass[improved] = pass_number
        for index, name in enumerate(names):
            mask = improved[index * n_seeds : (index + 1) * n_seeds].to(device)
            with torch.no_grad():
                for key, value in stacks[name].items():
                    best[name][key][mask] = value[mask]
    if average_last:
        averaged = measure(average)
    runs = {}
    for index, name in enumerate(names):
        columns = slice(index * n_seeds, (index + 1) * n_seeds)
        runs[name] = SeedRuns(
            seeds=seeds,
            history={column: values[:, columns] for column, values in history.items()},
            recorded=recorded,
            best_pass=best_pass[columns],
            averaged={k: v[columns] for k, v in averaged.items()} if average_last else None,
            _template=copy.deepcopy(modules[0]).cpu(),
            _last={k: v.detach().cpu() for k, v in stacks[name].items()},
            _best={k: v.cpu() for k, v in best[name].items()},
            _average={k: v[columns].cpu() for k, v in average.items()} if average_last else None,
        )
    return runs


def _one_per_class(optimizers: list[torch.optim.Optimizer]) -> list[torch.optim.Optimizer]:
    """The same optimisers with every instance of one class merged into one, each keeping its
    parameter groups. torch.optim keeps every setting (lr, momentum, weight decay, betas) per
    group and its state per parameter, so one `step()` of the merged optimiser does exactly what
    the separate `step()`s did, without paying an optimiser call's fixed cost for each one."""
    merged = {}
    for optimizer in optimizers:
        first = merged.setdefault(type(optimizer), optimizer)
        if first is not optimizer:
            for group in optimizer.param_groups:
                first.add_param_group(group)
    return list(merged.values())


def load_seed_study() -> dict:
    """The seed study's results (`SEED_STUDY`), as benchmarks/seed_study.py wrote them."""
    return json.loads(SEED_STUDY.read_text(encoding="utf-8"))
