"""Measure the lecture's performance claims and the notebooks' own cost, side by side.

Each case times two ways of doing the same work in this one process, on one CPU thread as notebook
05 trains (median of 5 timed runs after a warm-up), and reports both and their ratio a/b, so the
result holds on a noisy machine. What runs is the lessons' own code, imported from `lessons/`
(generated from the notebooks' cells tagged `export`): notebook 04's gradient routes, notebook
05's models, data loader and training loops.

    data_pipeline         one epoch of SimpleNN: the slides'      vs  train_one_run, one pass over
                          loop over their DataLoader                  tensor-resident batches
                          (train_slides_loop, slides_loader)
    autograd_overhead     least-squares gradient by autograd      vs  Xᵀ(Xw − y) by hand
    gram_vs_matvec        gradient through XᵀX                    vs  two mat-vecs (+ memory)
    lecture_vs_minibatch  Part A: train_lecture_recipe (full      vs  Adam at step 0.001:
                          batch, 1,000 steps), both models            train_one_run, 10 passes
    notebooks             all notebooks, each in a fresh kernel   vs  a fresh kernel per notebook
                                                                      that only imports (the floor)
    all_training_images   notebook 05 with USE_ALL_TRAINING_IMAGES = True  vs  as shipped, both on
    (--full only)         a full-size (60,000-image) training split; also each kernel's peak memory
    grading               `make grade` on a class (3 students × notebooks  vs  each notebook run
                          01–03; --full: 30 × all five), seconds per          once, in a fresh
                          graded notebook; also the peak memory of all        kernel
                          the grader's processes against one run's

    python benchmarks/run.py [--quick | --full] [--json PATH]

By default (`make bench`) every notebook runs once, each followed by a floor kernel, and the whole
run takes under 10 minutes on a 2-core CPU. `--full` runs the suite 5 times (median per notebook,
each run followed by a floor kernel) and adds `all_training_images`: half an hour or more on a
laptop CPU. `--quick` shrinks every case and runs notebook 01 alone (about a minute; the tests
use it). SIGTERM (a time limit) or Ctrl-C stops the run within seconds, kernels included:
temporary folders are removed, nothing is written, and the exit status is 128 + the signal's
number.
"""

import argparse
import contextlib
import json
import math
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

from helpers.data import (
    first_images_per_digit,
    load_mnist,
    mnist_features,
    parity_labels,
)
from helpers.device import get_device
from helpers.memory import peak_extra_bytes
from helpers.paths import FIGURES_DIR_ENV_VAR, MNIST_ROOT_ENV_VAR, data_root, display_path
from helpers.timing import median_seconds, one_thread
from helpers.training import evaluate

# `tools` (maintainer tooling) and `lessons` (generated from the notebooks) sit at the repository
# root: they are not installed packages.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.seed_study import draw_split
from lessons.least_squares import autograd_gradient, gram_gradient, matvec_gradient
from lessons.mnist_models import (
    OPTIMISERS,
    PASSES,
    Logistic,
    SimpleNN,
    slides_loader,
    train_lecture_recipe,
    train_one_run,
    train_slides_loop,
)
from tools.processes import Stopped, raise_on_sigterm, stop_children
from tools.run_notebooks import default_notebooks, execute_notebook

