import pytest
import torch

from helpers.seed_runs import train_seeds_together
from helpers.training import History, evaluate, iterate_minibatches


def test_minibatches_cover_every_row_exactly_once():
    features = torch.arange(10).float().unsqueeze(1)
    targets = torch.arange(10)
    batches = list(iterate_minibatches(features, targets, batch_size=4))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    seen = torch.cat([t for _, t in batches])
    assert sorted(seen.tolist()) == list(range(10))
    for x, t in batches:  # rows stay paired with their targets
        assert torch.equal(x.squeeze(1).long(), t)


def test_shuffle_order_follows_the_generator():
    features, targets = torch.randn(50, 3), torch.arange(50)

    def order(seed):
        generator = torch.Generator().manual_seed(seed)
        return torch.cat(
            [t for _, t in iterate_minibatches(features, targets, 8, generator=generator)]
        )

    assert torch.equal(order(1), order(1))
    assert not torch.equal(order(1), order(2))


def test_without_shuffle_batches_are_in_order():
    targets = torch.arange(7)
    batches = iterate_minibatches(targets.float(), targets, 3, shuffle=False)
    assert torch.cat([t for _, t in batches]).tolist() == list(range(7))


def test_minibatch_arguments_are_checked():
    with pytest.raises(ValueError, match="number of rows"):
        list(iterate_minibatches(torch.zeros(3, 2), torch.zeros(4), 2))
    with pytest.raises(ValueError, match="batch_size"):
        list(iterate_minibatches(torch.zeros(3, 2), torch.zeros(3), 0))


def test_evaluate_matches_hand_computed_loss_and_accuracy():
    model = torch.nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(1.0)
        model.bias.fill_(0.0)
    features = torch.tensor([[-2.0], [-1.0], [1.0], [3.0]])
    targets = torch.tensor([0.0, 1.0, 1.0, 0.0])  # logits' signs right for rows 0 and 2
    loss_fn = torch.nn.BCEWithLogitsLoss()
    loss, accuracy = evaluate(model, features, targets, loss_fn)
    expected = loss_fn(features.squeeze(1), targets).item()
    assert loss == pytest.approx(expected)
    assert accuracy == pytest.approx(0.5)


def test_evaluate_uses_the_threshold_and_restores_training_mode():
    model = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Sigmoid())
    with torch.no_grad():
        model[0].weight.fill_(1.0)
        model[0].bias.fill_(0.0)
    model.train()
    features = torch.tensor([[-1.0], [1.0]])
    targets = torch.tensor([0.0, 1.0])
    _, accuracy = evaluate(model, features, targets, torch.nn.BCELoss(), threshold=0.5)
    assert accuracy == 1.0
    assert model.training


def test_history_records_columns_and_finds_the_best_epoch():
    history = History()
    for epoch, val in enumerate([0.8, 0.9, 0.85], start=1):
        history.record(epoch=epoch, val_accuracy=val)
    assert len(history) == 3
    assert history["val_accuracy"] == [0.8, 0.9, 0.85]
    assert history.best("val_accuracy") == {"epoch": 2, "val_accuracy": 0.9}
    assert history.best("val_accuracy", mode="min")["epoch"] == 1


def test_history_refuses_inconsistent_records_and_empty_queries():
    history = History()
    with pytest.raises(ValueError, match="empty"):
        history.best("loss")
    history.record(epoch=1, loss=0.5)
    with pytest.raises(ValueError, match="earlier records"):
        history.record(epoch=2)
    with pytest.raises(KeyError, match="recorded"):
        history["accuracy"]


def test_progress_is_silent_when_tqdm_disable_is_set(monkeypatch):
    from helpers.training import progress

    monkeypatch.setenv("TQDM_DISABLE", "1")
    items = range(3)
    assert progress(items, desc="quiet") is items
    monkeypatch.delenv("TQDM_DISABLE")
    bar = progress(items, desc="shown")
    assert bar is not items and list(bar) == [0, 1, 2]


# helpers.seed_runs: every seed and optimiser at once must be the plain loop, run by run.


def _plain_run(model_class, make_optimizer, seed, data, passes, batch_size):
    """The five-step loop of notebook 05, one seed: the reference for train_seeds_together."""
    X, y, _, _ = data
    torch.manual_seed(seed)
    model = model_class()
    optimizer = make_optimizer(list(model.parameters()))
    order = torch.Generator().manual_seed(seed)
    for _ in range(passes):
        size, shuffle = (len(y), False) if batch_size is None else (batch_size, True)
        for features, targets in iterate_minibatches(X, y, size, shuffle=shuffle, generator=order):
            optimizer.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                model(features).squeeze(1), targets
            )
            loss.backward()
            optimizer.step()
    return model


def _tiny_network():
    return torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))


