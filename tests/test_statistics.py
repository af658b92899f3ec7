"""helpers.statistics against published values of Student's t and the paired test by hand."""

import math

import pytest
import torch

from helpers.statistics import (
    detectable_difference,
    seeds_needed,
    separated,
    standard_error,
    t_quantile,
)

# 97.5% quantiles of Student's t (any t table; e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
TABLE = {1: 12.706, 2: 4.303, 4: 2.776, 9: 2.262, 19: 2.093, 30: 2.042, 100: 1.984}


@pytest.mark.parametrize("df, expected", TABLE.items())
def test_t_quantile_matches_the_table(df, expected):
    assert t_quantile(df) == pytest.approx(expected, abs=6e-4)


def test_other_probabilities_and_bad_arguments():
    assert t_quantile(10, 0.95) == pytest.approx(1.812, abs=6e-4)
    assert t_quantile(1, 0.75) == pytest.approx(1.0, abs=1e-6)  # Cauchy: tan(π/4)
    with pytest.raises(ValueError):
        t_quantile(0)
    with pytest.raises(ValueError):
        t_quantile(5, 1.0)


def test_the_paired_test_by_hand():
    difference = torch.tensor([0.5, 0.7, 0.6, 0.4, 0.8])
    error = standard_error(difference)
    assert error == pytest.approx(difference.double().std().item() / math.sqrt(5))
    assert separated(difference)  # mean 0.6 against 2.776 × 0.0707
    assert not separated(torch.tensor([0.5, -0.7, 0.6, -0.4, 0.1]))


def test_seeds_needed_is_the_first_n_that_passes():
    mean, spread = 0.1, 0.3
    n = seeds_needed(mean, spread, power=0.5)
    assert abs(mean) >= t_quantile(n - 1) * spread / math.sqrt(n)
    assert abs(mean) < t_quantile(n - 2) * spread / math.sqrt(n - 1)
    assert seeds_needed(0.0, 0.3) is None
    assert seeds_needed(1.0, 0.0) == 2
    assert seeds_needed(1e-6, 1.0, most=50) is None


@pytest.mark.parametrize("mean", [0.9, 0.1, 0.03])
@pytest.mark.parametrize("power", [0.5, 0.8])
def test_seeds_needed_finds_what_a_scan_of_every_n_finds(mean, power):
    def passes(n):
        margin = t_quantile(n - 1) + (t_quantile(n - 1, power) if power > 0.5 else 0.0)
        return mean >= margin * 0.3 / math.sqrt(n)

    first = next((n for n in range(2, 2_001) if passes(n)), None)
    assert seeds_needed(mean, 0.3, power=power, most=2_000) == first


def test_seeds_for_80_percent_power_pass_the_test_that_often():
    mean, spread = 0.1, 0.3
    n = seeds_needed(mean, spread)  # power 0.8 by default
    assert n > seeds_needed(mean, spread, power=0.5)
    generator = torch.Generator().manual_seed(0)
    trials = 2000
    differences = mean + spread * torch.randn(trials, n, generator=generator, dtype=torch.float64)
    passed = sum(separated(row) for row in differences) / trials
    assert 0.74 < passed < 0.88  # about 80%: the approximation and 2,000 trials' noise


def test_the_detectable_difference_is_what_seeds_needed_inverts():
    spread = 0.3
    for seeds in (5, 12, 50):
        smallest = detectable_difference(spread, seeds)
        assert seeds_needed(smallest * 1.0001, spread) <= seeds  # that large: these seeds do
        assert seeds_needed(smallest * 0.98, spread) > seeds  # a little smaller: they do not
    assert detectable_difference(spread, 50) < detectable_difference(spread, 5)
    with pytest.raises(ValueError):
        detectable_difference(spread, 1)
