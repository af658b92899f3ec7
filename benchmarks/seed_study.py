"""Seed study of notebook 05: how far each number moves when only the seed changes.

For every seed, the 4,000 / 1,000 training/validation draw from the notebook's 5,000 images
(the first 500 of each digit) and the initial weights and batch order all change; the 5,000
images and the test set do not. Every configuration of the notebook is trained with it:

    Part A         Logistic, SimpleNN     lecture recipe (full batch, 1,000 steps); also the
                                          first checkpoint's validation and the final training
                                          accuracy and loss, for the slide's conclusions
    Slides' loop   Logistic, SimpleNN     DataLoader, BCELoss, SGD 0.01, 5 epochs
    Ladder         Logistic, SimpleNN  x  every rung of LADDER (20 passes), with f* from Newton
                                          for logistic regression

The notebook's accuracy assertions take their thresholds below the minima printed here. The
models, the Newton solve, the ladder and the training functions are executed from the notebook
itself (its imports and named top-level definitions), so the study measures exactly the code the
students run; the ladder's runs go through `helpers.seed_runs`, as in the notebook.

    python benchmarks/seed_study.py [--seeds 10] [--json benchmarks/seed_study.json]
"""

import argparse
import ast
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
from helpers.paths import notebooks_dir
from helpers.training import evaluate

NOTEBOOK = "05_mnist_models.ipynb"
# What the study takes from the notebook: its imports, models, training functions, settings.
DEFINITIONS = {
    "Logistic",
    "SimpleNN",
    "BinaryClassifier",
    "HIDDEN_DIM",
    "train_lecture_recipe",
    "SLIDES_TRANSFORM",
    "slides_loader",
    "train_slides_loop",
    "LAMBDA",
    "logistic_objective",
    "logistic_optimum",
    "PASSES",
    "SEEDS",
    "LADDER",
    "run_ladder",
}
PART_A_MODELS = ("Logistic", "SimpleNN")


def _is_kept(node: ast.stmt) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
        return node.name in DEFINITIONS
    return isinstance(node, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id in DEFINITIONS for target in node.targets
    )


def notebook_definitions(path: Path, device: torch.device) -> dict:
    """Execute the notebook's imports and the top-level definitions named in DEFINITIONS (and
    nothing else: no training, no figures) into a fresh namespace."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    kept = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        # IPython magics are not Python; the Colab install line is one.
        source = "\n".join(
            line.replace("%", "pass  #", 1) if line.lstrip().startswith("%") else line
            for line in source.splitlines()
        )
        kept += [node for node in ast.parse(source).body if _is_kept(node)]
    found = {
        getattr(node, "name", None) or node.targets[0].id
        for node in kept
        if not isinstance(node, (ast.Import, ast.ImportFrom))
    }
    if found != DEFINITIONS:
        raise SystemExit(f"{path.name} no longer defines {sorted(DEFINITIONS - found)}")
    namespace = {"device": device}
    # Running the notebook's own definitions is the point: the study measures the lesson's code.
    exec(compile(ast.Module(body=kept, type_ignores=[]), str(path), "exec"), namespace)  # noqa: S102
    return namespace


def set_split(namespace, features, parity, lecture_rows, seed, device):
    """The notebook's 4,000 / 1,000 draw from the lecture's images, with this seed."""
    n_train = int(0.8 * len(lecture_rows))
    train_pick, validation_pick = draw_train_validation(
        len(lecture_rows), n_train, len(lecture_rows) - n_train, torch.Generator().manual_seed(seed)
    )
    for prefix, pick in (("train", train_pick), ("val", validation_pick)):
        rows = lecture_rows[pick]
        namespace[f"X_{prefix}"] = features[rows].to(device)
        namespace[f"y_{prefix}"] = parity[rows].to(device)
    namespace["train_rows"] = lecture_rows[train_pick]


def run_seed(namespace, seed, X_test, y_test):
    """Every configuration with one seed: {configuration: {metric: accuracy}}."""
    device, loss = namespace["device"], nn.BCEWithLogitsLoss()
    results = {}
    for name in PART_A_MODELS:
        torch.manual_seed(seed)
        model = namespace[name]().to(device)
        history = namespace["train_lecture_recipe"](model)
        results[f"Part A · {name}"] = {
            "validation": history["val_accuracy"][-1],
            "test": evaluate(model, X_test, y_test, loss)[1],
            "train": history["train_accuracy"][-1],
            "first validation": history["val_accuracy"][0],
        }
    for name in PART_A_MODELS:
        torch.manual_seed(seed)
        model = namespace[name]().to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        loader = namespace["slides_loader"](namespace["train_rows"], seed=seed)
        namespace["train_slides_loop"](model, loader, optimizer)
        results[f"Slides' loop · {name}"] = {
            "validation": evaluate(model, namespace["X_val"], namespace["y_val"], loss)[1],
            "test": evaluate(model, X_test, y_test, loss)[1],
        }
    theta_star, gradient_norms, A, targets = namespace["logistic_optimum"](
        namespace["X_train"], namespace["y_train"]
    )
    f_star = namespace["logistic_objective"](theta_star, A, targets).item()
    results["Newton"] = {
        "f*": f_star,
        "steps": len(gradient_norms) - 1,
        "gradient": gradient_norms[-1],
    }
    lam = namespace["LAMBDA"]
    for name in PART_A_MODELS:
        ladder = namespace["run_ladder"](namespace[name], seeds=[seed])
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
            if name == "Logistic":
                row["f - f*"] = row["train loss"] + lam / 2 * history["squared_norm"][-1, 0].item()
                row["f - f*"] -= f_star
                one_pass = history["train_loss"][1, 0] + lam / 2 * history["squared_norm"][1, 0]
                row["f - f* after one pass"] = one_pass.item() - f_star
            results[f"Ladder · {name} · {rung}"] = row
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
    namespace = notebook_definitions(notebooks_dir() / NOTEBOOK, device)

    images, digits = load_mnist("train")
    test_images, test_digits = load_mnist("test")
    lecture_rows = first_images_per_digit(digits, per_digit=500)
    features, parity = mnist_features(images), parity_labels(digits)
    X_test = mnist_features(test_images).to(device)
    y_test = parity_labels(test_digits).to(device)

    per_seed = {}
    started = time.perf_counter()
    for seed in range(args.seeds):
        set_split(namespace, features, parity, lecture_rows, seed, device)
        per_seed[seed] = run_seed(namespace, seed, X_test, y_test)
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
