"""Autograd graphs: walk them through PyTorch's public API, print them, draw them.

Walking (`trace_graph`) is kept apart from drawing (`show_graph`, `show_torchviz`), as in
micrograd's `trace` / `draw_dot`. Drawings are PNG (an SVG would embed memory addresses that
differ on every run). Without Graphviz's `dot` program nothing raises: the drawing calls return
the text rendering of the same graph and print one line on how to install Graphviz.
"""

import shutil
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import torch

from helpers.paths import display_path
from helpers.plotting import SAVE_DPI, SCREEN_PX_PER_INCH, column_slot, figure_path, png_with_dpi

INSTALL_HINT = (
    "Graphviz's `dot` program was not found, so the graph is shown as text. To draw it, install "
    "Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge python-graphviz`, or https://graphviz.org/download/."
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

    def find(self, label_or_op: str) -> GraphNode:
        for node in self.nodes:
            if label_or_op in (node.label, node.op):
                return node
        raise KeyError(
            f"no node named {label_or_op!r}; nodes: {[n.describe() for n in self.nodes]}"
        )

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
    labels: dict[int, str] = {}
    # Hold every named node while we walk: older PyTorch releases hand out a new Python object
    # for a node once the last one is gone, and id() is only unique among live objects.
    named_objects = [
        tensor if tensor.grad_fn is None else tensor.grad_fn for tensor in (names or {}).values()
    ]
    for name, named_object in zip((names or {}), named_objects):
        labels[id(named_object)] = name

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


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def _render(digraph, name: str | None, fallback_text: str):
    """PNG of a graphviz.Digraph, written to figures/<name>.png when named; text without dot."""
    import graphviz

    if not graphviz_available():
        print(INSTALL_HINT)
        return GraphText(fallback_text)
    try:
        png = png_with_dpi(digraph.pipe(format="png"))  # both drawers render at SAVE_DPI
    except graphviz.ExecutableNotFound:
        print(INSTALL_HINT)
        return GraphText(fallback_text)
    if name is not None:
        path = figure_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        print(f"saved {display_path(path)}")
    from IPython.display import Image

    return Image(data=png)


def _default_node_text(node: GraphNode) -> str:
    if node.is_leaf:
        return f"{node.label or 'leaf'}\n{tuple(node.variable.shape)}"
    return f"{node.label}\n{node.op}" if node.label else node.op


# Forward edges carry values from inputs to outputs; backward edges carry gradients back.
FORWARD_EDGE = {"color": "#555555"}
BACKWARD_EDGE = {"color": "#c2410c", "fontcolor": "#c2410c", "style": "dashed", "penwidth": "1.6"}


def show_graph(
    graph: AutogradGraph,
    name: str | None = None,
    *,
    node_text: Callable[[GraphNode], str] = _default_node_text,
    edge_text: Callable[[GraphNode, GraphNode], str] | None = None,
    backward_text: Callable[[GraphNode, GraphNode], str] | None = None,
    title: str | None = None,
    direction: str = "TB",
):
    """Draw a traced graph top to bottom (inputs at the top, the output at the bottom), or left
    to right with `direction="LR"`.

    `node_text(node)` and `edge_text(source, consumer)` choose what is written on nodes and on
    the forward edges; `backward_text(source, consumer)`, when given, adds a dashed arrow from
    each consumer back to its input, labelled with the gradient it sends. A figure the slides
    show (`helpers.plotting.SLIDE_FIGURES`) is fitted to its slot. Returns a PNG image to display
    (saved as figures/<name>.png when `name` is given) or, without Graphviz, the text tree.
    """
    import graphviz

    graph_attr = {
        "rankdir": direction,
        "dpi": str(SAVE_DPI),
        "fontname": "Helvetica",
        "nodesep": "0.3",
        "ranksep": "0.3",
    }
    slot = column_slot(name or "")
    if slot is not None:
        # Never larger than the slot: Graphviz scales a larger drawing down to fit.
        height = slot.height_px / SCREEN_PX_PER_INCH
        graph_attr["size"] = f"{height * slot.max_aspect:.2f},{height:.2f}"
    digraph = graphviz.Digraph(graph_attr=graph_attr)
    digraph.attr("node", fontname="Helvetica", fontsize="16", margin="0.08,0.03")
    digraph.attr("edge", fontname="Helvetica", fontsize="14", **FORWARD_EDGE)
    if title:
        digraph.attr(label=title, labelloc="t", fontsize="15")
    for node in reversed(graph.nodes):  # inputs first: Graphviz places earlier nodes left
        style = (
            {"shape": "box", "style": "filled", "fillcolor": "#dbeafe"}
            if node.is_leaf
            else {"shape": "ellipse", "style": "filled", "fillcolor": "#fde68a"}
        )
        if node is graph.root:
            style["fillcolor"] = "#bbf7d0"
        digraph.node(f"n{node.key}", node_text(node), **style)
    for source, consumer in graph.edges():
        label = edge_text(source, consumer) if edge_text else ""
        digraph.edge(f"n{source.key}", f"n{consumer.key}", label=label)
        if backward_text is not None:
            digraph.edge(
                f"n{consumer.key}",
                f"n{source.key}",
                label=backward_text(source, consumer),
                constraint="false",
                **BACKWARD_EDGE,
            )
    text = graph.as_text()
    return _render(digraph, name, text)


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
