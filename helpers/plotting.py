"""One plotting style for every lecture figure, and `save_figure` that writes it to `figures/`."""

import re
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

from helpers.paths import figures_dir

# Readable when projected: larger fonts, light grid, no top/right spines.
LECTURE_STYLE = {
    "figure.figsize": (7.0, 4.2),
    "figure.dpi": 100,
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "legend.fontsize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "savefig.bbox": "tight",
}
SAVE_DPI = 150
_FIGURE_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")

# Colours used across notebooks so that "manual" and "autograd" look the same everywhere.
COLORS = {"function": "#1f77b4", "manual": "#2ca02c", "autograd": "#d62728", "accent": "#ff7f0e"}


def use_lecture_style() -> None:
    """Apply the lecture style to every figure made after this call."""
    matplotlib.rcParams.update(LECTURE_STYLE)


def figure_path(name: str) -> Path:
    """`figures/<name>.png`, after checking that `name` is a plain file name."""
    stem = name[:-4] if name.endswith(".png") else name
    if not _FIGURE_NAME.match(stem):
        raise ValueError(
            f"Figure name {name!r} must be a plain name such as 'polynomial_gradient' "
            "(letters, digits, '_' or '-'; no folders)."
        )
    return figures_dir() / f"{stem}.png"


def save_figure(fig: matplotlib.figure.Figure, name: str) -> Path:
    """Write `fig` to `figures/<name>.png` at 150 dpi and return the path.

    The PNG carries no timestamp or version metadata, so rerunning a notebook on the same
    machine rewrites the same bytes and `git status` stays clean.
    """
    path = figure_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=SAVE_DPI, format="png", metadata={"Software": None})
    return path
