"""One plotting style for every lecture figure, `save_figure` that writes it to `figures/`, and
the table of the figures the lecture's slides show, with the place each one gets there.

A slide figure is drawn at the size of its place (`slide_figsize`), so that its fonts appear on
the slide at the size they were set, and saved at `SAVE_DPI` with the dpi recorded in the PNG.
"""

import io
import re
from dataclasses import dataclass
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
SAVE_DPI = 200
_FIGURE_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")

# Colours used across notebooks so that "manual" and "autograd" look the same everywhere.
COLORS = {"function": "#1f77b4", "manual": "#2ca02c", "autograd": "#d62728", "accent": "#ff7f0e"}


# The lecture's slides are 1280 x 720 px; a figure in one column of a two-column slide is drawn
# at a fixed height and may be at most this wide.
HALF_COLUMN_PX = 532
SCREEN_PX_PER_INCH = 96  # what the browser rendering the slides calls an inch


@dataclass(frozen=True)
class SlideSlot:
    """Where a slide shows a figure: `height_px` high in a half column (at most `HALF_COLUMN_PX`
    wide), or as a background filling `background_percent` of the slide."""

    slide: str
    height_px: int | None = None
    background_percent: int | None = None

    @property
    def max_aspect(self) -> float | None:
        """Widest width / height that fits the half column at that height."""
        return None if self.height_px is None else HALF_COLUMN_PX / self.height_px


# Every figure of ../shared/lecture/lecture.md, by file name (the lecture's README lists them).
SLIDE_FIGURES = {
    "polynomial_gradient": SlideSlot("f(x) = x^3 - 3x plot", background_percent=70),
    "polynomial_computation": SlideSlot("The graph", background_percent=40),
    "graph_backward": SlideSlot("Backward Pass: Computing Gradients", height_px=300),
    "chain_rule": SlideSlot("The Chain Rule: A Visual Guide", height_px=300),
    "least_squares_computation": SlideSlot("The Least Squares Graph: Step by Step", height_px=400),
    "network_architecture": SlideSlot("Building Neural Networks: The Architecture", height_px=300),
    "mnist_examples": SlideSlot("MNIST Classification: The Task", height_px=300),
    "mnist_training_curves": SlideSlot("Results Analysis", height_px=300),
}


def column_slot(name: str) -> SlideSlot | None:
    """The slot of a figure shown in a slide column, or None (a background or no slide)."""
    slot = SLIDE_FIGURES.get(name)
    return slot if slot is not None and slot.height_px is not None else None


def slide_figsize(name: str, width_fraction: float = 1.0) -> tuple[float, float]:
    """Figure size in inches of a column figure drawn at its slot's size: the slot's height,
    and `width_fraction` of the half column's width."""
    slot = column_slot(name)
    if slot is None:
        raise ValueError(f"{name!r} is not shown in a slide column: it has no slot size")
    return (
        width_fraction * HALF_COLUMN_PX / SCREEN_PX_PER_INCH,
        slot.height_px / SCREEN_PX_PER_INCH,
    )


def png_with_dpi(png: bytes, dpi: int = SAVE_DPI) -> bytes:
    """The same image with its dpi recorded (a pHYs chunk), so that slides and documents know
    its physical size. Graphviz's PNGs lack it; matplotlib's have it."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


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
    """Write `fig` to `figures/<name>.png` at `SAVE_DPI` and return the path.

    A slide figure keeps exactly the size it was drawn at (its slot's); any other figure is
    cropped to its content. The PNG carries no timestamp or version metadata, so rerunning a
    notebook on the same machine rewrites the same bytes and `git status` stays clean.
    """
    path = figure_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    column_figure = column_slot(path.stem) is not None
    fig.savefig(
        path,
        dpi=SAVE_DPI,
        format="png",
        metadata={"Software": None},
        bbox_inches=fig.bbox_inches if column_figure else "tight",  # the whole figure, uncropped
    )
    return path


def image_grid(
    images,
    titles: list[str],
    *,
    columns: int = 8,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
):
    """A grid of grey-scale images `(N, H, W)` with one short title each (used for MNIST).
    `figsize` defaults to about 1.45 x 1.75 inches a cell."""
    count = len(titles)
    if count == 0 or len(images) < count:
        raise ValueError(
            f"need at least one image and one per title; got {len(images)} for {count}"
        )
    rows = -(-count // columns)
    figsize = figsize or (1.45 * columns, 1.75 * rows)
    fig, axes = plt.subplots(rows, columns, figsize=figsize, squeeze=False, layout="constrained")
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < count:
            ax.imshow(images[index], cmap="gray_r", interpolation="nearest")
            ax.set_title(titles[index], fontsize=11)
    if title:
        fig.suptitle(title, fontsize=13)
    return fig


def pipeline_diagram(
    stages: list[tuple[str, str]],
    *,
    title: str | None = None,
    figsize: tuple[float, float] = (3.4, 3.1),
):
    """Boxes joined by arrows, top to bottom: `stages` is a list of (name, annotation), each
    box showing its name in bold and its annotation beside it."""
    from matplotlib.patches import FancyBboxPatch

    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
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
