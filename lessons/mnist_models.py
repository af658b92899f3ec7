"""Generated from notebooks/05_mnist_models.ipynb (its cells tagged `export`) by
tools/lesson_modules.py: edit the notebook, never this file."""

import math
import torch
from torch import nn
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms
from helpers.data import MNIST_MEAN, MNIST_STD
from helpers.paths import data_root
from helpers.seed_runs import train_seeds_together
from helpers.statistics import detectable_difference, seeds_needed, standard_error, t_quantile
from helpers.training import History, evaluate, iterate_minibatches


SLIDES_TRANSFORM = transforms.Compose(
    [transforms.ToTensor(), transforms.Normalize((MNIST_MEAN,), (MNIST_STD,))]
)


def slides_loader(rows, seed=0, batch_size=64, shuffle=True):
    """The slides' DataLoader over some rows of the training split, in an order set by `seed`."""
    dataset = datasets.MNIST(str(data_root()), train=True, transform=SLIDES_TRANSFORM)
    order = torch.Generator().manual_seed(seed)
    return DataLoader(Subset(dataset, rows.tolist()), batch_size, shuffle=shuffle, generator=order)


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


HIDDEN_DIM = 32  # the architecture slide names no width: SimpleNN's


def train_lecture_recipe(
    model, X_train, y_train, X_val, y_val, steps=1_000, step_size=0.01, record_every=25
):
    optimizer = torch.optim.SGD(model.parameters(), lr=step_size)
    loss_fn = nn.BCELoss()
    history = History()
    for step in range(1, steps + 1):
        optimizer.zero_grad()  # 1. zero the gradients
        probabilities = torch.sigmoid(model(X_train)).squeeze(1)  # 2. forward: (n_train,) in [0, 1]
        loss = loss_fn(probabilities, y_train)  #    and the loss
        loss.backward()  # 3. backward
        optimizer.step()  # 4. update
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


LECTURE_VALIDATION = {"Logistic": 0.8730, "SimpleNN": 0.9240}  # the results slide


def verdict(first, second, difference):
    """One paired comparison, `difference` = first − second seed by seed: a sentence, its numbers
    to the standard error's second significant digit."""
    mean, error = difference.mean().item(), standard_error(difference)
    decimals = max(2, 1 - math.floor(math.log10(error))) if error > 0 else 4
    shown = f"{mean:+.{decimals}f} ± {error:.{decimals}f}"
    if abs(mean) > t_quantile(len(difference) - 1) * error:
        return f"  {first} − {second}: {shown}, {first} {'lower' if mean < 0 else 'higher'}"
    seeds, spread = len(difference), difference.std().item()
    smallest = detectable_difference(spread, seeds)  # what these seeds detect, 4 times in 5
    needed = seeds_needed(mean, spread)  # rough: it rests on the mean of these few seeds
    if needed and needed >= 100:  # a rough guide: two significant digits
        needed = round(needed, 2 - len(str(needed)))
    more = f"; a true difference the size seen needs about {needed}" if needed else ""
    return (
        f"  {first} − {second}: {shown}, cannot tell apart with {seeds} seeds (they detect "
        f"±{smallest:.{decimals}f}{more})"
    )


def steps_to_reach(history, accuracy=0.85):
    """The first recorded step at which validation accuracy reaches `accuracy` (None: never)."""
    reached = (int(s) for s, a in zip(history["step"], history["val_accuracy"]) if a >= accuracy)
    return next(reached, None)


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


LAMBDAS = (1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001, 0.0003, 0.0001)  # the grid, strongest first


def design_matrix(X, y):
    """A = [X, 1] and the targets, float64 on the CPU: θ = (w, b) scores the images as Aθ."""
    A = torch.cat([X.cpu(), torch.ones(len(X), 1)], dim=1).double()  # (n, 785): bias column last
    return A, y.cpu().double()


