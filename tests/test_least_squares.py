import pytest
import torch

from helpers.memory import peak_extra_bytes
from lessons.least_squares import GRADIENT_METHODS, gram_gradient, matvec_gradient


@pytest.fixture
def problem():
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(50, 7, dtype=torch.float64, generator=generator)
    y = torch.randn(50, dtype=torch.float64, generator=generator)
    w = torch.randn(7, dtype=torch.float64, generator=generator)
    return X, y, w


@pytest.mark.parametrize("name", list(GRADIENT_METHODS))
def test_every_method_matches_torch_autograd_of_the_loss(problem, name):
    X, y, w = problem
    leaf = w.clone().requires_grad_(True)
    torch.nn.functional.mse_loss(X @ leaf, y, reduction="sum").backward()  # = ‖Xw − y‖²
    expected = leaf.grad / 2  # f = ½‖Xw − y‖²
    assert torch.allclose(GRADIENT_METHODS[name](X, y, w), expected, rtol=1e-12, atol=1e-12)


def test_autograd_gradient_leaves_w_untouched(problem):
    X, y, w = problem
    before = w.clone()
    GRADIENT_METHODS["(c) autograd"](X, y, w)
    assert torch.equal(w, before) and not w.requires_grad and w.grad is None


def test_gram_route_allocates_p_squared_and_matvec_does_not():
    n, p = 400, 120
    X = torch.randn(n, p, dtype=torch.float64)
    y = torch.randn(n, dtype=torch.float64)
    w = torch.randn(p, dtype=torch.float64)
    assert peak_extra_bytes(lambda: gram_gradient(X, y, w)) >= 8 * p * p
    assert peak_extra_bytes(lambda: matvec_gradient(X, y, w)) < 8 * p * p
