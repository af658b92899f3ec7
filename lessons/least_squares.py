"""Generated from notebooks/04_least_squares_memory.ipynb (its cells tagged `export`) by
tools/lesson_modules.py: edit the notebook, never this file."""


def gram_gradient(X, y, w):
    """(a) Form XᵀX (p × p: O(p²) memory, O(np²) time) and Xᵀy, then XᵀX w − Xᵀy."""
    gram = X.T @ X  # (p, p)
    return gram @ w - X.T @ y


def matvec_gradient(X, y, w):
    """(b) Two matrix-vector products, Xᵀ(Xw − y): O(n + p) memory, O(np) time."""
    return X.T @ (X @ w - y)  # (n,) then (p,)


def autograd_gradient(X, y, w):
    """(c) `backward()` on f: the forward pass computes Xw, the backward pass Xᵀ times the
    gradient arriving at Xw: the same two matrix-vector products as (b)."""
    w = w.detach().requires_grad_(True)  # a leaf sharing w's memory
    (0.5 * ((X @ w - y) ** 2).sum()).backward()
    return w.grad


GRADIENT_METHODS = {
    "(a) Gram": gram_gradient,
    "(b) mat-vec": matvec_gradient,
    "(c) autograd": autograd_gradient,
}
