"""Boxes left empty on a printed page, found in its pixels (tests/site/test_handout.py).

A box is a grey block as wide as half the page or more: a code or output block, a note. Its
rows are shaded from its left edge to its right, with text on the shade but almost no white (a
line of text with inline code in it has white between its shaded words; a graph's coloured node
is no box either). A box is empty when nothing dark is printed inside it, its border left aside:
a page break drew its background and border there and put its first line on the next page, or
put its padding alone on a page of its own. Pixels are 0-255 in three channels, in any order.
"""

from dataclasses import dataclass

import numpy as np

SHADE = (200, 249)  # a box's background: light grey, every channel in this range
GREY = 16  # ... and no channel more than this above another (a graph's coloured node is no box)
WHITE = 253  # the page: every channel at least this
INK = 160  # text, lines, a border: some channel below this
MIN_HEIGHT_MM = 2.0  # thinner: a rule, or the edge of a box
BORDER_MM = 1.5  # a box's border and rounded corners, never its content


@dataclass
class Box:
    top_mm: float
    height_mm: float


@dataclass
class Pixels:
    """A page's pixels as the finder sees them: each one's lightest and darkest channel."""

    lightest: np.ndarray
    darkest: np.ndarray

    @classmethod
    def of(cls, page: np.ndarray) -> "Pixels":
        channels = [page[..., channel] for channel in range(3)]  # faster than min(axis=2)
        return cls(np.minimum.reduce(channels), np.maximum.reduce(channels))

    def coloured(self) -> np.ndarray:
        return self.darkest - self.lightest > GREY  # uint8: darkest >= lightest, no wrap

    def shaded(self) -> np.ndarray:
        light = (self.lightest >= SHADE[0]) & (self.darkest <= SHADE[1])
        return light & ~self.coloured()


def count_between(mask: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """For each row, how many pixels of `mask` lie from column `first` to `last`, both in."""
    before = np.concatenate([np.zeros((mask.shape[0], 1), dtype=int), mask.cumsum(axis=1)], 1)
    rows = np.arange(mask.shape[0])
    return before[rows, last + 1] - before[rows, first]


def box_rows(pixels: Pixels, shade: np.ndarray) -> np.ndarray:
    """For each row of pixels, whether it crosses a box: from its first shaded pixel to its last,
    half the page's width or more, at most 2% of it white and less than 80% of it coloured (a
    coloured node is coloured through; a line of coloured code, even bold, is not)."""
    width = shade.shape[1]
    first = np.argmax(shade, axis=1)
    last = width - 1 - np.argmax(shade[:, ::-1], axis=1)
    span = last - first + 1
    whites = count_between(pixels.lightest >= WHITE, first, last)
    colours = count_between(pixels.coloured(), first, last)
    return (span >= width / 2) & (whites <= 0.02 * span) & (colours < 0.8 * span)


def empty_boxes(page: np.ndarray, dpi: float) -> list[Box]:
    """The boxes on a page (an RGB or BGR image, height × width × 3) with nothing in them."""
    mm = dpi / 25.4
    pixels = Pixels.of(page)
    shade = pixels.shaded()
    ink = pixels.lightest < INK
    rows = box_rows(pixels, shade)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], rows.astype(int), [0]])))
    empty = []
    for top, bottom in zip(edges[::2], edges[1::2]):
        if bottom - top < MIN_HEIGHT_MM * mm:
            continue
        columns = np.flatnonzero(shade[top:bottom].mean(axis=0) >= 0.5)
        if columns.size == 0:
            continue  # shaded rows that do not line up: no box
        border = round(BORDER_MM * mm)
        inside = ink[
            top + round(mm) : bottom - round(mm), columns[0] + border : columns[-1] - border + 1
        ]
        if not inside.any():
            empty.append(Box(top_mm=top / mm, height_mm=(bottom - top) / mm))
    return empty
