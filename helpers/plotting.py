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
    stem = name.removesuffix(".png")
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


def image_grid(images, titles: list[str], *, columns: int = 8, title: str | None = None):
    """A grid of grey-scale images `(N, H, W)` with one short title each (used for MNIST)."""
    count = len(titles)
    if count == 0 or len(images) < count:
        raise ValueError(
            f"need at least one image and one per title; got {len(images)} for {count}"
        )
    rows = -(-count // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.45 * columns, 1.75 * rows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < count:
            ax.imshow(images[index], cmap="gray_r", interpolation="nearest")
            ax.set_title(titles[index], fontsize=10)
    if title:
        fig.suptitle(title, fontsize=13)
    fig.tight_layout()
    return fig


def pipeline_diagram(stages: list[tuple[str, str]], *, title: str | None = None):
    """Boxes joined by arrows, left to right: `stages` is a list of (name, annotation)."""
    from matplotlib.patches import FancyBboxPatch

    fig, ax = plt.subplots(figsize=(2.3 * len(stages), 2.0))
    ax.set_xlim(0, len(stages))
    ax.set_ylim(0, 1)
    ax.axis("off")
    for i, (name, annotation) in enumerate(stages):
        box = FancyBboxPatch(
            (i + 0.1, 0.25),
            0.8,
            0.5,
            boxstyle="round,pad=0.02",
            facecolor="#dbeafe" if i in (0, len(stages) - 1) else "#fde68a",
            edgecolor="black",
        )
        ax.add_patch(box)
        ax.text(i + 0.5, 0.58, name, ha="center", va="center", fontsize=13, weight="bold")
        ax.text(i + 0.5, 0.38, annotation, ha="center", va="center", fontsize=12)
        if i + 1 < len(stages):
            ax.annotate(
                "",
                xy=(i + 1.1, 0.5),
                xytext=(i + 0.9, 0.5),
                arrowprops={"arrowstyle": "->", "lw": 2},
            )
    if title:
        ax.set_title(title)
    return fig
