"""benchmarks/run.py --quick produces the documented JSON. No timing thresholds here: timings
belong to the benchmark, not to CI."""

import json
import math
import os
import re
import subprocess
import sys

import pytest

from helpers.data import MNISTUnavailableError, load_mnist

# The quick run executes every notebook again (the notebooks case): `make slow-test` runs it.
pytestmark = pytest.mark.slow

CASE_NAMES = [
    "data_pipeline",
    "autograd_overhead",
    "gram_vs_matvec",
    "lecture_vs_minibatch",
    "notebooks",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory, repo):
    try:
        load_mnist("test")
    except MNISTUnavailableError as error:
        pytest.skip(f"MNIST is not available: {error}")
    path = tmp_path_factory.mktemp("bench") / "out.json"
    result = subprocess.run(
        [sys.executable, str(repo / "benchmarks" / "run.py"), "--quick", "--json", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "TQDM_DISABLE": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "data_pipeline" in result.stdout  # the table is printed too
    return json.loads(path.read_text())


def test_machine_is_described(report):
    for key in ("cpu", "cores", "device", "torch"):
        assert report["machine"][key]


def test_every_case_once_in_order(report):
    assert [case["name"] for case in report["cases"]] == CASE_NAMES


def test_every_case_compares_two_sides_with_a_positive_finite_ratio(report):
    for case in report["cases"]:
        assert isinstance(case["a"], str) and isinstance(case["b"], str) and case["a"] != case["b"]
        for key in ("a_seconds", "b_seconds", "ratio"):
            assert math.isfinite(case[key]) and case[key] > 0, (case["name"], key)
        assert case["ratio"] == pytest.approx(case["a_seconds"] / case["b_seconds"])
        assert case["device"] == report["machine"]["device"]


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


def test_goals_are_the_ones_contributing_md_states(report, repo):
    text = (repo / "CONTRIBUTING.md").read_text(encoding="utf-8")
    stated = {
        name: goal.replace("≥", ">=").replace("≤", "<=") for name, goal in STATED_GOAL.findall(text)
    }
    goals = {case["name"]: case["goal"] for case in report["cases"] if case["goal"] is not None}
    assert goals and all(stated.get(name) == goal for name, goal in goals.items()), (goals, stated)


def test_gram_case_reports_memory_against_theory(report):
    gram = report["cases"][2]
    assert gram["a_extra_bytes"] >= gram["theory_bytes"]["a"] > 0
    assert gram["b_extra_bytes"] > 0
    assert gram["theory_bytes"]["b"] == 8 * (gram["n"] + gram["p"])


def test_lecture_case_reports_test_accuracies(report):
    lecture = report["cases"][3]
    for side in ("a_test_accuracy", "b_test_accuracy"):
        assert set(lecture[side]) == {"Logistic", "SimpleNN"}
        assert all(0.5 < accuracy <= 1 for accuracy in lecture[side].values())


def test_notebooks_case_reports_each_notebook_and_the_total(report):
    suite = report["cases"][4]
    assert suite["per_notebook_seconds"] and all(
        s > 0 for s in suite["per_notebook_seconds"].values()
    )
    assert suite["total_seconds"] == pytest.approx(sum(suite["per_notebook_seconds"].values()))


def test_notebooks_case_measures_the_import_floor_beside_the_suite(report):
    suite = report["cases"][4]
    assert 0 < suite["floor_seconds"] == suite["b_seconds"]
    assert suite["floor_ratio"] == pytest.approx(suite["total_seconds"] / suite["floor_seconds"])
