"""Autograd graphs: walk them through PyTorch's public API, print them, draw them.

Walking (`trace_graph`) is kept apart from drawing (`show_graph`, `show_torchviz`), as in
micrograd's `trace` / `draw_dot`. Drawings are PNG (an SVG would embed memory addresses that
differ on every run).

The drawing program is graphviz-pure, a port of Graphviz's `dot` that this package installs
from PyPI: it carries its own fonts, so a figure or a stored output does not depend on the fonts
or the Graphviz a laptop has (tests/test_graphs.py: the same bytes on every run). A system
Graphviz's `dot` is the fallback; with neither, nothing raises: the drawing calls return the text
rendering of the same graph and print one line on how to get a drawing program.
"""

import io
import os
import re
import shutil
import subprocess
import sysconfig
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import torch

from helpers.paths import display_path
from helpers.plotting import SAVE_DPI, figure_path
from helpers.slides import SLOTS

INSTALL_HINT = (
    "No program to draw graphs was found, so the graph is shown as text. To draw it, "
    "`pip install graphviz-pure` in this notebook's environment and restart the kernel "
    "(or install Graphviz: https://graphviz.org/download/)."
)


@dataclass(eq=False)
class GraphNode:
    """One autograd node. `key` is its position in the walk (stable across runs, unlike id())."""

    key: int
    fn: object  # the torch.autograd.graph.Node itself: callable, with next_functions
    label: str  # the name given to it (`x`, `z1`, `f`) or "" if none
    inputs: list["GraphNode"] = field(default_factory=list)

    @property
    def op(self) -> str:
        """PyTorch's name for the node, e.g. 'PowBackward0' or 'AccumulateGrad'."""
        return type(self.fn).__name__

    @property
    def is_leaf(self) -> bool:
        return self.op == "AccumulateGrad"

    @property
    def kind(self) -> str:
        """'leaf' for a leaf tensor, PyTorch's name for any other node."""
        return "leaf" if self.is_leaf else self.op

    @property
    def variable(self) -> torch.Tensor | None:
        """The leaf tensor whose .grad this node accumulates into (None for other nodes)."""
        return getattr(self.fn, "variable", None)

    def describe(self) -> str:
        if self.is_leaf:
            name = self.label or "leaf"
            return f"{name} (leaf, shape {tuple(self.variable.shape)}) <- AccumulateGrad"
        return f"{self.label} = {self.op}" if self.label else self.op


@dataclass
class AutogradGraph:
    """Nodes in reverse topological order: the output's node first, every node before its
    inputs. That is the order in which the backward pass visits them."""

    nodes: list[GraphNode]

    @property
    def root(self) -> GraphNode:
        return self.nodes[0]

    def edges(self) -> list[tuple[GraphNode, GraphNode]]:
        """(input, consumer) pairs: the direction in which the forward pass sends values."""
        return [(source, node) for node in self.nodes for source in node.inputs]

    def as_text(self) -> str:
        """An indented tree from the output down to the leaves; shared nodes are printed once."""
        lines: list[str] = []
        printed: set[int] = set()

        def visit(node: GraphNode, prefix: str, is_last: bool, depth: int) -> None:
            branch = "" if depth == 0 else ("└── " if is_last else "├── ")
            repeat = node.key in printed and not node.is_leaf
            lines.append(prefix + branch + node.describe() + ("  (shown above)" if repeat else ""))
            if repeat:
                return
            printed.add(node.key)
            child_prefix = prefix if depth == 0 else prefix + ("    " if is_last else "│   ")
            for i, child in enumerate(node.inputs):
                visit(child, child_prefix, i == len(node.inputs) - 1, depth + 1)

        visit(self.root, "", True, 0)
        return "\n".join(lines)