def logistic_objective(theta, A, targets, weight_decay):
    """f(θ) = mean BCE of the scores Aθ + (λ/2)‖θ‖², with λ = weight_decay."""
    loss = nn.functional.binary_cross_entropy_with_logits(A @ theta, targets)
    return loss + weight_decay / 2 * theta @ theta


def logistic_hessian(theta, A, targets, weight_decay):
    """∇²f(θ) = Aᵀ diag(σ(1 − σ)) A / n + λI, (785, 785)."""
    p = torch.sigmoid(A @ theta)  # (n,)
    identity = torch.eye(A.shape[1], dtype=A.dtype)
    return (A.T * (p * (1 - p))) @ A / len(targets) + weight_decay * identity


def newton_step(hessian, gradient):
    """(∇²f)⁻¹∇f by a Cholesky factorisation; a wrong solve stops here, not in a later check."""
    step = torch.cholesky_solve(gradient[:, None], torch.linalg.cholesky(hessian))[:, 0]
    residual = (hessian @ step - gradient).norm().item()
    assert residual <= 1e-9 * gradient.norm().item(), (
        f"Newton solve failed: residual {residual:.1e}"
    )
    return step


def logistic_optimum(A, targets, weight_decay, start=None, tolerance=1e-10, max_steps=30):
    """Newton's method with backtracking on f, from `start` (default θ = 0): θ*, the gradient
    norm before each step, and each step's length (1: the full Newton step)."""
    theta = torch.zeros(A.shape[1], dtype=A.dtype) if start is None else start.clone()
    gradient_norms, step_lengths = [], []
    while True:
        p = torch.sigmoid(A @ theta)  # (n,)
        gradient = A.T @ (p - targets) / len(targets) + weight_decay * theta  # (785,)
        gradient_norms.append(gradient.norm().item())
        if gradient_norms[-1] < tolerance:
            return theta, gradient_norms, step_lengths
        if len(step_lengths) == max_steps:
            raise RuntimeError(
                f"Newton's method: gradient norm {gradient_norms[-1]:.1e} after "
                f"{max_steps} steps, not below {tolerance:g}"
            )
        step = newton_step(logistic_hessian(theta, A, targets, weight_decay), gradient)
        f_now = logistic_objective(theta, A, targets, weight_decay).item()
        predicted = (gradient @ step).item()  # the decrease the slope predicts, > 0
        # Near θ*, a step's decrease is below f's float64 round-off, which Armijo's test allows.
        round_off = 4 * torch.finfo(A.dtype).eps * abs(f_now)
        length = 1.0
        while (
            logistic_objective(theta - length * step, A, targets, weight_decay).item()
            > f_now - length * predicted / 4 + round_off
        ):
            length /= 2  # Armijo: a quarter of the decrease the slope predicts
        step_lengths.append(length)
        theta = theta - length * step


PASSES = 10  # the work of every run: passes over the training images


BATCH_SIZE = 64


TUNING_SEEDS = range(3)  # the best step of each optimiser is chosen on these seeds...


REPORT_SEEDS = range(3, 8)  # ...and reported on these, which chose no step


AVERAGED_PASSES = 5  # the tail average: every iterate of the last 5 passes


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
            loss = loss_fn(model(batch_features).squeeze(1), batch_targets)  # 2. forward, loss
            loss.backward()  # 3. backward
            optimizer.step()  # 4. update
    return model


def sgd(step, weight_decay, momentum=0.0):
    return lambda params: torch.optim.SGD(
        params, lr=step, momentum=momentum, weight_decay=weight_decay
    )


def adam(step, weight_decay):
    return lambda params: torch.optim.Adam(params, lr=step, weight_decay=weight_decay)


OPTIMISERS = {  # name: (batch size, None for full batch; its maker at a step and a weight decay)
    "full-batch GD": (None, sgd),
    "SGD": (BATCH_SIZE, sgd),
    "momentum 0.9": (BATCH_SIZE, lambda step, weight_decay: sgd(step, weight_decay, momentum=0.9)),
    "Adam": (BATCH_SIZE, adam),
}


