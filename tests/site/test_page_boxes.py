"""The empty-box finder of the handout's test (tests/site/page_boxes.py) on drawn pages: it must
report a box with nothing in it, and only that."""

import numpy as np

from tests.site.page_boxes import empty_boxes

DPI = 100
MM = DPI / 25.4
GREY, DARK = 247, 40


def page_with(*boxes) -> np.ndarray:
    """A white A4 page at DPI; each box is (top mm, height mm, left mm, right mm)."""
    page = np.full((round(297 * MM), round(210 * MM), 3), 255, dtype=np.uint8)
    for top, height, left, right in boxes:
        rows = slice(round(top * MM), round((top + height) * MM))
        page[rows, round(left * MM) : round(right * MM)] = GREY
    return page


def write_a_line(page, top_mm, left_mm, right_mm):
    """Dark strokes, one every 2 mm, like the glyphs of a line of code."""
    y0, y1 = round(top_mm * MM), round((top_mm + 2.5) * MM)
    for x in np.arange(left_mm, right_mm, 2.0):
        page[y0:y1, round(x * MM) : round(x * MM) + 2] = DARK


def test_a_box_with_nothing_in_it_is_found_where_it_is():
    page = page_with((220, 60, 14, 196))
    [box] = empty_boxes(page, DPI)
    assert abs(box.top_mm - 220) < 0.5 and abs(box.height_mm - 60) < 0.5


def test_a_box_with_a_line_in_it_is_not_empty():
    page = page_with((220, 60, 14, 196))
    write_a_line(page, 224, 20, 80)
    assert empty_boxes(page, DPI) == []


def test_a_border_alone_is_not_content():
    """The cell's green border, down its left side and round its top corner into the shade."""
    page = page_with((220, 60, 14, 196))
    green, top, left = (0, 128, 0), round(220 * MM), round(14 * MM)
    page[top : round(280 * MM), left : left + 3] = green
    page[top : top + 3, left : left + round(1.2 * MM)] = green
    assert len(empty_boxes(page, DPI)) == 1


def test_only_a_grey_box_counts_not_text_with_inline_code_a_rule_or_a_coloured_node():
    page = page_with((40, 5, 20, 60), (40, 5, 70, 110), (40, 5, 120, 180), (100, 1, 14, 196))
    assert empty_boxes(page, DPI) == []
    page = page_with((40, 5, 20, 180))  # the same line as one shaded block: a box
    assert len(empty_boxes(page, DPI)) == 1
    node = page_with()  # a graph's pale blue node, its outline grey where it is smoothed
    rows, left, right = slice(round(120 * MM), round(140 * MM)), round(30 * MM), round(180 * MM)
    node[rows, left:right] = (220, 235, 255)
    node[rows, [left - 1, right]] = GREY
    assert empty_boxes(node, DPI) == []


def test_a_wide_line_of_inline_code_in_colour_is_one_box_with_text_in_it():
    """On narrow paper a line of inline code can be wider than half the page: its rows of bold
    purple glyphs must not cut it into boxes, the one above them empty."""
    page = page_with((40, 7, 20, 180))
    rows = slice(round(42.5 * MM), round(44.5 * MM))
    for x in range(round(20 * MM), round(180 * MM), 5):
        page[rows, x : x + 3] = (128, 0, 128)  # 60% of the line
    assert empty_boxes(page, DPI) == []