def trace_graph(
    output: torch.Tensor, names: Mapping[str, torch.Tensor] | None = None
) -> AutogradGraph:
    """Walk the graph that produced `output` via `grad_fn` and `next_functions`.

    `names` labels tensors: a leaf is matched through `AccumulateGrad.variable`, any other
    tensor through its `grad_fn`, e.g. `trace_graph(f, {"x": x, "z1": z1, "f": f})`.
    """
    if output.grad_fn is None:
        raise ValueError(
            "This tensor has no grad_fn, so no graph was recorded: it is a leaf, or it was "
            "computed from tensors without requires_grad=True (or under torch.no_grad())."
        )
    # Hold every named node while we walk: older PyTorch releases hand out a new Python object
    # for a node once the last one is gone, and id() is only unique among live objects.
    named = [(name, t if t.grad_fn is None else t.grad_fn) for name, t in (names or {}).items()]
    labels = {id(named_object): name for name, named_object in named}

    def label_of(fn) -> str:
        variable = getattr(fn, "variable", None)
        return labels.get(id(variable) if variable is not None else id(fn), "")

    # Depth-first post-order gives inputs before consumers; reversed, it is a valid order for
    # the backward pass. An explicit stack avoids Python's recursion limit on deep graphs.
    nodes_by_fn: dict[int, GraphNode] = {}
    post_order: list[object] = []
    stack: list[tuple[object, bool]] = [(output.grad_fn, False)]
    while stack:
        fn, inputs_done = stack.pop()
        if inputs_done:
            post_order.append(fn)
            continue
        if id(fn) in nodes_by_fn:
            continue
        nodes_by_fn[id(fn)] = GraphNode(key=-1, fn=fn, label=label_of(fn))
        stack.append((fn, True))
        for next_fn, _ in reversed(fn.next_functions):
            if next_fn is not None and id(next_fn) not in nodes_by_fn:
                stack.append((next_fn, False))
    ordered = [nodes_by_fn[id(fn)] for fn in reversed(post_order)]
    for key, node in enumerate(ordered):
        node.key = key
        node.inputs = [nodes_by_fn[id(f)] for f, _ in node.fn.next_functions if f is not None]
    return AutogradGraph(nodes=ordered)


class GraphText(str):
    """The text rendering of a graph; displays as plain lines (no quotes) in a notebook."""

    def __repr__(self) -> str:
        return str(self)


def graphviz_program() -> str | None:
    """The program that draws: graphviz-pure beside this Python (a kernel's PATH need not hold
    its environment's scripts folder), then on PATH, then a system Graphviz's `dot`."""
    executable = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    beside = Path(sysconfig.get_path("scripts")) / executable
    if beside.is_file():
        return str(beside)
    return shutil.which("graphviz-pure") or shutil.which("dot")


def graphviz_available() -> bool:
    return graphviz_program() is not None


# Characters that graphviz-pure's fonts (Arimo, Tinos, Cousine) have no glyph for: each would be
# drawn as an empty box. Found by drawing every character the notebooks use.
MISSING_GLYPHS = "∈∇⇔∝✓"