REPEATS = 5  # median of 5 timed runs after one warm-up, for every in-process case
DEFAULT = {
    "pipeline_images": None,  # the whole training split
    "least_squares": (20_000, 2_000),
    "lecture_steps": 1_000,  # Part A's steps
    "minibatch_passes": PASSES,  # notebook 05's budget
    "notebooks": None,  # all of them
    "suite_passes": 1,  # each notebook once: the suite takes minutes
    "class_size": 3,  # students in the graded class
    "graded_notebooks": ["01", "02", "03"],
}
FULL = {**DEFAULT, "suite_passes": 5, "class_size": 30, "graded_notebooks": None}
QUICK = {
    "pipeline_images": 1_000,
    "least_squares": (2_000, 200),
    "lecture_steps": 50,
    "minibatch_passes": 2,
    "notebooks": ["01_polynomial_gradient.ipynb"],
    "suite_passes": 1,
    "class_size": 2,
    "graded_notebooks": ["01"],
}
SETTINGS = {"quick": QUICK, "default": DEFAULT, "full": FULL}
REPO = Path(__file__).resolve().parent.parent
# What every notebook's first cell costs at least: a kernel that imports what they import from
# torch, matplotlib and helpers (the lesson code the notebooks define is not imported).
FLOOR_SOURCE = (
    "import matplotlib.pyplot\nimport torch\n\n"
    "import helpers.backward_viewer, helpers.data, helpers.device, helpers.exercises\n"
    "import helpers.graphs, helpers.memory, helpers.plotting, helpers.seed_runs\n"
    "import helpers.statistics, helpers.timing, helpers.training"
)
SUITE_OVER_FLOOR_GOAL = "<= 5"  # the guard; the target is 4 (CONTRIBUTING, "Benchmarks")
# lecture_vs_minibatch's minibatch side: notebook 05's Adam at the step its logistic grid picks for
# the last iterate, without weight decay (a timing, not a comparison of accuracies).
MINIBATCH_OPTIMISER = ("Adam", 0.001)


def case(name, a, b, a_seconds, b_seconds, goal, device, **extra):
    ratio = a_seconds / b_seconds
    if goal is None:
        meets = None
    else:
        operator, bound = goal.split()
        meets = ratio >= float(bound) if operator == ">=" else ratio <= float(bound)
    return {
        "name": name,
        "a": a,
        "b": b,
        "a_seconds": a_seconds,
        "b_seconds": b_seconds,
        "ratio": ratio,
        "goal": goal,
        "meets_goal": meets,
        "device": str(device),
        **extra,
    }


def time_pair(fn_a, fn_b, device):
    """Median seconds of each side, measured back to back in this process."""
    return (
        median_seconds(fn_a, repeats=REPEATS, device=device),
        median_seconds(fn_b, repeats=REPEATS, device=device),
    )


def seeded(model_class, device):
    """A model with notebook 05's initial weights (torch.manual_seed(0)), on `device`."""
    torch.manual_seed(0)
    return model_class().to(device)


