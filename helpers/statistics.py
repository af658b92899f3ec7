"""Paired comparisons over seeds (notebook 05): Student's t quantile, the paired t-test the
notebook states, and how many seeds a difference of a given size would need to pass it.

The quantile is computed here, from the t distribution's CDF (a regularised incomplete beta
function), so that a notebook can ask for any number of seeds without a printed table or a SciPy
dependency.
"""

import math
from functools import cache

import torch


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), by its continued fraction (modified
    Lentz's method, as in Numerical Recipes, section 6.4)."""
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0
    if x > (a + 1) / (a + b + 2):  # the fraction converges fast on this side only
        return 1.0 - _incomplete_beta(b, a, 1.0 - x)
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return front * fraction / a


def _t_cdf(x: float, df: int) -> float:
    """P(T <= x) for Student's t with `df` degrees of freedom, x >= 0."""
    return 1.0 - 0.5 * _incomplete_beta(df / 2, 0.5, df / (df + x * x))


@cache
def t_quantile(df: int, probability: float = 0.975) -> float:
    """The `probability` quantile of Student's t with `df` degrees of freedom (0.975: the bound
    of a two-sided test at the 5% level)."""
    if df < 1 or not 0.5 <= probability < 1:
        raise ValueError(f"need df >= 1 and 0.5 <= probability < 1, got {df}, {probability}")
    low, high = 0.0, 1.0
    while _t_cdf(high, df) < probability:
        high *= 2
    for _ in range(64):
        middle = (low + high) / 2
        low, high = (middle, high) if _t_cdf(middle, df) < probability else (low, middle)
    return (low + high) / 2


def standard_error(difference: torch.Tensor) -> float:
    """Of the mean of seed-by-seed differences `(seeds,)`: their standard deviation over √seeds."""
    return difference.double().std().item() / math.sqrt(len(difference))


def separated(difference: torch.Tensor) -> bool:
    """Paired t-test at the 5% level, two-sided: does the mean of these seed-by-seed differences
    exceed t × its standard error?"""
    mean = difference.double().mean().item()
    return abs(mean) > t_quantile(len(difference) - 1) * standard_error(difference)


def detectable_difference(spread: float, seeds: int, power: float = 0.8) -> float:
    """The smallest true mean difference that a paired t-test at 5% over `seeds` seeds separates
    with probability about `power`, for a seed-to-seed standard deviation `spread`:
    (t(n − 1, 0.975) + t(n − 1, power)) · spread / √n. Unlike `seeds_needed`, it does not rest on
    the observed mean, which a few seeds measure poorly."""
    if seeds < 2:
        raise ValueError("a paired test needs at least 2 seeds")
    margin = t_quantile(seeds - 1) + (t_quantile(seeds - 1, power) if power > 0.5 else 0.0)
    return margin * spread / math.sqrt(seeds)


def seeds_needed(mean: float, spread: float, power: float = 0.8, most: int = 10_000) -> int | None:
    """The fewest seeds n (at least 2) at which a paired t-test at 5% separates a true mean
    difference `mean`, with seed-to-seed standard deviation `spread`, with probability about
    `power`: |mean| ≥ (t(n − 1, 0.975) + t(n − 1, power)) · spread / √n, the usual approximation
    (power 0.5: the n at which the observed mean would just pass). None when no n up to `most`
    does; a zero mean never does."""
    if mean == 0:
        return None
    if spread == 0:
        return 2

    def enough(n: int) -> bool:
        margin = t_quantile(n - 1) + (t_quantile(n - 1, power) if power > 0.5 else 0.0)
        return abs(mean) >= margin * spread / math.sqrt(n)

    if not enough(most):
        return None
    low, high = 1, most  # not enough(low) (1 seed never is), enough(high)
    while high - low > 1:  # the margin / √n falls as n grows, so bisection finds the fewest
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high