def render_source(source: str, format: str) -> bytes | None:
    """Graphviz source drawn as `format` ("png", "svg"), or None when no program draws.

    Its stderr is not shown: graphviz-pure warns about every non-ASCII character (−, ∂, ₁)
    because it sizes boxes from a table of ASCII widths, and then draws them correctly."""
    missing = sorted({char for char in source if char in MISSING_GLYPHS})
    if missing:
        raise ValueError(
            f"the graph's text uses {' '.join(missing)}, which the drawing fonts lack (each "
            "would be an empty box): write it in words"
        )
    program = graphviz_program()
    if program is None:
        return None
    done = subprocess.run(
        [program, f"-T{format}"], input=source.encode("utf-8"), capture_output=True, check=False
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{Path(program).name} could not draw the graph: {message}")
    return done.stdout


def _render(digraph, name: str | None, fallback_text: str):
    """PNG of a graphviz.Digraph, written to figures/<name>.png when named; text without a
    drawing program."""
    png = render_source(digraph.source, "png")  # both drawers render at SAVE_DPI
    if png is None:
        print(INSTALL_HINT)
        return GraphText(fallback_text)
    from PIL import Image as PILImage

    buffer = io.BytesIO()  # record the dpi in the PNG (Graphviz does not), for the slides
    PILImage.open(io.BytesIO(png)).save(buffer, format="PNG", dpi=(SAVE_DPI, SAVE_DPI))
    png = buffer.getvalue()
    if name is not None:
        path = figure_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        print(f"saved {display_path(path)}")
    from IPython.display import Image

    return Image(data=png)


def _default_label(node: GraphNode) -> str:
    if node.is_leaf:
        return f"{node.label or 'leaf'}\n{tuple(node.variable.shape)}"
    return f"{node.label}\n{node.op}" if node.label else node.op


def _minus_signs(text: str) -> str:
    """A number's minus sign as '−', as matplotlib writes it on ticks."""
    return re.sub(r"-(?=[\d.])", "−", text)


# Forward edges carry values from inputs to outputs; backward edges carry gradients back.
FORWARD_EDGE = {"color": "#555555"}
BACKWARD_EDGE = {"color": "#c2410c", "fontcolor": "#c2410c", "style": "dashed", "penwidth": "1.6"}


def show_graph(
    graph: AutogradGraph,
    name: str | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    edge_labels: Mapping[tuple[str, str], str] | None = None,
    backward_labels: Mapping[tuple[str, str], str] | None = None,
    title: str | None = None,
):
    """Draw a traced graph top to bottom: inputs at the top, the output at the bottom.

    `labels` maps a node's name (given to `trace_graph`) to what is written on it; other nodes
    show their name and PyTorch's name for them. `edge_labels` maps (input, consumer) names to
    what is written on that forward edge; `backward_labels`, when given, adds a dashed arrow from
    each consumer back to its input, labelled with the gradient it sends. A number's minus sign
    is written '−'. A figure the slides show in a column (`helpers.slides`) is fitted to its
    place. Returns a PNG image to display (saved as figures/<name>.png when `name` is given) or,
    without Graphviz, the text tree.
    """
    import graphviz

    labels, edge_labels = labels or {}, edge_labels or {}
    graph_attr = {"dpi": str(SAVE_DPI), "fontname": "Helvetica", "nodesep": "0.3", "ranksep": "0.3"}
    slot = SLOTS.get(name or "")
    if slot is not None and slot.height_px is not None:
        # Never larger than the place: Graphviz scales a larger drawing down to fit.
        graph_attr["size"] = "{:.2f},{:.2f}".format(*slot.figsize)
    digraph = graphviz.Digraph(graph_attr=graph_attr)
    digraph.attr("node", fontname="Helvetica", fontsize="16", margin="0.08,0.03")
    digraph.attr("edge", fontname="Helvetica", fontsize="14", **FORWARD_EDGE)
    if title:
        digraph.attr(label=_minus_signs(title), labelloc="t", fontsize="15")
    for node in reversed(graph.nodes):  # inputs first: Graphviz places earlier nodes left
        text = _minus_signs(labels.get(node.label) or _default_label(node))
        shape = "box" if node.is_leaf else "ellipse"
        fill = "#bbf7d0" if node is graph.root else "#dbeafe" if node.is_leaf else "#fde68a"
        digraph.node(f"n{node.key}", text, shape=shape, style="filled", fillcolor=fill)
    for source, consumer in graph.edges():
        pair = (source.label, consumer.label)
        label = _minus_signs(edge_labels.get(pair, ""))
        digraph.edge(f"n{source.key}", f"n{consumer.key}", label=label)
        if backward_labels is not None:
            digraph.edge(
                f"n{consumer.key}",
                f"n{source.key}",
                label=_minus_signs(backward_labels.get(pair, "")),
                constraint="false",
                **BACKWARD_EDGE,
            )
    return _render(digraph, name, graph.as_text())


def show_torchviz(
    output: torch.Tensor,
    name: str | None = None,
    *,
    params: Mapping[str, torch.Tensor] | None = None,
    show_saved: bool = True,
):
    """Draw `output`'s graph with torchviz's `make_dot` (saved tensors shown by default).

    `params` names the leaves, as in `make_dot(y, params=dict(model.named_parameters()))`.
    Returns a PNG image (saved as figures/<name>.png when `name` is given) or the text tree.
    """
    from torchviz import make_dot

    text = trace_graph(output, params).as_text()
    with warnings.catch_warnings():
        # torchviz 0.0.3 compares versions with distutils' deprecated LooseVersion.
        warnings.filterwarnings(
            "ignore", message="distutils Version classes", category=DeprecationWarning
        )
        dot = make_dot(output, params=dict(params or {}), show_saved=show_saved)
    dot.graph_attr.update(dpi=str(SAVE_DPI))
    return _render(dot, name, text)
