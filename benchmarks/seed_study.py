"""Seed study of notebook 05: its whole experiment rerun with other seeds.

A replicate is the notebook's experiment with every seed shifted by `8 × r`: Part A and the
slides' loop with initial weights from seed 8r, the step grids on tuning seeds 8r … 8r + 2 and
the best steps on report seeds 8r + 3 … 8r + 7. Replicate 0 is exactly the notebook's run: every
seed the notebook runs is in the study. The 4,000 / 1,000 training/validation draw, the images
and the test set are the notebook's (every student has the same), so λ and θ* are computed once.

Each replicate records what the notebook prints about Part A and the slides' loop, and every
claim of its appendix (`claims_of`, `SEED_STUDY_BOUNDS`); tests/test_seed_study.py checks that
every replicate meets every bound and that the ranges the notebook quotes say what its text says.
The models, the Newton solve, the grids and the claims are imported from `lessons.mnist_models`,
the module generated from the notebook's cells tagged `export` (tools/lesson_modules.py), so the
study runs exactly the code the students read. The results are package data of `helpers`
(helpers/seed_study.json), so notebook 05 shows them wherever `helpers` is installed.

    python benchmarks/seed_study.py [--replicates 10] [--json helpers/seed_study.json]
"""

import argparse
import json
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
from helpers.seed_runs import train_seeds_together
from helpers.training import evaluate

# `lessons` is generated at the repository root, not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lessons.mnist_models import (
    AVERAGED_PASSES,
    BATCH_SIZE,
    EARLY_PASS,
    LAMBDAS,
    LECTURE_VALIDATION,
    LOGISTIC_SCORINGS,
    LOGISTIC_STEPS,
    NETWORK_SCORINGS,
    NETWORK_STEPS,
    OPTIMISERS,
    PASSES,
    REPORT_SEEDS,
    STOCHASTIC,
    TUNING_SEEDS,
    Logistic,
    SimpleNN,
    as_theta,
    claims_of,
    design_matrix,
    logistic_hessian,
    logistic_objective,
    logistic_optimum,
    mean_loss_split,
    no_noise_claims,
    noise_free_gaps,
    slides_loader,
    steps_to_reach,
    train_grid,
    train_lecture_recipe,
    train_slides_loop,
    training_objective,
    tune,
)

SEEDS_PER_REPLICATE = 8  # the notebook's tuning and report seeds together


def design():
    """What the study ran, from the notebook's own constants: a test compares it with today's."""
    return {
        "LAMBDAS": list(LAMBDAS),
        "PASSES": PASSES,
        "AVERAGED_PASSES": AVERAGED_PASSES,
        "TUNING_SEEDS": list(TUNING_SEEDS),
        "REPORT_SEEDS": list(REPORT_SEEDS),
        "LOGISTIC_STEPS": {name: list(steps) for name, steps in LOGISTIC_STEPS.items()},
        "NETWORK_STEPS": {name: list(steps) for name, steps in NETWORK_STEPS.items()},
    }


def draw_split(features, parity, lecture_rows, device, seed=0):
    """The notebook's 4,000 / 1,000 draw from the 5,000 images (seed 0): the rows of the training
    images and (X_train, y_train, X_val, y_val) on `device`."""
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


def exact_optimum(data):
    """λ chosen on validation, θ* at it, f* and θ*'s validation accuracy, as notebook 05's
    section 5 computes them."""
    X_train, y_train, X_val, y_val = data
    A_train, targets_train = design_matrix(X_train, y_train)
    A_val, targets_val = design_matrix(X_val, y_val)
    path, theta = {}, None
    for weight_decay in LAMBDAS:
        theta, _, _ = logistic_optimum(A_train, targets_train, weight_decay, start=theta)
        loss = nn.functional.binary_cross_entropy_with_logits(A_val @ theta, targets_val)
        path[weight_decay] = (loss.item(), theta)
    chosen = min(path, key=lambda weight_decay: path[weight_decay][0])
    theta_star = path[chosen][1]
    f_star = logistic_objective(theta_star, A_train, targets_train, chosen).item()
    accuracy = ((A_val @ theta_star > 0).double() == targets_val).double().mean().item()
    return chosen, theta_star, f_star, accuracy


