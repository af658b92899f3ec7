"""One plotting style for every lecture figure, and `save_figure`, which writes a figure to
`figures/`. A figure the slides show is given the size of its place there (`helpers.slides`)
when it is saved, so a lesson draws it with a plain `plt.subplots(...)`.
"""

import re
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt

from helpers.paths import display_path, figures_dir
from helpers.slides import SLOTS

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
SAVE_DPI = 200
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
    """Write `fig` to `figures/<name>.png` at `SAVE_DPI`, say where, and return the path.

    A figure the slides show first gets its place's size (with a constrained layout, the layout
    follows); one in a slide column is saved whole at that size, any other figure is cropped to
    its content. The PNG carries no timestamp or version metadata, so rerunning a notebook on
    the same machine rewrites the same bytes and `git status` stays clean.
    """
    path = figure_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    slot = SLOTS.get(path.stem)
    if slot is not None and slot.figsize is not None:
        fig.set_size_inches(slot.figsize)
    in_column = slot is not None and slot.height_px is not None
    fig.savefig(
        path,
        dpi=SAVE_DPI,
        format="png",
        metadata={"Software": None},
        bbox_inches=fig.bbox_inches if in_column else "tight",  # the whole figure, uncropped
    )
    print(f"saved {display_path(path)}")
    return path


def image_grid(images, titles: list[str], *, columns: int = 8, title: str | None = None):
    """A grid of grey-scale images `(N, H, W)` with one short title each (used for MNIST),
    about 1.45 x 1.75 inches a cell."""
    count = len(titles)
    if count == 0 or len(images) < count:
        raise ValueError(
            f"need at least one image and one per title; got {len(images)} for {count}"
        )
    rows = -(-count // columns)
    size = (1.45 * columns, 1.75 * rows)
    fig, axes = plt.subplots(rows, columns, figsize=size, squeeze=False, layout="constrained")
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < count:
            ax.imshow(images[index], cmap="gray_r", interpolation="nearest")
            ax.set_title(titles[index], fontsize=11)
    if title:
        fig.suptitle(title, fontsize=13)
    return fig


def pipeline_diagram(stages: list[tuple[str, str]], *, title: str | None = None):
    """Boxes joined by arrows, top to bottom: `stages` is a list of (name, annotation), each
    box showing its name in bold and its annotation beside it."""
    from matplotlib.patches import FancyBboxPatch

    fig, ax = plt.subplots(figsize=(3.4, 3.1), layout="constrained")
    count = len(stages)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, count)
    ax.axis("off")
    for i, (name, annotation) in enumerate(stages):
        bottom = count - 1 - i + 0.2  # the first stage at the top
        ends = i in (0, count - 1)
        box = FancyBboxPatch(
            (0.04, bottom),
            0.92,
            0.6,
            boxstyle="round,pad=0.02",
            facecolor="#dbeafe" if ends else "#fde68a",
            edgecolor="black",
        )
        ax.add_patch(box)
        ax.text(0.08, bottom + 0.3, name, ha="left", va="center", fontsize=12, weight="bold")
        ax.text(0.92, bottom + 0.3, annotation, ha="right", va="center", fontsize=12)
        if i + 1 < count:
            ax.annotate(
                "",
                xy=(0.5, bottom - 0.38),
                xytext=(0.5, bottom - 0.02),
                arrowprops={"arrowstyle": "->", "lw": 1.8},
            )
    if title:
        ax.set_title(title, fontsize=11)
    return fig
