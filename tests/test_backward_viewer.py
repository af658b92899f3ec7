import configparser
import json
import math
import re
from pathlib import Path

import pytest
import torch

from helpers import backward_viewer
from helpers.backward_viewer import BackwardViewer, record_backward
from helpers.graphs import INSTALL_HINT, graphviz_available

needs_dot = pytest.mark.skipif(not graphviz_available(), reason="no program draws graphs")


def polynomial():
    """The lecture's f(x) = x³ − 3x at x = 1: two paths into x."""
    x = torch.tensor(1.0, requires_grad=True)
    z1 = x**3
    z2 = -3 * x
    f = z1 + z2
    return f, {"x": x, "z₁": z1, "z₂": z2, "f": f}


def neuron(w1=1.2, w2=1.37, b=0.11, x1=-0.5, x2=1.5, target=1.0):
    """Notebook 03's neuron: the squared error of tanh(w₁x₁ + w₂x₂ + b) on one point."""
    w1, w2, b = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (w1, w2, b))
    u1 = w1 * x1
    u2 = w2 * x2
    z = u1 + u2 + b
    prediction = torch.tanh(z)
    error = prediction - target
    loss = error**2
    names = {"w₁": w1, "w₂": w2, "b": b, "w₁x₁": u1, "w₂x₂": u2, "z": z, "ŷ": prediction}
    return loss, {**names, "e": error, "loss": loss}


def least_squares(n=7, p=3):
    """Notebook 04's f(w) = ½‖Xw − y‖², written as its four nodes."""
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(n, p, dtype=torch.float64, generator=generator)
    y = torch.randn(n, dtype=torch.float64, generator=generator)
    w = torch.randn(p, dtype=torch.float64, generator=generator).requires_grad_(True)
    z1 = X @ w
    z2 = z1 - y
    z3 = z2 @ z2
    f = 0.5 * z3
    return f, {"w": w, "z₁": z1, "z₂": z2, "z₃": z3, "f": f}, X


def order_pytorch_runs(output: torch.Tensor) -> list:
    """The nodes a real `output.backward()` runs, in its order, seen by pre-hooks."""
    order, handles, seen, stack = [], [], set(), [output.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        handles.append(fn.register_prehook(lambda grad, fn=fn: order.append(fn)))
        stack.extend(next_fn for next_fn, _ in fn.next_functions)
    output.backward(retain_graph=True)
    for handle in handles:
        handle.remove()
    return order


@pytest.mark.parametrize("build", [polynomial, neuron, least_squares])
def test_steps_are_the_nodes_in_the_order_pytorch_runs_them(build):
    output, names, *_ = build()
    record = record_backward(output, names)
    assert [step.node.fn for step in record.steps] == order_pytorch_runs(output)
    assert record.steps[0].node is record.graph.root
    position = {step.node.key: i for i, step in enumerate(record.steps)}
    for source, consumer in record.graph.edges():  # a node runs after every node it feeds
        assert position[consumer.key] < position[source.key]


def test_polynomial_two_paths_add_up_at_x():
    f, names = polynomial()
    record = record_backward(f, names)
    by_name = {record.name(step.node): step for step in record.steps}
    assert [by_name[name].arriving.item() for name in ("f", "z₁", "z₂", "x")] == [1, 1, 1, 0]
    assert by_name["z₁"].sends[0].local.item() == 3.0  # 3x² at x = 1, from PyTorch's node
    assert by_name["z₂"].sends[0].local.item() == -3.0
    into_x = [c.sent.item() for c in by_name["x"].received]
    assert sorted(into_x) == [-3.0, 3.0] and len(by_name["x"].sends) == 0
    for step in record.steps:
        for c in step.sends:
            assert torch.equal(c.sent, step.arriving * c.local)  # arriving × local derivative


def test_recording_leaves_grad_alone_and_backward_agrees():
    f, names = polynomial()
    record = record_backward(f, names)
    assert names["x"].grad is None  # recording used autograd.grad: .grad untouched
    f.backward()  # the graph was kept for it
    assert torch.equal(record.leaf_gradients["x"], names["x"].grad)
    again = record_backward(*neuron()[:2])  # the hooks were removed: one event per node
    assert len(again.steps) == len(again.graph.nodes)


def test_neuron_gradients_match_the_chain_rule_and_backward():
    loss, names = neuron()
    record = record_backward(loss, names)
    by_name = {record.name(step.node): step for step in record.steps}
    error, prediction = names["e"].item(), names["ŷ"].item()
    assert math.isclose(by_name["ŷ"].arriving.item(), 2 * error, rel_tol=1e-12)
    assert math.isclose(
        by_name["z"].arriving.item(), 2 * error * (1 - prediction**2), rel_tol=1e-12
    )
    loss.backward()
    for leaf in ("w₁", "w₂", "b"):
        assert torch.equal(record.leaf_gradients[leaf], names[leaf].grad)
    assert set(record.leaf_gradients) == {"w₁", "w₂", "b"}


def test_least_squares_uses_z2_twice_and_sends_the_transpose():
    f, names, X = least_squares()
    record = record_backward(f, names)
    by_name = {record.name(step.node): step for step in record.steps}
    z2 = names["z₂"].detach()
    assert len(by_name["z₂"].received) == 2  # z₂ᵀz₂: one contribution per use
    for contribution in by_name["z₂"].received:
        assert torch.allclose(contribution.sent, 0.5 * z2)
    assert torch.allclose(by_name["z₂"].arriving, z2)  # ½ · 2z₂
    transpose = by_name["z₁"]
    assert transpose.sends[0].local is None  # a Jacobian, not a number
    assert torch.allclose(transpose.sends[0].sent, X.T @ transpose.arriving)
    f.backward()
    assert torch.equal(record.leaf_gradients["w"], names["w"].grad)
    assert torch.allclose(names["w"].grad, X.T @ z2)


def test_a_vector_output_is_a_clear_error():
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="one number"):
        record_backward(x * 2)


