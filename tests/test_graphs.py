from pathlib import Path

import pytest
import torch

from helpers import graphs
from helpers.graphs import (
    INSTALL_HINT,
    GraphText,
    graphviz_available,
    graphviz_program,
    render_source,
    show_graph,
    show_torchviz,
    trace_graph,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def polynomial():
    x = torch.tensor([1.0], requires_grad=True)
    z1 = x**3
    z2 = -3 * x
    f = z1 + z2
    return x, z1, z2, f


def test_trace_finds_the_lectures_nodes_in_backward_order():
    x, z1, z2, f = polynomial()
    graph = trace_graph(f, {"x": x, "z1": z1, "z2": z2, "f": f})
    assert graph.root.fn is f.grad_fn
    assert sorted(n.op for n in graph.nodes) == sorted(
        ["AddBackward0", "PowBackward0", "MulBackward0", "AccumulateGrad"]
    )
    position = {node.label: node.key for node in graph.nodes}
    assert position["f"] < position["z1"] < position["x"]  # every node before its inputs
    assert position["f"] < position["z2"] < position["x"]
    assert [n.variable for n in graph.nodes if n.label == "x"] == [x]  # one node, reached twice
    assert len(graph.edges()) == 4


def test_trace_follows_next_functions_exactly():
    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    out = (a * b).sin().sum()
    graph = trace_graph(out)
    for node in graph.nodes:
        expected = [fn for fn, _ in node.fn.next_functions if fn is not None]
        assert [inp.fn for inp in node.inputs] == expected
    leaves = {id(n.variable) for n in graph.nodes if n.is_leaf}
    assert leaves == {id(a), id(b)}


def test_tensor_without_graph_is_a_clear_error():
    with pytest.raises(ValueError, match="no grad_fn"):
        trace_graph(torch.ones(2) * 3)


def test_text_rendering_is_an_indented_tree_with_names():
    x, z1, z2, f = polynomial()
    text = trace_graph(f, {"x": x, "z1": z1, "z2": z2, "f": f}).as_text()
    lines = text.splitlines()
    assert lines[0] == "f = AddBackward0"
    assert "├── z1 = PowBackward0" in lines
    assert "│   └── x (leaf, shape (1,)) <- AccumulateGrad" in lines
    assert "└── z2 = MulBackward0" in lines


def test_graphviz_pure_draws_even_where_a_system_dot_is_on_path(monkeypatch, tmp_path):
    """The project's drawing program comes with it, so a figure never depends on which
    Graphviz, if any, a machine has."""
    fake_dot = tmp_path / "dot"
    fake_dot.write_text("#!/bin/sh\nexit 1\n")
    fake_dot.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert Path(graphviz_program()).name == "graphviz-pure"
    assert render_source("digraph { a -> b }", "png")[:8] == PNG_SIGNATURE


def test_a_system_dot_is_the_fallback(monkeypatch, tmp_path):
    monkeypatch.setattr(graphs.sysconfig, "get_path", lambda name: str(tmp_path / "none"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no graphviz-pure here; a `dot` is
    (tmp_path / "dot").write_text("#!/bin/sh\nexit 0\n")
    (tmp_path / "dot").chmod(0o755)
    assert graphviz_program() == str(tmp_path / "dot")


def test_a_drawing_is_the_same_bytes_every_time_and_its_warnings_are_not_shown(capfd):
    source = 'digraph { a [label="∂z₁/∂x = −3"] }'  # graphviz-pure warns on each of these
    first, second = render_source(source, "png"), render_source(source, "png")
    assert first == second and first[:8] == PNG_SIGNATURE
    assert capfd.readouterr() == ("", "")


def test_a_drawing_program_that_fails_says_so(monkeypatch):
    with pytest.raises(RuntimeError, match="could not draw the graph: .*syntax"):
        render_source("digraph { a -> }", "png")


def test_a_character_the_fonts_lack_is_a_clear_error():
    with pytest.raises(ValueError, match="uses ∈, which the drawing fonts lack"):
        render_source('digraph { a [label="w ∈ ℝ"] }', "png")


def test_without_a_drawing_program_the_drawings_return_text_and_print_the_install_hint(
    monkeypatch, capsys, figures_in_tmp
):
    monkeypatch.setattr(graphs, "graphviz_program", lambda: None)
    assert not graphviz_available()
    x, _z1, _z2, f = polynomial()
    graph = trace_graph(f, {"x": x, "f": f})
    ours = show_graph(graph, "fallback")
    theirs = show_torchviz(f, "fallback", params={"x": x})
    for result in (ours, theirs):
        assert isinstance(result, GraphText)
    assert repr(ours) == graph.as_text()
    assert repr(theirs) == trace_graph(f, {"x": x}).as_text()
    assert capsys.readouterr().out == (INSTALL_HINT + "\n") * 2
    assert list(figures_in_tmp.iterdir()) == []


@pytest.mark.skipif(not graphviz_available(), reason="no program draws graphs")
def test_with_dot_the_drawings_are_png_saved_under_figures(capsys, figures_in_tmp):
    from IPython.display import Image

    from helpers.paths import display_path

    x, _z1, _z2, f = polynomial()
    image = show_graph(trace_graph(f, {"x": x}), "ours", labels={"x": "x = 1"})
    assert isinstance(image, Image) and image.data[:8] == PNG_SIGNATURE
    assert (figures_in_tmp / "ours.png").read_bytes() == image.data
    image = show_torchviz(f, "theirs", params={"x": x})
    assert (figures_in_tmp / "theirs.png").read_bytes()[:8] == PNG_SIGNATURE
    printed = capsys.readouterr().out  # each drawing says where its file went
    for name in ("ours.png", "theirs.png"):
        assert display_path(figures_in_tmp / name) in printed


@pytest.mark.skipif(not graphviz_available(), reason="no program draws graphs")
def test_drawings_record_their_dpi_and_fit_a_slide_slot(figures_in_tmp):
    import io

    from PIL import Image as PILImage

    from helpers.plotting import SAVE_DPI
    from helpers.slides import HALF_COLUMN_PX, PX_PER_INCH, SLOTS

    x, z1, z2, f = polynomial()
    graph = trace_graph(f, {"x": x, "z1": z1, "z2": z2, "f": f})
    show_torchviz(f, "theirs", params={"x": x})
    # A slide figure's name makes Graphviz fit the drawing into that figure's slot.
    backward = {(a.label, b.label): "∂f += 1" for a, b in graph.edges()}
    show_graph(graph, "chain_rule", backward_labels=backward)
    for name in ("theirs", "chain_rule"):
        with PILImage.open(io.BytesIO((figures_in_tmp / f"{name}.png").read_bytes())) as image:
            dpi = image.info["dpi"][0]
            assert round(dpi) == SAVE_DPI
            on_slide = [pixels / dpi * PX_PER_INCH for pixels in image.size]
    # Shown as tall as its slot, it is no larger than it was drawn, and fits the half column.
    height = SLOTS["chain_rule"].height_px
    assert on_slide[1] <= height + 1
    assert on_slide[0] * height / on_slide[1] <= HALF_COLUMN_PX * 1.01


def dot_source(monkeypatch, graph, **drawing) -> str:
    """The Graphviz source that `show_graph` renders."""
    captured = []

    def capture(source, format):
        captured.append(source)
        return render_source(source, format)

    monkeypatch.setattr(graphs, "render_source", capture)
    show_graph(graph, **drawing)
    return captured[0]


@pytest.mark.skipif(not graphviz_available(), reason="no program draws graphs")
def test_labels_are_written_on_the_named_nodes_and_edges(monkeypatch):
    x, z1, z2, f = polynomial()
    graph = trace_graph(f, {"x": x, "z1": z1, "z2": z2})  # f left unnamed
    key = {node.label: node.key for node in graph.nodes}
    source = dot_source(
        monkeypatch,
        graph,
        labels={"x": "x = 1", "z2": f"z2 = {z2.item():g}"},
        edge_labels={("x", "z2"): "∂z2/∂x = -3"},
    )
    assert f'n{key["x"]} [label="x = 1"' in source
    assert f'n{key["z2"]} [label="z2 = −3"' in source  # a number's minus sign, typeset
    assert f'n{key["z1"]} [label="z1\nPowBackward0"' in source  # named, without a label
    assert f"n{key['']} [label=AddBackward0" in source  # unnamed: PyTorch's name
    assert f'n{key["x"]} -> n{key["z2"]} [label="∂z2/∂x = −3"]' in source
    assert f'n{key["x"]} -> n{key["z1"]} [label=""]' in source
    assert "style=dashed" not in source  # no backward arrows unless asked for


@pytest.mark.skipif(not graphviz_available(), reason="no program draws graphs")
def test_backward_arrows_point_from_consumer_to_input(monkeypatch):
    x, z1, z2, f = polynomial()
    graph = trace_graph(f, {"x": x, "z1": z1, "z2": z2, "f": f})
    backward = {(a.label, b.label): f"{b.label}->{a.label}" for a, b in graph.edges()}
    source = dot_source(monkeypatch, graph, backward_labels=backward)
    key = {node.label: node.key for node in graph.nodes}
    # One dashed edge per forward edge, reversed, carrying its label.
    assert f'n{key["f"]} -> n{key["z1"]} [label="f->z1"' in source
    assert f'n{key["z1"]} -> n{key["x"]} [label="z1->x"' in source
    assert source.count("style=dashed") == len(graph.edges())
