"""Generated from notebooks/05_mnist_models.ipynb (its cells tagged `export`) by
tools/lesson_modules.py: edit the notebook, never this file."""

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms
from helpers.data import MNIST_MEAN, MNIST_STD
from helpers.paths import data_root
from helpers.seed_runs import train_seeds_together
from helpers.training import History, evaluate, iterate_minibatches


class Logistic(nn.Module):
    """784 → 1: logistic regression."""

    def __init__(self, input_dim=784):
        super().__init__()
        self.linear = nn.Linear(input_dim, 1)

    def forward(self, x):  # x: (batch, 784) → (batch, 1)
        return self.linear(x)


class SimpleNN(nn.Module):
    """784 → 32 → ReLU → 1: the lecture's "Neural Net"."""

    def __init__(self, input_dim=784, hidden_dim=32):
        super().__init__()
        self.fc1 = nn.Linear(input_dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class BinaryClassifier(nn.Module):
    """input_dim → hidden_dim → tanh → 1: the architecture slide."""

    def __init__(self, input_dim, hidden_dim):
        super().__init__()
        self.linear1 = nn.Linear(input_dim, hidden_dim)
        self.linear2 = nn.Linear(hidden_dim, 1)

    def forward(self, x):
        z1 = self.linear1(x)  # (batch, h)
        return self.linear2(torch.tanh(z1))  # (batch, 1)


HIDDEN_DIM = 128


SLIDES_TRANSFORM = transforms.Compose(
    [transforms.ToTensor(), transforms.Normalize((MNIST_MEAN,), (MNIST_STD,))]
)


def slides_loader(rows, seed=0, batch_size=64, shuffle=True):
    """The slides' DataLoader over some rows of the training split, in an order set by `seed`."""
    dataset = datasets.MNIST(str(data_root()), train=True, transform=SLIDES_TRANSFORM)
    order = torch.Generator().manual_seed(seed)
    return DataLoader(Subset(dataset, rows.tolist()), batch_size, shuffle=shuffle, generator=order)


def train_lecture_recipe(
    model, X_train, y_train, X_val, y_val, steps=1_000, step_size=0.01, record_every=25
):
    optimizer = torch.optim.SGD(model.parameters(), lr=step_size)
    loss_fn = nn.BCELoss()
    history = History()
    for step in range(1, steps + 1):
        optimizer.zero_grad()  # 1. zero the gradients
        probabilities = torch.sigmoid(model(X_train)).squeeze(1)  # 2. forward: (n_train,) in [0, 1]
        loss = loss_fn(probabilities, y_train)  # 3. loss
        loss.backward()  # 4. backward
        optimizer.step()  # 5. update
        if step % record_every == 0:
            train_loss, train_accuracy = evaluate(model, X_train, y_train, nn.BCEWithLogitsLoss())
            val_loss, val_accuracy = evaluate(model, X_val, y_val, nn.BCEWithLogitsLoss())
            history.record(
                step=step,
                train_loss=train_loss,
                train_accuracy=train_accuracy,
                val_loss=val_loss,
                val_accuracy=val_accuracy,
            )
    return history


def train_slides_loop(model, loader, optimizer, device, epochs=5):
    criterion = nn.BCELoss()
    for epoch in range(epochs):
        for images, digits in loader:
            optimizer.zero_grad()  # 1. zero the gradients
            inputs = images.reshape(len(images), -1).to(device)  # (batch, 784)
            output = torch.sigmoid(model(inputs)).squeeze(1)  # 2. forward: probabilities
            loss = criterion(output, (digits % 2).float().to(device))
            loss.backward()  # 3. backward
            optimizer.step()  # 4. update


LAMBDA = 1e-4  # the L2 weight of f; `weight_decay=LAMBDA` adds its gradient, LAMBDA * θ


def logistic_objective(theta, A, targets, weight_decay=LAMBDA):
    """f(θ) = mean BCE of the scores Aθ + (λ/2)‖θ‖²; θ = (w, b), A = [X, 1]. With
    weight_decay=0: f₀(θ), the mean loss alone."""
    scores = A @ theta  # (n,)
    loss = nn.functional.binary_cross_entropy_with_logits(scores, targets)
    return loss + weight_decay / 2 * theta @ theta


def logistic_hessian(theta, A, targets, weight_decay=LAMBDA):
    """∇²f(θ) = Aᵀ diag(σ(1 − σ)) A / n + λI, (785, 785)."""
    p = torch.sigmoid(A @ theta)  # (n,)
    hessian = (A.T * (p * (1 - p))) @ A / len(targets)
    return hessian + weight_decay * torch.eye(A.shape[1], dtype=A.dtype)


def as_theta(model):
    """A Logistic model's parameters as one float64 θ = (w, b) on the CPU, as A = [X, 1] needs."""
    return torch.cat([p.detach().cpu().reshape(-1) for p in model.parameters()]).double()


def logistic_optimum(X, y, weight_decay=LAMBDA, tolerance=1e-11, max_steps=30):
    """Newton's method with backtracking on f from θ = 0, in float64 on the CPU: θ*, the gradient
    norm before each step, each step's length (1: the full Newton step) and the float64 problem
    (A, targets). weight_decay=0: the mean loss alone, whose Hessian is singular (constant
    pixels): each step is then the least-squares solution, the shortest of the Newton steps."""
    A = torch.cat([X.cpu(), torch.ones(len(X), 1)], dim=1).double()  # (n, 785): bias column last
    targets = y.cpu().double()
    theta = torch.zeros(A.shape[1], dtype=torch.float64)
    gradient_norms, step_lengths = [], []
    for _ in range(max_steps):
        p = torch.sigmoid(A @ theta)  # (n,)
        gradient = A.T @ (p - targets) / len(targets) + weight_decay * theta  # (785,)
        gradient_norms.append(gradient.norm().item())
        if gradient_norms[-1] < tolerance:
            break
        hessian = logistic_hessian(theta, A, targets, weight_decay)  # (785, 785)
        if weight_decay > 0:
            newton_step = torch.linalg.solve(hessian, gradient)  # θ − step minimises the model
        else:
            newton_step = torch.linalg.lstsq(hessian, gradient[:, None]).solution[:, 0]
        f_now = logistic_objective(theta, A, targets, weight_decay).item()
        predicted_decrease = (gradient @ newton_step).item()  # > 0 unless at the optimum
        length = 1.0
        while logistic_objective(theta - length * newton_step, A, targets, weight_decay).item() > (
            f_now - length * predicted_decrease / 4
        ):
            length /= 2  # Armijo: a quarter of the decrease the slope predicts
        step_lengths.append(length)
        theta = theta - length * newton_step
    return theta, gradient_norms, step_lengths, A, targets


PASSES = 20  # the budget of every rung: passes over the training images


SEEDS = range(5)  # each: initial weights (torch.manual_seed) and batch order (its own generator)


LADDER = {  # rung: (batch size, None for full batch; optimiser over a list of parameters)
    "full-batch GD, step 0.01": (
        None,
        lambda params: torch.optim.SGD(params, lr=0.01, weight_decay=LAMBDA),
    ),
    "SGD, step 0.01": (64, lambda params: torch.optim.SGD(params, lr=0.01, weight_decay=LAMBDA)),
    "SGD, step 0.1": (64, lambda params: torch.optim.SGD(params, lr=0.1, weight_decay=LAMBDA)),
    "momentum 0.9, step 0.01": (
        64,
        lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=LAMBDA),
    ),
    "Adam, step 0.001": (64, lambda params: torch.optim.Adam(params, lr=1e-3, weight_decay=LAMBDA)),
    "momentum, no weight decay": (
        64,
        lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
    ),
}