def run_replicate(replicate, train_rows, data, optimum, test, device):
    """The notebook's experiment with every seed shifted: what it prints about Part A and the
    slides' loop, its best steps and raw results, and every claim of its appendix."""
    shift = SEEDS_PER_REPLICATE * replicate
    tuning_seeds = [shift + seed for seed in TUNING_SEEDS]
    report_seeds = [shift + seed for seed in REPORT_SEEDS]
    X_train, y_train, X_val, y_val = data
    X_test, y_test = test
    LAMBDA, theta_star, f_star, validation_of_optimum = optimum
    loss_fn = nn.BCEWithLogitsLoss()
    lecture, loop = {}, {}
    for model_class in (Logistic, SimpleNN):
        name = model_class.__name__
        torch.manual_seed(shift)
        model = model_class().to(device)
        history = train_lecture_recipe(model, *data)
        lecture[name] = {
            "validation": history["val_accuracy"][-1],
            "train loss at 25": history["train_loss"][0],
            "steps to 85%": steps_to_reach(history),
            "gap": history["train_accuracy"][-1] - history["val_accuracy"][-1],
            "test": evaluate(model, X_test, y_test, loss_fn)[1],
        }
        torch.manual_seed(shift)
        model = model_class().to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        train_slides_loop(model, slides_loader(train_rows, seed=shift), optimizer, device)
        loop[name] = evaluate(model, X_val, y_val, loss_fn)[1]

    tuning, first, best, _ = tune(
        Logistic, LOGISTIC_STEPS, data, LAMBDA, LOGISTIC_SCORINGS, seeds=tuning_seeds
    )
    report_steps = {}
    for scoring_best in best.values():
        for name, step in scoring_best.items():
            report_steps.setdefault(name, set()).add(step)
    report = train_grid(
        Logistic, {n: sorted(s) for n, s in report_steps.items()}, data, LAMBDA, report_seeds
    )
    gap = {
        (scoring, name): training_objective(report[name, step], LAMBDA, averaged) - f_star
        for scoring, (averaged, _) in LOGISTIC_SCORINGS.items()
        for name, step in best[scoring].items()
    }
    A_train, targets_train = design_matrix(X_train, y_train)
    hessian = logistic_hessian(theta_star, A_train, targets_train, LAMBDA)
    largest = torch.linalg.eigvalsh(hessian)[-1].item()
    starts = []
    for seed in tuning_seeds:  # the grid's runs: section 7's starting weights
        torch.manual_seed(seed)
        starts.append(as_theta(Logistic()))
    steps_per_pass = -(-len(y_train) // BATCH_SIZE)
    noise_steps = sorted(  # as the notebook: the first-stage grid below 2 / L, SGD's two choices
        {step for step in LOGISTIC_STEPS["SGD"] if step < 2 / largest}
        | {scoring_best["SGD"] for scoring_best in best.values()}
    )
    no_noise = noise_free_gaps(
        starts, noise_steps, A_train, targets_train, LAMBDA, f_star,
        PASSES * steps_per_pass, AVERAGED_PASSES * steps_per_pass,
    )  # fmt: skip

    _, network_first, network_best, _ = tune(
        SimpleNN, NETWORK_STEPS, data, 0.0, NETWORK_SCORINGS, seeds=tuning_seeds
    )
    network_best = network_best["last iterate"]
    network = train_grid(
        SimpleNN, {n: [s] for n, s in network_best.items()}, data, 0.0, report_seeds,
        every_pass=True,
    )  # fmt: skip
    network_runs = {name: network[name, step] for name, step in network_best.items()}
    network_accuracy = {n: 100 * r.history["val_accuracy"][-1] for n, r in network_runs.items()}
    choice = max(network_accuracy, key=lambda name: network_accuracy[name].mean())
    early = train_seeds_together(  # section 9: the same runs, stopped after EARLY_PASS passes
        SimpleNN,
        {name: OPTIMISERS[name][1](network_best[name], 0.0) for name in STOCHASTIC},
        report_seeds,
        data,
        passes=EARLY_PASS,
        batch_size=BATCH_SIZE,
        record_every_pass=False,
    )
    loss_splits = {
        name: {
            at: mean_loss_split(runs[name], X_val, y_val)
            for at, runs in ((EARLY_PASS, early), (PASSES, network_runs))
        }
        for name in STOCHASTIC
    }
    A_test, targets_test = design_matrix(X_test, y_test)
    claims = claims_of(
        lecture=lecture,
        lecture_validation=LECTURE_VALIDATION,
        first_stage=first,
        logistic_grids=LOGISTIC_STEPS,
        gap=gap,
        validation={"θ*": validation_of_optimum}
        | {
            name: report[name, step].averaged["val_accuracy"].mean().item()
            for name, step in best["tail average"].items()
        },
        no_noise=no_noise_claims(tuning, no_noise, LAMBDA, f_star),
        no_noise_averaged_step=best["tail average"]["SGD"],
        network_first=network_first["last iterate"],
        network_grids=NETWORK_STEPS,
        network_loss={n: training_objective(r, 0.0) for n, r in network_runs.items()},
        network_accuracy=network_accuracy,
        network_histories={name: runs.history for name, runs in network_runs.items()},
        loss_splits=loss_splits,
        test_accuracy={
            "network": [
                evaluate(model.to(device), X_test, y_test, loss_fn)[1]
                for model in network_runs[choice].models("last")
            ],
            "θ*": ((A_test @ theta_star > 0).double() == targets_test).double().mean().item(),
        },
    )
    return {
        "seeds": {"part A": shift, "tuning": tuning_seeds, "report": report_seeds},
        "f - f*": {
            f"{scoring} · {name}": values.tolist() for (scoring, name), values in gap.items()
        },
        "no noise": {
            str(step): {scoring: values.tolist() for scoring, values in ends.items()}
            for step, ends in no_noise.items()
        },
        "network loss": {n: training_objective(r, 0.0).tolist() for n, r in network_runs.items()},
        "network validation accuracy, %": {n: a.tolist() for n, a in network_accuracy.items()},
        "part_a": lecture,
        "slides_loop": loop,
        "best steps": {**best, "network": network_best},
        "first-stage best steps": {**first, "network": network_first["last iterate"]},
        "network chosen": choice,
        "claims": {claim: float(value) for claim, value in claims.items()},
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=10, help="replicates 0, 1, ..., N - 1")
    parser.add_argument(
        "--json", type=Path, help="write the results here (helpers/seed_study.json)"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # small models gain nothing from more threads; a busy machine loses
    device = get_device()
    images, digits = load_mnist("train")
    test_images, test_digits = load_mnist("test")
    lecture_rows = first_images_per_digit(digits, per_digit=500)
    train_rows, data = draw_split(
        mnist_features(images), parity_labels(digits), lecture_rows, device
    )
    test = (mnist_features(test_images).to(device), parity_labels(test_digits).to(device))
    started = time.perf_counter()
    optimum = exact_optimum(data)
    replicates = []
    for replicate in range(args.replicates):
        replicates.append(run_replicate(replicate, train_rows, data, optimum, test, device))
        claims = replicates[-1]["claims"]
        print(f"replicate {replicate}: {time.perf_counter() - started:.0f} s; " + "; ".join(
            f"{claim.split(':')[0]} {value:.3g}" for claim, value in list(claims.items())[:4]
        ), flush=True)  # fmt: skip
    report = {
        "replicates": args.replicates,
        "what_varies": "every seed (initial weights and batch order), shifted by 8 per replicate",
        "what_stays": "the 4,000 / 1,000 draw, the images, the test set, λ and θ*",
        "lambda": optimum[0],
        "design": design(),
        "device": str(device),
        "torch": torch.__version__,
        "seconds": round(time.perf_counter() - started),
        "part_a": [{"seed": r["seeds"]["part A"], **r["part_a"]} for r in replicates],
        "slides_loop": [{"seed": r["seeds"]["part A"], **r["slides_loop"]} for r in replicates],
        "replicates_detail": replicates,
    }
    for claim in replicates[0]["claims"]:
        values = [r["claims"][claim] for r in replicates]
        print(f"{claim:<78} {min(values):>9.4g} … {max(values):<9.4g}")
    print(f"({args.replicates} replicates in {report['seconds']} s on {device})")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
