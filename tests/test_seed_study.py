"""The seed study behind notebook 05 (helpers/seed_study.json, written by benchmarks/seed_study.py):
it was run on today's design, replicate 0 is the notebook's own run, every replicate meets every
bound of the notebook's appendix, and the ranges the notebook's text quotes say what it says."""

import collections
import operator

import pytest
import torch

from helpers.seed_runs import SEED_STUDY, load_seed_study
from helpers.statistics import separated
from lessons import mnist_models as lesson

RELATIONS = {"<": operator.lt, "<=": operator.le, "==": operator.eq, ">=": operator.ge,
             ">": operator.gt}  # fmt: skip


@pytest.fixture(scope="module")
def study():
    return load_seed_study()


def test_the_study_ran_today_s_design(study):
    from benchmarks.seed_study import design

    assert study["design"] == design(), (
        "notebook 05's grids, seeds or budget changed since the seed study ran: rerun "
        "`python benchmarks/seed_study.py --json helpers/seed_study.json`"
    )
    assert study["replicates"] >= 10


def test_replicate_0_is_the_notebook_s_own_seeds(study):
    first = study["replicates_detail"][0]["seeds"]
    assert first == {
        "part A": 0,
        "tuning": list(lesson.TUNING_SEEDS),
        "report": list(lesson.REPORT_SEEDS),
    }
    seeds = [seed for r in study["replicates_detail"] for seed in r["seeds"]["tuning"]]
    seeds += [seed for r in study["replicates_detail"] for seed in r["seeds"]["report"]]
    assert len(seeds) == len(set(seeds)), "replicates share no seed"


def test_every_replicate_meets_every_bound(study):
    for index, replicate in enumerate(study["replicates_detail"]):
        claims = replicate["claims"]
        assert set(claims) == set(lesson.SEED_STUDY_BOUNDS), "a claim without a bound, or back"
        for claim, (relation, bound) in lesson.SEED_STUDY_BOUNDS.items():
            value = round(claims[claim], 6)
            assert RELATIONS[relation](value, bound), f"replicate {index}: {claim} = {value:.4g}"


def test_the_paired_tests_the_notebook_quotes_say_what_its_text_says(study):
    part_a, loop = study["part_a"], study["slides_loop"]
    gaps = torch.tensor([run["SimpleNN"]["gap"] - run["Logistic"]["gap"] for run in part_a])
    assert not separated(gaps), "Part A: the paired test cannot tell the two gaps apart"
    leads = torch.tensor([run["SimpleNN"] - run["Logistic"] for run in loop])
    assert separated(leads), "the slides' loop: the network's lead is separated"
    assert 0 < leads.mean() < 0.005, "the slides' loop: the lead is a few of 1,000 images"
    part_a_leads = [run["SimpleNN"]["validation"] - run["Logistic"]["validation"] for run in part_a]
    assert leads.mean() < min(part_a_leads) / 5, "a small fraction of Part A's lead"


def test_the_step_choices_the_notebook_quotes_say_what_its_text_says(study):
    """Section 6: the tail averages' best steps never moved over the replicates; SGD's last
    iterate's did. Section 8: the network chosen on validation changes with the seeds."""
    chosen = collections.defaultdict(set)
    for replicate in study["replicates_detail"]:
        for scoring, best in replicate["best steps"].items():
            for name, step in best.items():
                chosen[scoring, name].add(step)
    assert all(len(chosen["tail average", name]) == 1 for name in lesson.STOCHASTIC)
    assert len(chosen["last iterate", "SGD"]) > 1
    networks = {replicate["network chosen"] for replicate in study["replicates_detail"]}
    assert {"SGD", "momentum 0.9"} <= networks


def test_the_study_ships_with_the_helpers_package():
    pyproject = (SEED_STUDY.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert f'helpers = ["{SEED_STUDY.name}"]' in pyproject  # [tool.setuptools.package-data]
    assert SEED_STUDY.parent.name == "helpers" and SEED_STUDY.is_file()