LOGISTIC_STEPS = {  # the first stage's grids: steps three times apart
    "full-batch GD": (0.01, 0.03, 0.1),
    "SGD": (0.003, 0.01, 0.03, 0.1),
    "momentum 0.9": (0.001, 0.003, 0.01, 0.03),
    "Adam": (0.0003, 0.001, 0.003, 0.01),
}


STOCHASTIC = ("SGD", "momentum 0.9", "Adam")  # the optimisers whose iterates are averaged


LOGISTIC_SCORINGS = {"last iterate": (False, tuple(OPTIMISERS)), "tail average": (True, STOCHASTIC)}


def train_grid(model_class, steps, data, weight_decay, seeds, every_pass=False):
    """Every optimiser of `steps` at each of its steps, every seed, trained together:
    {(optimiser, step): SeedRuns}, evaluated after every pass or only where they end."""
    runs = {}
    for batch_size in (None, BATCH_SIZE):  # the full-batch runs together, then the minibatch ones
        grid = {
            (name, step): OPTIMISERS[name][1](step, weight_decay)
            for name, name_steps in steps.items()
            for step in name_steps
            if OPTIMISERS[name][0] == batch_size
        }
        if grid:
            runs |= train_seeds_together(
                model_class,
                grid,
                seeds,
                data,
                passes=PASSES,
                batch_size=batch_size,
                record_every_pass=every_pass,
                average_last=AVERAGED_PASSES,
            )
    return runs


def training_objective(runs, weight_decay, averaged=False):
    """What a run minimises, where it ends, (seeds,): its training loss + (λ/2)‖θ‖², of the last
    iterate or of the tail average."""
    end = runs.averaged if averaged else {column: v[-1] for column, v in runs.history.items()}
    return end["train_loss"].double() + weight_decay / 2 * end["squared_norm"].double()


def best_steps(runs, grids, weight_decay, scorings):
    """{scoring: {optimiser: the step of its grid with the lowest mean objective}}."""
    return {
        scoring: {
            name: min(
                grids[name],
                key=lambda step: (
                    training_objective(runs[name, step], weight_decay, averaged).mean().item()
                ),
            )
            for name in names
        }
        for scoring, (averaged, names) in scorings.items()
    }


def tune(model_class, grids, data, weight_decay, scorings, seeds=TUNING_SEEDS):
    """Two stages on the tuning seeds: every step of `grids`, then the geometric midpoints
    between each best step and its neighbours. The runs, the best steps of each stage, and
    each optimiser's final grid."""
    runs = train_grid(model_class, grids, data, weight_decay, seeds)
    first = best_steps(runs, grids, weight_decay, scorings)
    final = {name: set(steps) for name, steps in grids.items()}
    for best in first.values():
        for name, step in best.items():
            i = grids[name].index(step)
            final[name] |= {
                math.sqrt(grids[name][j] * step)
                for j in (i - 1, i + 1)
                if 0 <= j < len(grids[name])
            }
    final = {name: sorted(steps) for name, steps in final.items()}
    added = {name: [s for s in steps if s not in grids[name]] for name, steps in final.items()}
    runs |= train_grid(model_class, added, data, weight_decay, seeds)
    return runs, first, best_steps(runs, final, weight_decay, scorings), final


COMPARISONS = [  # ((scoring, optimiser), (scoring, optimiser)): the first minus the second
    (("last iterate", "SGD"), ("last iterate", "full-batch GD")),
    (("tail average", "SGD"), ("last iterate", "SGD")),
    (("tail average", "momentum 0.9"), ("tail average", "SGD")),
    (("tail average", "Adam"), ("tail average", "momentum 0.9")),
]


def as_theta(model):
    """A Logistic model's parameters as one float64 θ = (w, b) on the CPU, as A = [X, 1] needs."""
    return torch.cat([p.detach().cpu().reshape(-1) for p in model.parameters()]).double()


