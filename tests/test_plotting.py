import matplotlib

matplotlib.use("Agg")

import matplotlib.image
import matplotlib.pyplot as plt
import pytest
from PIL import Image

from helpers.plotting import SAVE_DPI, save_figure, use_lecture_style
from helpers.slides import HALF_COLUMN_PX, PX_PER_INCH, SLOTS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _small_figure(**subplots):
    use_lecture_style()
    fig, ax = plt.subplots(**{"figsize": (2, 1), **subplots})
    ax.plot([0, 1], [1, 0])
    if "layout" in subplots:  # labels, for the layout to make room for
        ax.set(xlabel="x", ylabel="value", title="a line")
    return fig


def test_save_figure_writes_a_valid_png_at_lecture_resolution(figures_in_tmp, capsys):
    fig = _small_figure()
    path = save_figure(fig, "tiny")
    plt.close(fig)
    assert path == figures_in_tmp / "tiny.png"
    assert capsys.readouterr().out == f"saved {path.as_posix()}\n"  # outside the repository
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    height, width, _ = matplotlib.image.imread(path).shape
    # 2 x 1 inches at SAVE_DPI, give or take the tight bounding box
    assert 0.7 * 2 * SAVE_DPI < width < 1.3 * 2 * SAVE_DPI
    assert 0.7 * 1 * SAVE_DPI < height < 1.3 * 1 * SAVE_DPI
    with Image.open(path) as image:  # and the PNG says so, for the slides
        assert round(image.info["dpi"][0]) == SAVE_DPI


def test_saving_twice_writes_identical_bytes(figures_in_tmp):
    fig = _small_figure()
    first = save_figure(fig, "again").read_bytes()
    second = save_figure(fig, "again.png").read_bytes()
    plt.close(fig)
    assert first == second
    assert b"matplotlib version" not in first


@pytest.mark.parametrize("name", [name for name, slot in SLOTS.items() if slot.height_px])
def test_a_column_figure_is_saved_at_its_slots_size_whatever_it_was_drawn_at(figures_in_tmp, name):
    slot = SLOTS[name]
    fig = _small_figure(figsize=(9, 2), layout="constrained")
    with Image.open(save_figure(fig, name)) as image:
        dpi = image.info["dpi"][0]
        on_slide = [round(pixels / dpi * PX_PER_INCH) for pixels in image.size]
    plt.close(fig)
    # Shown as tall as its slot, at the dpi the PNG records, it is neither scaled nor cropped,
    # and it fills its share of the half column.
    assert on_slide == [round(slot.width * HALF_COLUMN_PX), slot.height_px]


def test_resizing_on_save_draws_what_drawing_at_that_size_draws(figures_in_tmp):
    """With a constrained layout the layout follows the new size, so a lesson need not know
    its figure's slot: the PNG is the one a figure made at the slot's size gives."""
    resized = _small_figure(layout="constrained")
    made_to_size = _small_figure(figsize=SLOTS["chain_rule"].figsize, layout="constrained")
    first = save_figure(resized, "chain_rule").read_bytes()
    second = save_figure(made_to_size, "chain_rule").read_bytes()
    plt.close("all")
    assert first == second


def test_a_background_figure_gets_its_size_and_is_cropped_to_its_content(figures_in_tmp):
    width, height = SLOTS["polynomial_gradient"].inches
    fig = _small_figure()
    with Image.open(save_figure(fig, "polynomial_gradient")) as image:
        size = image.size
    plt.close(fig)
    assert 0.8 * width * SAVE_DPI < size[0] <= width * SAVE_DPI
    assert 0.8 * height * SAVE_DPI < size[1] <= height * SAVE_DPI


@pytest.mark.parametrize("bad", ["../escape", "sub/dir", "", "with space"])
def test_figure_names_must_be_plain(figures_in_tmp, bad):
    fig = _small_figure()
    with pytest.raises(ValueError, match="plain name"):
        save_figure(fig, bad)
    plt.close(fig)
    assert list(figures_in_tmp.iterdir()) == []


def test_image_grid_and_pipeline_diagram_draw_what_they_are_given(figures_in_tmp):
    import numpy as np

    from helpers.plotting import image_grid, pipeline_diagram

    fig = image_grid(np.zeros((5, 28, 28)), [f"digit {i}" for i in range(5)], columns=3)
    assert [ax.get_title() for ax in fig.axes[:5]] == [f"digit {i}" for i in range(5)]
    assert len(fig.axes) == 6  # 2 rows x 3 columns, the last one blank
    plt.close(fig)
    fig = pipeline_diagram([("Input", "x"), ("Output", "y")])
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_text()]  # arrows are empty texts
    assert texts == ["Input", "x", "Output", "y"]
    plt.close(fig)
    with pytest.raises(ValueError):
        image_grid(np.zeros((1, 28, 28)), ["a", "b"])