def data_pipeline(settings, device):
    """One epoch of notebook 05's SimpleNN (batches of 64, SGD at step 0.01) fed two ways: the
    slides' loop over the slides' DataLoader, which converts and normalises image by image
    (`train_slides_loop`, `slides_loader`), against `train_one_run`, one pass over tensors already
    on the device. Besides the batches, the two loops differ only in the loss (`BCELoss` on
    probabilities against `BCEWithLogitsLoss` on scores): a few operations on 64 numbers."""
    images, digits = load_mnist("train")  # validates the files (or downloads them) first
    n_images = settings["pipeline_images"] or len(digits)
    loader = slides_loader(torch.arange(n_images), seed=0)
    features = mnist_features(images[:n_images]).to(device)
    targets = parity_labels(digits[:n_images]).to(device)

    def epoch_with_dataloader():
        model = seeded(SimpleNN, device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        train_slides_loop(model, loader, optimizer, device, epochs=1)

    def epoch_with_tensor_batches():
        model = seeded(SimpleNN, device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        train_one_run(model, optimizer, features, targets, seed=0, passes=1)

    a, b = time_pair(epoch_with_dataloader, epoch_with_tensor_batches, device)
    return case(
        "data_pipeline",
        f"train_slides_loop over slides_loader, one epoch of {n_images} images",
        f"train_one_run over tensor-resident batches, one pass over {n_images} images",
        a,
        b,
        ">= 7",
        device,
        images=n_images,
    )


def least_squares_problem(settings, device):
    n, p = settings["least_squares"]
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(n, p, dtype=torch.float64, generator=generator).to(device)
    y = torch.randn(n, dtype=torch.float64, generator=generator).to(device)
    w = torch.randn(p, dtype=torch.float64, generator=generator).to(device)
    return n, p, X, y, w


def autograd_overhead(settings, device):
    """Notebook 04's route (c), autograd, against its route (b), by hand."""
    n, p, X, y, w = least_squares_problem(settings, device)
    a, b = time_pair(lambda: autograd_gradient(X, y, w), lambda: matvec_gradient(X, y, w), device)
    return case(
        "autograd_overhead",
        f"autograd gradient of ½‖Xw − y‖², float64, n={n}, p={p}",
        "hand-written Xᵀ(Xw − y)",
        a,
        b,
        "<= 1.3",
        device,
        n=n,
        p=p,
    )


def gram_and_matvec_theory_bytes(n, p):
    """Notebook 04's tensor-by-tensor peaks: XᵀX and three vectors of p; Xw and the residual
    alive together (Xᵀr's p numbers once Xw is freed). On a GPU each tensor is rounded up to the
    allocator's blocks, which this leaves out."""
    gram, matvec = 8 * p * p + 24 * p, 8 * n + max(8 * n, 8 * p)
    return {"a": gram, "b": matvec, "ratio": gram / matvec}


def gram_vs_matvec(settings, device):
    """Notebook 04's route (a), through XᵀX, against its route (b): time and extra memory."""
    n, p, X, y, w = least_squares_problem(settings, device)
    memory_device = device if device.type == "cuda" else torch.device("cpu")
    a, b = time_pair(lambda: gram_gradient(X, y, w), lambda: matvec_gradient(X, y, w), device)
    a_bytes = peak_extra_bytes(lambda: gram_gradient(X, y, w), memory_device)
    b_bytes = peak_extra_bytes(lambda: matvec_gradient(X, y, w), memory_device)
    return case(
        "gram_vs_matvec",
        f"gradient through XᵀX, float64, n={n}, p={p}",
        "two matrix-vector products Xᵀ(Xw − y)",
        a,
        b,
        None,
        device,
        n=n,
        p=p,
        a_extra_bytes=a_bytes,
        b_extra_bytes=b_bytes,
        memory_ratio=a_bytes / b_bytes,
        theory_bytes=gram_and_matvec_theory_bytes(n, p),
    )


def lecture_vs_minibatch(settings, device):
    """Notebook 05's Part A against its minibatch loop, both models, on the notebook's
    4,000 / 1,000 draw: `train_lecture_recipe` as Part A calls it (full batch, SGD at step 0.01,
    1,000 steps, a record every 25) against `train_one_run` with notebook 05's Adam
    (`MINIBATCH_OPTIMISER`: batches of 64, notebook 05's PASSES), one seed. Each side's test
    accuracy is kept."""
    images, digits = load_mnist("train")
    test_images, test_digits = load_mnist("test")
    lecture_rows = first_images_per_digit(digits, per_digit=500)
    features, parity = mnist_features(images), parity_labels(digits)
    _, (X, y, X_val, y_val) = draw_split(features, parity, lecture_rows, device)
    X_test = mnist_features(test_images).to(device)
    y_test = parity_labels(test_digits).to(device)
    models = {"Logistic": Logistic, "SimpleNN": SimpleNN}
    name, step = MINIBATCH_OPTIMISER
    batch_size, make = OPTIMISERS[name]
    adam = make(step, 0.0)
    accuracy = {}

    def test_accuracy(model):
        return evaluate(model, X_test, y_test, nn.BCEWithLogitsLoss())[1]

    def lecture_recipe():
        for name, model_class in models.items():
            model = seeded(model_class, device)
            train_lecture_recipe(model, X, y, X_val, y_val, steps=settings["lecture_steps"])
            accuracy[("lecture", name)] = test_accuracy(model)

    def minibatch_recipe():
        for name, model_class in models.items():
            model = seeded(model_class, device)
            optimizer = adam(model.parameters())
            passes = settings["minibatch_passes"]
            train_one_run(model, optimizer, X, y, seed=0, passes=passes, batch_size=batch_size)
            accuracy[("minibatch", name)] = test_accuracy(model)

    a, b = time_pair(lecture_recipe, minibatch_recipe, device)
    return case(
        "lecture_vs_minibatch",
        f"Part A, train_lecture_recipe: full batch, {settings['lecture_steps']} steps,"
        " Logistic + SimpleNN",
        f"{name} at step {step}, train_one_run: batches of {batch_size},"
        f" {settings['minibatch_passes']} passes, Logistic + SimpleNN",
        a,
        b,
        None,
        device,
        a_test_accuracy={name: accuracy[("lecture", name)] for name in models},
        b_test_accuracy={name: accuracy[("minibatch", name)] for name in models},
    )


@contextlib.contextmanager
def environment(**values):
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def write_notebook(path: Path, sources: list[str]) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)
    return path


def run_or_fail(path: Path):
    run = execute_notebook(path, write=False)
    if not run.ok:
        raise RuntimeError(f"{display_path(path)} failed:\n{run.error[-2000:]}")
    return run.seconds


def notebooks(settings, device):
    """Each notebook in a fresh kernel (as `make run`, without writing), `suite_passes` times,
    each run followed by the floor: a fresh kernel that only imports torch, matplotlib and
    helpers (interleaved, so both see the same machine). Medians per notebook."""
    paths = default_notebooks()
    if settings["notebooks"] is not None:
        paths = [path for path in paths if path.name in settings["notebooks"]]
    passes = settings["suite_passes"]
    per_notebook = {}
    # Figures go to the temporary folder: a benchmark leaves figures/ as `make run` left it.
    with tempfile.TemporaryDirectory() as folder, environment(**{FIGURES_DIR_ENV_VAR: folder}):
        floor = write_notebook(Path(folder) / "floor.ipynb", [FLOOR_SOURCE])
        floor_times = []
        for path in paths:
            times = []
            for _ in range(passes):
                times.append(run_or_fail(path))
                floor_times.append(run_or_fail(floor))  # interleaved: same machine state
            per_notebook[path.name] = statistics.median(times)
    total = sum(per_notebook.values())
    floor_seconds = len(paths) * statistics.median(floor_times)
    runs = "once" if passes == 1 else f"median of {passes}"
    return case(
        "notebooks",
        f"{len(paths)} notebook(s), each in a fresh kernel ({runs})",
        f"floor: {len(paths)} fresh kernel(s) that only import torch, matplotlib, helpers",
        total,
        floor_seconds,
        SUITE_OVER_FLOOR_GOAL if settings["notebooks"] is None else None,
        device,
        passes=passes,
        per_notebook_seconds=per_notebook,
        total_seconds=total,
        floor_seconds=floor_seconds,
        floor_ratio=total / floor_seconds,
    )


PEAK_MEMORY_CELL = (
    "import resource, sys\n"
    "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print('PEAK_RSS_BYTES', peak if sys.platform == 'darwin' else 1024 * peak)"
)


def run_notebook_05(folder: Path, use_all_images: bool) -> tuple[float, int]:
    """Notebook 05 with the switch set, plus a last cell that prints the kernel's peak memory."""
    import nbformat

    notebook = nbformat.read(REPO / "notebooks" / "05_mnist_models.ipynb", as_version=4)
    switch = "USE_ALL_TRAINING_IMAGES = False"
    cells = [cell for cell in notebook.cells if switch in cell.source]
    if len(cells) != 1:
        raise RuntimeError(f"notebook 05 should set {switch!r} in exactly one cell")
    cells[0].source = cells[0].source.replace(switch, f"USE_ALL_TRAINING_IMAGES = {use_all_images}")
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    path = folder / f"05_all_images_{use_all_images}.ipynb"
    nbformat.write(notebook, path)
    run = execute_notebook(path)  # writes the executed copy in the temporary folder
    if not run.ok:
        raise RuntimeError(
            f"notebook 05 (all images: {use_all_images}) failed:\n{run.error[-2000:]}"
        )
    executed = nbformat.read(path, as_version=4)
    printed = "".join(output.get("text", "") for output in executed.cells[-1].outputs)
    return run.seconds, int(printed.split("PEAK_RSS_BYTES")[1].split()[0])


def all_training_images(settings, device):
    """What USE_ALL_TRAINING_IMAGES = True costs: notebook 05 on a full-size training split,
    switch on against switch off, each once in a fresh kernel (time and peak memory)."""
    sys.path.insert(0, str(REPO / "tests"))
    from full_size_mnist import build_full_size_root

    with tempfile.TemporaryDirectory() as folder:
        root = build_full_size_root(data_root(), Path(folder) / "data")
        n_images = len(load_mnist("train", root=root)[1])
        with environment(
            **{MNIST_ROOT_ENV_VAR: str(root), FIGURES_DIR_ENV_VAR: str(Path(folder) / "figures")}
        ):
            b_seconds, b_bytes = run_notebook_05(Path(folder), use_all_images=False)
            a_seconds, a_bytes = run_notebook_05(Path(folder), use_all_images=True)
    return case(
        "all_training_images",
        f"notebook 05 with USE_ALL_TRAINING_IMAGES = True ({n_images:,} training images)",
        "notebook 05 as shipped (the lecture's 5,000 images), same split",
        a_seconds,
        b_seconds,
        None,
        device,
        images=n_images,
        a_peak_bytes=a_bytes,
        b_peak_bytes=b_bytes,
    )


@contextlib.contextmanager
def peak_memory_of_children(samples_per_second=5):
    """Sample the summed resident memory of every process this one started (the grader's
    processes and their kernels) until the block ends: {"peak_bytes": ...}."""
    import threading

    import psutil

    me, peak, stop = psutil.Process(), {"peak_bytes": 0}, threading.Event()

    def sample():
        while not stop.wait(1 / samples_per_second):
            total = 0
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
            peak["peak_bytes"] = max(peak["peak_bytes"], total)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


def grading(settings, device):
    """`make grade` (grading/) on a class of student-edition notebooks, unanswered, against
    running each of those notebooks once in a fresh kernel: seconds per graded notebook (the
    batch's wall time over its notebooks, side by side on every core) and per single run, and
    the peak memory of all processes at once. The reference run of the instructor edition is
    made first, outside the clock: it happens once, whatever the size of the class."""
    import shutil

    from grading.__main__ import main as grade

    names = sorted(path.name for path in (REPO / "student").glob("[0-9][0-9]_*.ipynb"))
    if settings["graded_notebooks"] is not None:
        names = [name for name in names if name[:2] in settings["graded_notebooks"]]
    numbers = [name[:2] for name in names]
    with tempfile.TemporaryDirectory() as folder, environment(**{FIGURES_DIR_ENV_VAR: folder}):
        root, out = Path(folder), Path(folder) / "out"
        (root / "warm" / "nobody").mkdir(parents=True)  # hands in nothing: only the reference runs
        for k in range(settings["class_size"]):
            student = root / "class" / f"student-{k:02d}"
            student.mkdir(parents=True)
            for name in names:
                shutil.copy(REPO / "student" / name, student / name)
        with contextlib.redirect_stdout(sys.stderr):
            # reference.json first; each notebook of the class then runs in its sandbox.
            warm = grade([str(root / "warm"), str(out), "--notebooks", *numbers])
            with peak_memory_of_children() as class_memory:
                start = time.perf_counter()
                class_status = grade([str(root / "class"), str(out), "--notebooks", *numbers])
                class_seconds = time.perf_counter() - start
        if (warm, class_status) != (0, 0):
            raise RuntimeError("make grade failed (is bubblewrap installed? see README)")
        with peak_memory_of_children() as single_memory:
            single_seconds = sum(run_or_fail(REPO / "student" / name) for name in names)
    graded = settings["class_size"] * len(names)
    return case(
        "grading",
        f"make grade: {settings['class_size']} students × {len(names)} notebooks, per notebook",
        f"each of the {len(names)} notebooks run once, per notebook",
        class_seconds / graded,
        single_seconds / len(names),
        None,
        device,
        class_seconds=class_seconds,
        jobs=os.cpu_count(),
        peak_bytes=class_memory["peak_bytes"],
        single_run_peak_bytes=single_memory["peak_bytes"],
    )


def cases_for(mode):
    """The cases a mode runs, in order: `all_training_images` only with --full."""
    cases = [data_pipeline, autograd_overhead, gram_vs_matvec, lecture_vs_minibatch, notebooks]
    cases.append(grading)
    return [*cases, all_training_images] if mode == "full" else cases


def machine_description(device):
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "device": str(device),
        "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
        "torch": torch.__version__,
        "python": platform.python_version(),
    }