def noise_free_descent(thetas, A, targets, weight_decay, step, steps, average_last):
    """Full-batch gradient descent on f from every column of `thetas` (785, runs) at once,
    float64, with the gradient of section 5: SGD's run without its noise. `step` is one number,
    or one per column (runs,). The last iterates, and the mean of the last `average_last`."""
    average = torch.zeros_like(thetas)
    for k in range(steps):
        p = torch.sigmoid(A @ thetas)  # (n, runs)
        thetas = thetas - step * (
            A.T @ (p - targets[:, None]) / len(targets) + weight_decay * thetas
        )
        if k >= steps - average_last:
            average += thetas / average_last
    return thetas, average


def noise_free_gaps(starts, steps, A, targets, weight_decay, f_star, sgd_steps, average_last):
    """f − f* of the noise-free runs from every start at every step, all in one run:
    {step: {"last": (starts,), "tail average": (starts,)}}."""
    columns = torch.tensor(steps, dtype=torch.float64).repeat_interleave(len(starts))  # (runs,)
    thetas = torch.stack(starts, 1).repeat(1, len(steps))  # (785, runs)
    ends = noise_free_descent(thetas, A, targets, weight_decay, columns, sgd_steps, average_last)
    gaps = [
        torch.tensor([logistic_objective(t, A, targets, weight_decay).item() for t in end.T])
        .sub(f_star)
        .view(len(steps), len(starts))
        for end in ends
    ]
    return {s: {"last": gaps[0][i], "tail average": gaps[1][i]} for i, s in enumerate(steps)}


NETWORK_STEPS = {  # the first stage's grids: steps three times apart
    "full-batch GD": (0.03, 0.1, 0.3),
    "SGD": (0.1, 0.3, 1.0),
    "momentum 0.9": (0.01, 0.03, 0.1, 0.3),
    "Adam": (0.001, 0.003, 0.01, 0.03),
}


NETWORK_SCORINGS = {"last iterate": (False, tuple(OPTIMISERS))}


EARLY_PASS = 4  # section 9 compares the validation loss here with the last pass's


def loss_split(model, X, y):
    """Images wrong, and the loss summed over the wrong ones and over the right ones, / n."""
    scores = model(X).squeeze(1)  # (n,)
    losses = nn.functional.binary_cross_entropy_with_logits(scores, y, reduction="none")
    wrong = (scores > 0).float() != y
    n = len(y)
    return wrong.sum().item(), losses[wrong].sum().item() / n, losses[~wrong].sum().item() / n


def mean_loss_split(runs, X, y):
    """loss_split's three numbers where `runs` ended, mean over its seeds."""
    split = torch.tensor([loss_split(model.to(X.device), X, y) for model in runs.models("last")])
    return split.mean(0).tolist()


SEED_STUDY_BOUNDS = {  # claim: (relation, bound); every replicate of the seed study meets each
    "Part A: largest distance to the slide's validation accuracies": ("<", 0.03),
    "Part A: the network's final validation lead": (">", 0.0),
    "Part A: the network's training-loss excess after 25 steps": (">", 0.0),
    "Part A: the network's extra steps to 85% validation": (">", 0),
    "Part A: the network's test lead": (">", 0.0),
    "grids: first-stage best steps at an edge of their grid": ("==", 0),
    "minibatches: paired t of SGD − full-batch GD": ("<", -3.0),
    "full-batch GD's f − f* over SGD's": (">", 3.0),
    "averaging: SGD's last iterate's f − f* over its tail average's": (">", 2.0),
    "averaging: SGD's last iterate's spread over its tail average's": (">", 3.0),
    "tail averages: largest validation distance to θ*'s": ("<", 0.01),
    "tail averages: SGD's f − f* over momentum's": (">", 2.0),
    "averaging, steps up to 0.01: SGD's last iterate's f − f* over its tail average's": (
        "<",
        1.0,
    ),
    "noise, smaller steps: the no-noise run's f − f* over SGD's last iterate's, least": (">", 0.8),
    "noise, largest stable step: SGD's last iterate's f − f* over the no-noise run's": (">", 1.25),
    "noise, the tail average's step: SGD's last iterate's f − f* over the no-noise run's": (
        ">",
        5.0,
    ),
    "noise, tail averages: largest relative distance of SGD's from the no-noise run's": ("<", 0.15),
    "network: full-batch GD's training loss over the best minibatch optimiser's": (">", 5.0),
    "network: spread of the minibatch optimisers' mean validation accuracy": ("<", 0.02),
    "overfitting: lowest training accuracy at the end": (">=", 0.94),
    # A rise in every replicate; separated (t > 2.776, five seeds) in most, not all: section 9.
    "overfitting: paired t of the validation loss's rise, early pass to last": (">", 1.0),
    "overfitting: latest pass of a minibatch optimiser's lowest mean validation loss": (
        "<",
        PASSES,
    ),
    "overfitting: the loss from the images wrong, smallest rise, early pass to last": (">", 0.0),
    "overfitting: the loss from the images right, smallest fall, early pass to last": (">", 0.0),
    "overfitting: images wrong at the last pass over the early pass's, largest": ("<", 1.0),
    "overfitting: largest fall of the mean validation accuracy from its best pass": ("<", 0.01),
    "test: the chosen network's lead over θ*, worst seed": (">", 0.02),
}


