"""Seed study of notebook 05: how far each number moves when only the seed changes.

For every seed, the 4,000 / 1,000 training/validation draw from the notebook's 5,000 images
(the first 500 of each digit) and the initial weights and batch order all change; the 5,000
images and the test set do not. Every configuration of the notebook is trained with it:

    Part A         Logistic, SimpleNN     lecture recipe (full batch, 1,000 steps); also the
                                          first checkpoint's validation and the final training
                                          accuracy, for the slide's conclusions
    Slides' loop   Logistic, SimpleNN     DataLoader, BCELoss, SGD 0.01, 5 epochs
    Ladder         Logistic, SimpleNN  x  every rung of LADDER (20 passes), with f* from Newton
                                          for logistic regression

The notebook's bounds (SEED_STUDY_BOUNDS) are checked against these results in its appendix. The
models, the Newton solve, the ladder and the training functions are imported from
`lessons.mnist_models`, the module generated from the notebook's cells tagged `export`
(tools/lesson_modules.py), so the study measures exactly the code the students run; the
ladder's runs go through `helpers.seed_runs`, as in the notebook.

    python benchmarks/seed_study.py [--seeds 10] [--json benchmarks/seed_study.json]
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

from helpers.data import (
    draw_train_validation,
    first_images_per_digit,
    load_mnist,
    mnist_features,
    parity_labels,
)
from helpers.device import get_device
from helpers.training import evaluate

# `lessons` is generated at the repository root, not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lessons.mnist_models import (
    LADDER,
    LAMBDA,
    PASSES,
    Logistic,
    SimpleNN,
    as_theta,
    logistic_hessian,
    logistic_objective,
    logistic_optimum,
    run_ladder,
    slides_loader,
    train_lecture_recipe,
    train_one_run,
    train_slides_loop,
)

MODELS = (Logistic, SimpleNN)


def draw_split(features, parity, lecture_rows, seed, device):
    """The notebook's 4,000 / 1,000 draw from the lecture's images, with this seed: the rows of
    the training images and (X_train, y_train, X_val, y_val) on `device`."""
    n_train = int(0.8 * len(lecture_rows))
    train_pick, validation_pick = draw_train_validation(
        len(lecture_rows), n_train, len(lecture_rows) - n_train, torch.Generator().manual_seed(seed)
    )
    train_rows, validation_rows = lecture_rows[train_pick], lecture_rows[validation_pick]
    data = tuple(
        tensor[rows].to(device)
        for rows in (train_rows, validation_rows)
        for tensor in (features, parity)
    )
    return train_rows, data


def run_seed(seed, train_rows, data, X_test, y_test, device):
    """Every configuration with one seed: {configuration: {metric: accuracy}}."""
    X_train, y_train, X_val, y_val = data
    loss = nn.BCEWithLogitsLoss()
    results = {}
    for model_class in MODELS:
        torch.manual_seed(seed)
        model = model_class().to(device)
        history = train_lecture_recipe(model, X_train, y_train, X_val, y_val)
        results[f"Part A · {model_class.__name__}"] = {
            "validation": history["val_accuracy"][-1],
            "test": evaluate(model, X_test, y_test, loss)[1],
            "train": history["train_accuracy"][-1],
            "first validation": history["val_accuracy"][0],
        }
    for model_class in MODELS:
        torch.manual_seed(seed)
        model = model_class().to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        train_slides_loop(model, slides_loader(train_rows, seed=seed), optimizer, device)
        results[f"Slides' loop · {model_class.__name__}"] = {
            "validation": evaluate(model, X_val, y_val, loss)[1],
            "test": evaluate(model, X_test, y_test, loss)[1],
        }
    theta_star, gradient_norms, step_lengths, A, targets = logistic_optimum(X_train, y_train)
    f_star = logistic_objective(theta_star, A, targets).item()
    curvatures = torch.linalg.eigvalsh(logistic_hessian(theta_star, A, targets))
    results["Newton"] = {
        "f*": f_star,
        "steps": len(gradient_norms) - 1,
        "gradient": gradient_norms[-1],
        "backtracked steps": sum(length < 1 for length in step_lengths),
        "first factor": gradient_norms[1] / gradient_norms[0],
        "last factor": gradient_norms[-1] / gradient_norms[-2],
        "condition number": (curvatures[-1] / curvatures[0]).item(),
    }
    # Noise or conditioning: full-batch gradient descent for as many steps as SGD's 20 passes.
    sgd_steps = PASSES * -(-len(y_train) // 64)
    torch.manual_seed(seed)
    model = Logistic().to(device)
    optimizer = LADDER["full-batch GD, step 0.01"][1](model.parameters())
    train_one_run(
        model, optimizer, X_train, y_train, seed, passes=sgd_steps, batch_size=len(y_train),
        shuffle=False,
    )  # fmt: skip
    no_noise = logistic_objective(as_theta(model), A, targets).item() - f_star
    for model_class in MODELS:
        ladder = run_ladder(model_class, data, seeds=[seed])
        for rung, runs in ladder.items():
            history = runs.history
            best = runs.best_pass[0].item()
            row = {
                "train loss": history["train_loss"][-1, 0].item(),
                "train accuracy": history["train_accuracy"][-1, 0].item(),
                "validation": history["val_accuracy"][-1, 0].item(),
                "best validation": history["val_accuracy"][best, 0].item(),
                "best pass": best,
                "validation loss rise": (
                    history["val_loss"][-1, 0] - history["val_loss"][:, 0].min()
                ).item(),
                "test": evaluate(runs.models("best")[0].to(device), X_test, y_test, loss)[1],
            }
            if model_class is Logistic:
                squared_norm = history["squared_norm"][:, 0]
                row["f - f*"] = row["train loss"] + LAMBDA / 2 * squared_norm[-1].item() - f_star
                one_pass = history["train_loss"][1, 0] + LAMBDA / 2 * squared_norm[1]
                row["f - f* after one pass"] = one_pass.item() - f_star
            results[f"Ladder · {model_class.__name__} · {rung}"] = row
    with_noise = results["Ladder · Logistic · SGD, step 0.01"]["f - f*"]
    results["Noise or conditioning"] = {
        "f - f* of full-batch GD, SGD's steps": no_noise,
        "share of SGD's f - f* that removing the noise closes": 1 - no_noise / with_noise,
    }
    return results


def summarise(values):
    return {
        "min": min(values),
        "mean": statistics.fmean(values),
        "max": max(values),
        "std": statistics.stdev(values) if len(values) > 1 else 0.0,
    }


def markdown_table(report):
    lines = [
        "| configuration | validation min / mean / max | test min / mean / max |",
        "|---|---|---|",
    ]
    for name, row in report["configurations"].items():
        if "test" not in row:
            continue
        cells = [
            " / ".join(f"{100 * row[split][k]:.2f}" for k in ("min", "mean", "max")) + "%"
            for split in ("validation", "test")
        ]
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    lines += [
        "",
        "| ladder rung | f − f* mean ± std | training loss mean ± std | validation, last pass |",
        "|---|---|---|---|",
    ]
    for name, row in report["configurations"].items():
        if not name.startswith("Ladder"):
            continue
        gap = (
            f"{row['f - f*']['mean']:.4f} ± {row['f - f*']['std']:.4f}" if "f - f*" in row else "—"
        )
        lines.append(
            f"| {name} | {gap} | {row['train loss']['mean']:.4f} ± {row['train loss']['std']:.4f} "
            f"| {100 * row['validation']['mean']:.2f} ± {100 * row['validation']['std']:.2f}% |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0, 1, ..., N - 1")
    parser.add_argument("--json", type=Path, help="write the results as JSON to this path")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # small models gain nothing from more threads; a busy machine loses
    device = get_device()

    images, digits = load_mnist("train")
    test_images, test_digits = load_mnist("test")
    lecture_rows = first_images_per_digit(digits, per_digit=500)
    features, parity = mnist_features(images), parity_labels(digits)
    X_test = mnist_features(test_images).to(device)
    y_test = parity_labels(test_digits).to(device)

    per_seed = {}
    started = time.perf_counter()
    for seed in range(args.seeds):
        train_rows, data = draw_split(features, parity, lecture_rows, seed, device)
        per_seed[seed] = run_seed(seed, train_rows, data, X_test, y_test, device)
        line = ", ".join(
            f"{k} {100 * v['test']:.2f}"
            for k, v in per_seed[seed].items()
            if k.startswith(("Part A", "Slides"))
        )
        print(f"seed {seed}: test {line}; f* {per_seed[seed]['Newton']['f*']:.6f}", flush=True)
    configurations = {
        name: {
            metric: summarise([per_seed[seed][name][metric] for seed in per_seed])
            for metric in metrics
        }
        for name, metrics in per_seed[0].items()
    }
    report = {
        "seeds": args.seeds,
        "device": str(device),
        "torch": torch.__version__,
        "seconds": time.perf_counter() - started,
        "what_varies": "training/validation draw, initial weights and batch order (one seed)",
        "configurations": configurations,
        "per_seed": per_seed,
    }
    print(markdown_table(report))
    print(f"({args.seeds} seeds in {report['seconds']:.0f} s on {device})")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