COMPARISONS = [  # (rung, the rung it is compared with, what changes)
    ("SGD, step 0.01", "full-batch GD, step 0.01", "minibatches"),
    ("SGD, step 0.1", "SGD, step 0.01", "a 10x larger step"),
    ("momentum 0.9, step 0.01", "SGD, step 0.01", "momentum at the same step"),
    ("momentum 0.9, step 0.01", "SGD, step 0.1", "momentum at the same effective step"),
    ("momentum, no weight decay", "momentum 0.9, step 0.01", "no weight decay"),
]


def train_one_run(
    model, optimizer, X_train, y_train, seed, passes=PASSES, batch_size=64, shuffle=True
):
    loss_fn = nn.BCEWithLogitsLoss()
    batch_order = torch.Generator().manual_seed(seed)
    for _ in range(passes):
        for batch_features, batch_targets in iterate_minibatches(
            X_train, y_train, batch_size, shuffle=shuffle, generator=batch_order
        ):
            optimizer.zero_grad()  # 1. zero the gradients
            scores = model(batch_features).squeeze(1)  # 2. forward: (batch,)
            loss = loss_fn(scores, batch_targets)  # 3. loss
            loss.backward()  # 4. backward
            optimizer.step()  # 5. update
    return model


def run_ladder(model_class, data, seeds=SEEDS, passes=PASSES):
    """Every rung of LADDER for `model_class`, every seed: {rung: SeedRuns}; `data` is
    (X_train, y_train, X_val, y_val)."""
    runs = {}
    for batch_size in (None, 64):  # full-batch rungs together, then the minibatch rungs
        rungs = {name: make for name, (size, make) in LADDER.items() if size == batch_size}
        runs.update(
            train_seeds_together(
                model_class,
                rungs,
                seeds,
                data,
                passes=passes,
                batch_size=batch_size,
                description=f"{model_class.__name__}: {', '.join(rungs)}",
            )
        )
    return {name: runs[name] for name in LADDER}