def claims_of(
    *,
    lecture,
    lecture_validation,
    first_stage,
    logistic_grids,
    gap,
    validation,
    no_noise,
    no_noise_averaged_step,
    network_first,
    network_grids,
    network_loss,
    network_accuracy,
    network_histories,
    loss_splits,
    test_accuracy,
):
    """Every claim of SEED_STUDY_BOUNDS, from one run of the experiment (the study's too)."""

    def at_edge(best, grids):
        return sum(step in (grids[name][0], grids[name][-1]) for name, step in best.items())

    stochastic = [name for name in network_loss if name != "full-batch GD"]
    *small, large = sorted(s for s in no_noise if s in logistic_grids["SGD"])  # first stage
    averaged = no_noise_averaged_step  # SGD's tail average's best step
    last, average = gap["last iterate", "SGD"], gap["tail average", "SGD"]
    difference = last - gap["last iterate", "full-batch GD"]
    curves = {name: network_histories[name]["val_accuracy"].mean(1) for name in stochastic}
    return {
        "Part A: largest distance to the slide's validation accuracies": max(
            abs(lecture[name]["validation"] - value) for name, value in lecture_validation.items()
        ),
        "Part A: the network's final validation lead": lecture["SimpleNN"]["validation"]
        - lecture["Logistic"]["validation"],
        "Part A: the network's training-loss excess after 25 steps": lecture["SimpleNN"][
            "train loss at 25"
        ]
        - lecture["Logistic"]["train loss at 25"],
        "Part A: the network's extra steps to 85% validation": lecture["SimpleNN"]["steps to 85%"]
        - lecture["Logistic"]["steps to 85%"],
        "Part A: the network's test lead": lecture["SimpleNN"]["test"]
        - lecture["Logistic"]["test"],
        "grids: first-stage best steps at an edge of their grid": at_edge(
            network_first, network_grids
        )
        + sum(at_edge(best, logistic_grids) for best in first_stage.values()),
        "minibatches: paired t of SGD − full-batch GD": difference.mean().item()
        / standard_error(difference),
        "full-batch GD's f − f* over SGD's": (
            gap["last iterate", "full-batch GD"].mean() / last.mean()
        ).item(),
        "averaging: SGD's last iterate's f − f* over its tail average's": (
            last.mean() / average.mean()
        ).item(),
        "averaging: SGD's last iterate's spread over its tail average's": (
            last.std() / average.std()
        ).item(),
        "tail averages: largest validation distance to θ*'s": max(
            abs(validation[name] - validation["θ*"]) for name in validation if name != "θ*"
        ),
        "tail averages: SGD's f − f* over momentum's": (
            average.mean() / gap["tail average", "momentum 0.9"].mean()
        ).item(),
        "averaging, steps up to 0.01: SGD's last iterate's f − f* over its tail average's": max(
            value["last"] / value["tail"] for step, value in no_noise.items() if step <= 0.01
        ),
        "noise, smaller steps: the no-noise run's f − f* over SGD's last iterate's, least": min(
            no_noise[step]["no noise"] / no_noise[step]["last"] for step in small
        ),
        "noise, largest stable step: SGD's last iterate's f − f* over the no-noise run's": no_noise[
            large
        ]["last"]
        / no_noise[large]["no noise"],
        "noise, the tail average's step: SGD's last iterate's f − f* over the no-noise run's": (
            no_noise[averaged]["last"] / no_noise[averaged]["no noise"]
        ),
        "noise, tail averages: largest relative distance of SGD's from the no-noise run's": max(
            abs(value["tail"] / value["no noise tail"] - 1) for value in no_noise.values()
        ),
        "network: full-batch GD's training loss over the best minibatch optimiser's": network_loss[
            "full-batch GD"
        ]
        .mean()
        .item()
        / min(network_loss[n].mean().item() for n in stochastic),
        "network: spread of the minibatch optimisers' mean validation accuracy": (
            max(network_accuracy[n].mean() for n in stochastic)
            - min(network_accuracy[n].mean() for n in stochastic)
        ).item()
        / 100,
        "overfitting: lowest training accuracy at the end": min(
            network_histories[n]["train_accuracy"][-1].min().item() for n in stochastic
        ),
        "overfitting: paired t of the validation loss's rise, early pass to last": (
            rise := torch.stack(
                [
                    network_histories[n]["val_loss"][[EARLY_PASS, -1]].diff(dim=0)[0]
                    for n in stochastic
                ]
            ).mean(0)  # (seeds,): the three minibatch optimisers' mean rise
        )
        .mean()
        .item()
        / standard_error(rise),
        "overfitting: latest pass of a minibatch optimiser's lowest mean validation loss": max(
            network_histories[n]["val_loss"].mean(1).argmin().item() for n in stochastic
        ),
        "overfitting: the loss from the images wrong, smallest rise, early pass to last": min(
            split[PASSES][1] - split[EARLY_PASS][1] for split in loss_splits.values()
        ),
        "overfitting: the loss from the images right, smallest fall, early pass to last": min(
            split[EARLY_PASS][2] - split[PASSES][2] for split in loss_splits.values()
        ),
        "overfitting: images wrong at the last pass over the early pass's, largest": max(
            split[PASSES][0] / split[EARLY_PASS][0] for split in loss_splits.values()
        ),
        "overfitting: largest fall of the mean validation accuracy from its best pass": max(
            (curve.max() - curve[-1]).item() for curve in curves.values()
        ),
        "test: the chosen network's lead over θ*, worst seed": min(test_accuracy["network"])
        - test_accuracy["θ*"],
    }


def no_noise_claims(tuning, no_noise, weight_decay, f_star):
    """Section 7's table, as claims_of reads it: {step: means of SGD's and the no-noise run's}."""
    table = {}
    for step, free in no_noise.items():
        sgd = [training_objective(tuning["SGD", step], weight_decay, a) for a in (False, True)]
        table[step] = {
            "last": (sgd[0] - f_star).mean().item(),
            "tail": (sgd[1] - f_star).mean().item(),
            "no noise": free["last"].mean().item(),
            "no noise tail": free["tail average"].mean().item(),
        }
    return table


RELATIONS = {
    "<": float.__lt__,
    "<=": float.__le__,
    "==": float.__eq__,
    ">=": float.__ge__,
    ">": float.__gt__,
}


def unmet(claims):
    """The claims of `claims` (claim: value) outside their bound of SEED_STUDY_BOUNDS."""
    failed = []
    for claim, (relation, bound) in SEED_STUDY_BOUNDS.items():
        value = round(
            float(claims[claim]), 6
        )  # a float32 accuracy sits a rounding below its fraction
        if not RELATIONS[relation](value, float(bound)):
            failed.append(f"{claim}: {value:.4g}, not {relation} {bound}")
    return failed