def format_table(report):
    machine = report["machine"]
    lines = [
        (
            f"{machine['cpu']}, {machine['cores']} cores, device {machine['device']}, "
            f"torch {machine['torch']}"
        ),
        f"{'case':<22}{'a (s)':>10}{'b (s)':>10}{'a / b':>9}  {'goal':<7}{'met':<5}",
    ]
    for row in report["cases"]:
        met = {True: "yes", False: "NO", None: "-"}[row["meets_goal"]]
        lines.append(
            f"{row['name']:<22}{row['a_seconds']:>10.4f}{row['b_seconds']:>10.4f}"
            f"{row['ratio']:>9.2f}  {row['goal'] or '-':<7}{met:<5}"
        )
        if row["name"] == "gram_vs_matvec":
            lines.append(
                f"{'':<22}extra bytes: a {row['a_extra_bytes']:,}, b {row['b_extra_bytes']:,}, "
                f"ratio {row['memory_ratio']:.1f} (theory (8p² + 24p)/(8n + max(8n, 8p)) = "
                f"{row['theory_bytes']['ratio']:.1f})"
            )
        if row["name"] == "lecture_vs_minibatch":
            accuracies = ", ".join(
                f"{name} {100 * row['a_test_accuracy'][name]:.2f}% → "
                f"{100 * row['b_test_accuracy'][name]:.2f}%"
                for name in row["a_test_accuracy"]
            )
            lines.append(f"{'':<22}test accuracy, a → b: {accuracies}")
        if row["name"] == "notebooks":
            for name, seconds in row["per_notebook_seconds"].items():
                lines.append(f"{'':<22}{name:<40}{seconds:7.1f} s")
            lines.append(
                f"{'':<22}suite {row['total_seconds']:.1f} s ÷ floor {row['floor_seconds']:.1f} s"
                f" = {row['floor_ratio']:.2f} ({row['a']})"
            )
        if row["name"] == "grading":
            lines.append(
                f"{'':<22}{row['a']}: {row['class_seconds']:.0f} s in all, {row['jobs']} side by"
                f" side; peak memory {row['peak_bytes'] / 2**20:.0f} MiB (one run alone: "
                f"{row['single_run_peak_bytes'] / 2**20:.0f} MiB)"
            )
        if row["name"] == "all_training_images":
            lines.append(
                f"{'':<22}{row['images']:,} images; peak memory of the kernel: "
                f"a {row['a_peak_bytes'] / 2**30:.2f} GiB, b {row['b_peak_bytes'] / 2**30:.2f} GiB"
            )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", action="store_true", help="small sizes, notebook 01 alone")
    sizes.add_argument(
        "--full",
        action="store_true",
        help="the suite 5 times and the all_training_images case: half an hour or more",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this path")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full" if args.full else "default"
    settings = SETTINGS[mode]
    device = get_device()
    started = time.perf_counter()
    with one_thread():  # as notebook 05 trains; on a busy machine two threads wait on each other
        report = {"machine": machine_description(device), "mode": mode, "cases": []}
        for run_case in cases_for(mode):
            case_started = time.perf_counter()
            report["cases"].append(run_case(settings, device))
            seconds = time.perf_counter() - case_started
            print(f"benchmarks: {run_case.__name__}, {seconds:.0f} s", file=sys.stderr, flush=True)
    report["wall_seconds"] = time.perf_counter() - started
    for row in report["cases"]:
        assert math.isfinite(row["ratio"]) and row["ratio"] > 0, row
    print(format_table(report))
    print(f"(whole run: {report['wall_seconds']:.0f} s, {mode})")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {args.json}")
    return 0


def stoppable_main(argv=None):
    """`main`, stopped by SIGTERM as by Ctrl-C: every `finally` runs, no kernel is left."""
    raise_on_sigterm()
    try:
        return main(argv)
    except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM as `Stopped`
        stop_children()  # a kernel whose shutdown was cut short
        stopped = interrupt if isinstance(interrupt, Stopped) else Stopped(signal.SIGINT)
        print(f"benchmarks: {stopped}", file=sys.stderr)
        return stopped.exit_status


if __name__ == "__main__":
    sys.exit(stoppable_main())
