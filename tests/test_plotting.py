import matplotlib

matplotlib.use("Agg")

import matplotlib.image
import matplotlib.pyplot as plt
import pytest
from PIL import Image

from helpers.plotting import SAVE_DPI, save_figure, use_lecture_style

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _small_figure():
    use_lecture_style()
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [1, 0])
    return fig


def test_save_figure_writes_a_valid_png_at_lecture_resolution(figures_in_tmp):
    fig = _small_figure()
    path = save_figure(fig, "tiny")
    plt.close(fig)
    assert path == figures_in_tmp / "tiny.png"
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