def test_the_text_walks_every_step_with_the_lectures_numbers():
    f, names = polynomial()
    text = repr(BackwardViewer(f, names, local_rules={"z₁": "∂z₁/∂x = 3x²"}))
    assert text.count("step ") == 4 and "step 4 of 4" in text
    assert "∂z₁/∂x = 3x²" in text
    assert "∂f/∂x = (−3) + 3 = 0, 2 paths meet here" in text
    assert text.rstrip().endswith("leaves: x.grad = 0")


def test_an_unnamed_node_takes_its_rule_under_the_name_it_is_shown_by():
    loss, names = neuron()
    text = repr(BackwardViewer(loss, names, local_rules={"(add)": "1 for each term"}))
    inner_sum = text[text.index(": (add) · AddBackward0") :].split("step ")[0]
    assert "local derivative: 1 for each term" in inner_sum
    assert text.count("local derivative:") == 1  # no other node took it


def viewer_html(build=polynomial) -> str:
    output, names, *_ = build()
    return BackwardViewer(output, names)._repr_html_()


@pytest.mark.parametrize("build", [polynomial, neuron, least_squares])
def test_html_is_byte_stable_small_and_self_contained(build):
    html = viewer_html(build)
    assert html == viewer_html(build)  # fresh tensors, same numbers: the same bytes
    assert len(html.encode()) < 200_000
    without_namespaces = re.sub(r'xmlns(:\w+)?="[^"]*"', "", html)  # names, not addresses
    assert not re.search(r"https?:|src=|@import|url\(", without_namespaces)  # nothing fetched
    assert "$" not in html and "\\(" not in html  # nothing for MathJax to typeset
    for label in ("Previous", "Next", "Play", "Reset"):
        assert f'<button type="button" data-action="{label.lower()}"' in html
        assert f">{label}</button>" in html
    assert 'aria-live="polite"' in html and "<script>" in html


def test_ids_come_from_the_content():
    first, second = viewer_html(polynomial), viewer_html(neuron)
    first_id = re.search(r'id="(bv-[0-9a-f]{12})"', first).group(1)
    second_id = re.search(r'id="(bv-[0-9a-f]{12})"', second).group(1)
    assert first_id != second_id
    assert set(re.findall(r'id="(bv-[0-9a-f]{12})', first)) == {first_id}  # every id is derived


@needs_dot
def test_the_drawing_knows_the_step_of_every_node_and_gradient_edge():
    f, names = polynomial()
    viewer = BackwardViewer(f, names)
    svg = viewer.svg
    assert svg is not None and "<title>" not in svg and "<!--" not in svg
    node_steps = re.findall(r'<g id="[^"]+-n\d+" class="node [^"]+" data-step="(\d)"', svg)
    assert sorted(node_steps) == ["1", "2", "3", "4"]
    assert len(re.findall(r'class="edge bv-back', svg)) == 4  # one per edge: f→z₁, f→z₂, 2 × →x
    leaf_texts = json.loads(
        re.search(r"data-texts=\"([^\"]+)\"", svg).group(1).replace("&quot;", '"')
    )
    assert leaf_texts == ["∂f/∂x so far: —", "∂f/∂x so far: −3", "∂f/∂x so far: 0", "x.grad = 0"]


def test_without_a_drawing_program_the_steps_are_a_table(monkeypatch, capsys):
    monkeypatch.setattr(backward_viewer, "graphviz_available", lambda: False)
    f, names = polynomial()
    viewer = BackwardViewer(f, names)
    assert INSTALL_HINT in capsys.readouterr().out
    html = viewer._repr_html_()
    assert "<svg" not in html and '<table class="bv-table">' in html
    assert len(re.findall(r'<tr data-step="\d"', html)) == 4
    assert "x.grad = 0" in html


@needs_dot
def test_nbval_compares_everything_but_graphvizs_layout():
    """The sanitize rule for nbval replaces the drawing (its coordinates depend on Graphviz's
    version and fonts) and leaves the steps and numbers to be compared."""
    rules = configparser.ConfigParser()
    rules.read(Path(__file__).parent / "nbval_sanitize.cfg", encoding="utf-8")
    rule = rules["graphviz_svg_layout"]
    html = viewer_html(polynomial)
    sanitized = re.sub(rule["regex"], rule["replace"], html)
    assert (
        "<svg " in html and "<svg " not in sanitized and "<svg>GRAPHVIZ LAYOUT</svg>" in sanitized
    )
    assert "x.grad = 0" in sanitized and sanitized.count('data-panel="') == 4