@pytest.mark.parametrize("model_class", [lambda: torch.nn.Linear(5, 1), _tiny_network])
@pytest.mark.parametrize("batch_size", [8, None])
def test_seeds_together_equal_the_plain_loop_run_by_run(model_class, batch_size):
    generator = torch.Generator().manual_seed(0)
    X, X_val = torch.randn(36, 5, generator=generator), torch.randn(10, 5, generator=generator)
    y = (torch.rand(36, generator=generator) > 0.5).float()
    y_val = (torch.rand(10, generator=generator) > 0.5).float()
    data = (X, y, X_val, y_val)
    optimisers = {
        "momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-2),
        "adam": lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=1e-2),
    }
    runs = train_seeds_together(
        model_class, optimisers, [0, 3], data, passes=3, batch_size=batch_size
    )
    for name, make_optimizer in optimisers.items():
        assert runs[name].history["train_loss"].shape == (4, 2)
        last_models = runs[name].models("last")
        for index, seed in enumerate([0, 3]):
            plain = _plain_run(model_class, make_optimizer, seed, data, 3, batch_size)
            for mine, theirs in zip(last_models[index].parameters(), plain.parameters()):
                assert torch.allclose(mine, theirs, atol=1e-5), (name, seed)
            loss_fn = torch.nn.BCEWithLogitsLoss()
            loss, accuracy = evaluate(plain, X_val, y_val, loss_fn)
            history = runs[name].history
            assert history["val_loss"][-1, index].item() == pytest.approx(loss, abs=1e-5)
            assert history["val_accuracy"][-1, index].item() == pytest.approx(accuracy)
            squared = sum(p.detach().pow(2).sum() for p in plain.parameters()).item()
            assert history["squared_norm"][-1, index].item() == pytest.approx(squared, rel=1e-4)


def separable_toy_data(seed, feature, rows, validation_rows):
    """Five random features whose `feature`-th sign is the label; the first rows validate."""
    X = torch.randn(rows, 5, generator=torch.Generator().manual_seed(seed))
    y = (X[:, feature] > 0).float()
    return X, y, X[:validation_rows], y[:validation_rows]


def test_best_pass_keeps_the_weights_of_the_best_validation_accuracy():
    data = X, y, _, _ = separable_toy_data(1, 0, 40, 20)
    optimisers = {"sgd": lambda p: torch.optim.SGD(p, lr=0.5)}
    runs = train_seeds_together(
        lambda: torch.nn.Linear(5, 1), optimisers, [0, 1], data, passes=4, batch_size=8
    )["sgd"]
    accuracy = runs.history["val_accuracy"]  # (5, 2)
    for index, model in enumerate(runs.models("best")):
        best = runs.best_pass[index].item()
        assert accuracy[best, index] == accuracy[:, index].max()
        assert best == int(accuracy[:, index].argmax())  # the first of equal maxima
        _, reached = evaluate(model, X[:20], y[:20], torch.nn.BCEWithLogitsLoss())
        assert reached == pytest.approx(accuracy[best, index].item())


def test_the_tail_average_is_the_mean_of_every_iterate_of_the_last_passes():
    data = X, y, _, _ = separable_toy_data(2, 1, 24, 10)
    make = lambda p: torch.optim.SGD(p, lr=0.3, momentum=0.5)
    runs = train_seeds_together(
        lambda: torch.nn.Linear(5, 1), {"sgd": make}, [4], data, passes=3, batch_size=8,
        average_last=2,
    )["sgd"]  # fmt: skip
    # The plain loop, by hand, keeping every iterate of passes 2 and 3 (3 steps each).
    torch.manual_seed(4)
    model = torch.nn.Linear(5, 1)
    optimizer, order, iterates = make(list(model.parameters())), torch.Generator(), []
    order.manual_seed(4)
    for pass_number in range(1, 4):
        for features, targets in iterate_minibatches(X, y, 8, generator=order):
            optimizer.zero_grad()
            torch.nn.functional.binary_cross_entropy_with_logits(
                model(features).squeeze(1), targets
            ).backward()
            optimizer.step()
            if pass_number >= 2:
                iterates.append([p.detach().clone() for p in model.parameters()])
    assert len(iterates) == 6
    (averaged,) = runs.models("averaged")
    for index, parameter in enumerate(averaged.parameters()):
        expected = torch.stack([iterate[index] for iterate in iterates]).mean(0)
        assert torch.allclose(parameter, expected, atol=1e-6)
    loss, accuracy = evaluate(averaged, X[:10], y[:10], torch.nn.BCEWithLogitsLoss())
    assert runs.averaged["val_loss"][0].item() == pytest.approx(loss, abs=1e-6)
    assert runs.averaged["val_accuracy"][0].item() == pytest.approx(accuracy)


def test_a_grid_run_records_only_the_start_and_the_end():
    data = separable_toy_data(3, 2, 20, 8)
    optimisers = {"sgd": lambda p: torch.optim.SGD(p, lr=0.2)}
    every = train_seeds_together(
        lambda: torch.nn.Linear(5, 1), optimisers, [0, 1], data, passes=3, batch_size=4
    )["sgd"]
    ends = train_seeds_together(
        lambda: torch.nn.Linear(5, 1), optimisers, [0, 1], data, passes=3, batch_size=4,
        record_every_pass=False,
    )["sgd"]  # fmt: skip
    assert ends.recorded.tolist() == [0, 3] and every.recorded.tolist() == [0, 1, 2, 3]
    for column, values in ends.history.items():
        assert torch.equal(values, every.history[column][[0, -1]]), column
    assert ends.averaged is None
    with pytest.raises(ValueError, match="average_last"):
        ends.models("averaged")
    with pytest.raises(ValueError, match="average_last"):
        train_seeds_together(
            lambda: torch.nn.Linear(5, 1), optimisers, [0], data, passes=3, batch_size=4,
            average_last=4,
        )  # fmt: skip
