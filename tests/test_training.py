import pytest
import torch

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
