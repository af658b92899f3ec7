"""The place each figure of the lecture's slides gets there, by the figure's file name. Only
`helpers.plotting.save_figure` and `helpers.graphs.show_graph` read this table: a figure saved
under one of these names is drawn at its place's size, so its fonts appear on the slide at the
size they were set. The lecture's README (../shared/lecture) lists the same places.
"""

from dataclasses import dataclass

HALF_COLUMN_PX = 532  # one column of a two-column slide of 1280 x 720 px
PX_PER_INCH = 96  # what the browser that renders the slides calls an inch


@dataclass(frozen=True)
class Slot:
    """`height_px` high in a half column, the drawing filling `width` of the column; or behind
    the slide, filling `background_percent` of it, drawn `inches` large when given."""

    height_px: int | None = None
    width: float = 1.0
    background_percent: int | None = None
    inches: tuple[float, float] | None = None

    @property
    def figsize(self) -> tuple[float, float] | None:
        """The figure's size in inches, or None where the drawing chooses it."""
        if self.height_px is None:
            return self.inches
        return self.width * HALF_COLUMN_PX / PX_PER_INCH, self.height_px / PX_PER_INCH


SLOTS = {
    "polynomial_gradient": Slot(background_percent=70, inches=(7.5, 4.5)),
    "polynomial_computation": Slot(background_percent=40),
    "graph_backward": Slot(height_px=300),
    "chain_rule": Slot(height_px=300),
    "least_squares_computation": Slot(height_px=400),
    "network_architecture": Slot(height_px=300, width=0.62),
    "mnist_examples": Slot(height_px=300, width=0.95),
    "mnist_training_curves": Slot(height_px=300),
}
