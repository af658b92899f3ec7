"""benchmarks/run.py: which cases each mode runs, how the notebooks case pairs every notebook
with the floor kernel, and (slow) that `--quick` produces the documented JSON and stops on
SIGTERM. No timing thresholds here: timings belong to the benchmark, not to CI."""

import importlib.util
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import time

import nbformat
import pytest

from helpers.data import MNISTUnavailableError, load_mnist
from tests.interrupting import (
    descendants,
    kernels_among,
    start_in_own_session,
    stop_and_check,
    wait_for,
)

CASE_NAMES = [
    "data_pipeline",
    "autograd_overhead",
    "gram_vs_matvec",
    "lecture_vs_minibatch",
    "notebooks",
    "grading",
]


@pytest.fixture(scope="module")
def bench(repo):
    """benchmarks/run.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("benchmarks_run", repo / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def recorded_cases(bench, monkeypatch):
    """Every case replaced by one that records its name and settings and returns a dummy row."""
    calls = []

    def recording(name):
        def run_case(settings, device):
            calls.append((name, settings))
            return bench.case("dummy", "a", "b", 2.0, 1.0, None, device)

        run_case.__name__ = name
        return run_case

    for name in [*CASE_NAMES, "all_training_images"]:
        monkeypatch.setattr(bench, name, recording(name))
    return calls


@pytest.mark.parametrize(
    "flags, mode, long_case",
    [([], "default", False), (["--full"], "full", True), (["--quick"], "quick", False)],
)
def test_each_mode_runs_its_cases_in_order(bench, recorded_cases, tmp_path, flags, mode, long_case):
    """All modes run the same six cases; only --full adds the all-training-images case."""
    out = tmp_path / "out.json"
    assert bench.main([*flags, "--json", str(out)]) == 0
    names = [name for name, _ in recorded_cases]
    assert names == CASE_NAMES + (["all_training_images"] if long_case else [])
    report = json.loads(out.read_text())
    assert report["mode"] == mode and len(report["cases"]) == len(names)
    assert report["machine"]["torch_threads"] == 1  # the cases run on one thread


def test_the_default_run_is_full_size_with_fewer_passes_of_the_suite(bench, recorded_cases):
    """`make bench` measures every claim at --full's sizes, and only runs the notebooks fewer
    times (and leaves out all_training_images); --quick shrinks everything."""
    settings = {}
    for flags in ([], ["--full"], ["--quick"]):
        recorded_cases.clear()
        bench.main(flags)
        settings[tuple(flags)] = dict(recorded_cases)["notebooks"]
    default, full, quick = settings[()], settings[("--full",)], settings[("--quick",)]
    assert 1 <= default["suite_passes"] < full["suite_passes"]
    the_class = {"suite_passes": None, "class_size": None, "graded_notebooks": None}
    assert {**default, **the_class} == {**full, **the_class}
    assert default["notebooks"] is None and quick["notebooks"]  # all of them, or a few
    # --full grades a class of 30 students on all five notebooks; the default a small one.
    assert full["class_size"] == 30 and full["graded_notebooks"] is None
    assert 1 < default["class_size"] < full["class_size"] and default["graded_notebooks"]


def test_quick_and_full_exclude_each_other(bench, recorded_cases, capsys):
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--quick", "--full"])
    assert exit_.value.code == 2 and "not allowed with" in capsys.readouterr().err
    assert recorded_cases == []


def test_notebooks_case_runs_each_notebook_then_the_floor_and_takes_medians(
    bench, monkeypatch, tmp_path
):
    """Each pass of a notebook is followed by the floor kernel (both see the same machine
    state); each notebook's time is the median of its passes, the floor is one median floor
    kernel per notebook."""
    paths = [tmp_path / "01_first.ipynb", tmp_path / "02_second.ipynb"]
    monkeypatch.setattr(bench, "default_notebooks", lambda: paths)
    runs, floor_times = [], iter([1.0, 5.0, 2.0, 2.0, 9.0, 2.0])
    notebook_times = {
        "01_first.ipynb": iter([10.0, 30.0, 20.0]),
        "02_second.ipynb": iter([4.0] * 3),
    }

    def fake_run(path):
        runs.append(path.name)
        assert path.exists() or path in paths  # the floor notebook is written before it runs
        return next(floor_times) if path.name == "floor.ipynb" else next(notebook_times[path.name])

    monkeypatch.setattr(bench, "run_or_fail", fake_run)
    row = bench.notebooks({"notebooks": None, "suite_passes": 3}, "cpu")
    assert runs == 3 * ["01_first.ipynb", "floor.ipynb"] + 3 * ["02_second.ipynb", "floor.ipynb"]
    assert row["per_notebook_seconds"] == {"01_first.ipynb": 20.0, "02_second.ipynb": 4.0}
    assert row["a_seconds"] == row["total_seconds"] == 24.0
    assert row["b_seconds"] == row["floor_seconds"] == 2 * statistics.median([1, 5, 2, 2, 9, 2])
    assert row["floor_ratio"] == row["ratio"] == 24.0 / 4.0
    assert row["goal"] == bench.SUITE_OVER_FLOOR_GOAL

    runs.clear()
    notebook_times["02_second.ipynb"] = iter([7.0])
    floor_times = iter([1.0])
    row = bench.notebooks({"notebooks": ["02_second.ipynb"], "suite_passes": 1}, "cpu")
    assert runs == ["02_second.ipynb", "floor.ipynb"]
    assert row["goal"] is None  # the goal is for the whole suite


HELPERS_IMPORT = re.compile(r"^\s*(?:from|import)\s+(helpers\.\w+)", re.MULTILINE)


def test_the_floor_imports_what_the_notebooks_import_from_helpers(bench, tmp_path):
    """The floor kernel's cell runs outside the repository and loads every helpers module a
    notebook imports. A few seconds (torch and matplotlib)."""
    imported = set()
    for path in bench.default_notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                imported.update(HELPERS_IMPORT.findall(cell.source))
    assert imported
    script = bench.FLOOR_SOURCE + "\nimport sys\nprint(*sorted(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert imported <= set(result.stdout.split())


def mnist_or_skip():
    try:
        load_mnist("test")
    except MNISTUnavailableError as error:
        pytest.skip(f"MNIST is not available: {error}")


@pytest.fixture(scope="module")
def report(tmp_path_factory, repo):
    """One `--quick` run: it executes notebook 01 again, so the tests that read it are slow."""
    mnist_or_skip()
    path = tmp_path_factory.mktemp("bench") / "out.json"
    result = subprocess.run(
        [sys.executable, str(repo / "benchmarks" / "run.py"), "--quick", "--json", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "TQDM_DISABLE": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "data_pipeline" in result.stdout and "suite" in result.stdout  # the table too
    return json.loads(path.read_text())


@pytest.mark.slow
def test_machine_is_described(report):
    for key in ("cpu", "cores", "device", "torch"):
        assert report["machine"][key]


@pytest.mark.slow
def test_every_case_once_in_order(report):
    assert report["mode"] == "quick"
    assert [case["name"] for case in report["cases"]] == CASE_NAMES


@pytest.mark.slow
def test_every_case_compares_two_sides_with_a_positive_finite_ratio(report):
    for case in report["cases"]:
        assert isinstance(case["a"], str) and isinstance(case["b"], str) and case["a"] != case["b"]
        for key in ("a_seconds", "b_seconds", "ratio"):
            assert math.isfinite(case[key]) and case[key] > 0, (case["name"], key)
        assert case["ratio"] == pytest.approx(case["a_seconds"] / case["b_seconds"])
        assert case["device"] == report["machine"]["device"]


@pytest.mark.slow
def test_a_goal_is_met_exactly_when_the_ratio_is_on_its_side(report):
    for case in report["cases"]:
        if case["goal"] is None:
            assert case["meets_goal"] is None, case["name"]
            continue
        operator, bound = case["goal"].split()
        expected = (
            case["ratio"] >= float(bound) if operator == ">=" else case["ratio"] <= float(bound)
        )
        assert operator in (">=", "<=") and case["meets_goal"] is expected, case["name"]


# A row of CONTRIBUTING.md's benchmark table with a goal: | `data_pipeline` | ... | ≥ 7: met |
STATED_GOAL = re.compile(r"^\| `(\w+)` \|.*\| ([≥≤] [\d.]+): (?:not )?met \|$", re.MULTILINE)


@pytest.mark.slow
def test_goals_are_the_ones_contributing_md_states(report, repo):
    text = (repo / "CONTRIBUTING.md").read_text(encoding="utf-8")
    stated = {
        name: goal.replace("≥", ">=").replace("≤", "<=") for name, goal in STATED_GOAL.findall(text)
    }
    goals = {case["name"]: case["goal"] for case in report["cases"] if case["goal"] is not None}
    assert goals and all(stated.get(name) == goal for name, goal in goals.items()), (goals, stated)


@pytest.mark.slow
def test_gram_case_reports_memory_against_theory(report):
    gram = report["cases"][2]
    n, p = gram["n"], gram["p"]
    assert gram["theory_bytes"]["a"] == 8 * p * p + 24 * p
    assert gram["theory_bytes"]["b"] == 8 * n + max(8 * n, 8 * p)
    for side in ("a", "b"):  # the CPU counts each tensor's own bytes: the theory to the byte
        measured, theory = gram[f"{side}_extra_bytes"], gram["theory_bytes"][side]
        assert measured == theory if gram["device"] == "cpu" else measured >= theory


@pytest.mark.slow
def test_lecture_case_reports_test_accuracies(report):
    lecture = report["cases"][3]
    for side in ("a_test_accuracy", "b_test_accuracy"):
        assert set(lecture[side]) == {"Logistic", "SimpleNN"}
        assert all(0.5 < accuracy <= 1 for accuracy in lecture[side].values())


@pytest.mark.slow
def test_notebooks_case_reports_each_notebook_and_the_floor_beside_it(report):
    suite = report["cases"][4]
    assert list(suite["per_notebook_seconds"]) == ["01_polynomial_gradient.ipynb"]
    assert all(s > 0 for s in suite["per_notebook_seconds"].values())
    assert suite["total_seconds"] == pytest.approx(sum(suite["per_notebook_seconds"].values()))
    assert 0 < suite["floor_seconds"] == suite["b_seconds"]
    assert suite["floor_ratio"] == pytest.approx(suite["total_seconds"] / suite["floor_seconds"])


@pytest.mark.slow
def test_sigterm_stops_the_benchmark_and_its_kernel_within_seconds(repo, tmp_path):
    """A time limit stops `make bench` in its notebooks case: the kernel is killed, nothing is
    written, the exit status says SIGTERM (tests/interrupting.py). Under a minute."""
    mnist_or_skip()
    out, output = tmp_path / "out.json", tmp_path / "output.txt"
    command = [sys.executable, str(repo / "benchmarks" / "run.py"), "--quick", "--json", str(out)]
    process = start_in_own_session(command, repo, output)
    kernels = wait_for(lambda: kernels_among(descendants(process)), process, output, timeout=300)
    time.sleep(1)  # the kernel is starting or running notebook 01 by now
    seconds = stop_and_check(process, kernels, output)
    assert process.returncode == 128 + signal.SIGTERM, output.read_text()
    assert "benchmarks: stopped by SIGTERM" in output.read_text()
    assert not out.exists() and seconds < 10
