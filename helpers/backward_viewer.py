"""The backward pass, step by step: a viewer with Previous / Next / Play / Reset buttons.

`record_backward` runs PyTorch's own backward pass once, with a hook on every node of the graph,
and keeps what happened in the order PyTorch did it: the gradient arriving at each node, what
the node sent to each of its inputs, and what reached each leaf. `BackwardViewer` shows that
record as one self-contained HTML output: the graph drawn once by Graphviz as in
`helpers.graphs` (inputs at the top, names and values on the nodes), a few lines of plain
JavaScript that highlight the node being processed, the numbers of each step written out, and
the gradient collected at each leaf so far. Walking is kept apart from drawing, as there.

Nothing in the output is fetched from the network and no kernel is needed to click through it,
so it works the same in JupyterLab, Colab, VS Code and on the course website. Its ids are derived
from its content, so a rerun writes the same bytes. Without a program to draw graphs
(`helpers.graphs.graphviz_program`) the same steps are a table that the buttons walk through.
Notebook 02 introduces it.
"""

import hashlib
import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree import ElementTree

import torch

from helpers.graphs import (
    BACKWARD_EDGE,
    FORWARD_EDGE,
    INSTALL_HINT,
    AutogradGraph,
    GraphNode,
    graphviz_available,
    render_source,
    trace_graph,
)

MINUS = "−"  # the typographic minus, as in the lecture's figures
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
PLAY_INTERVAL_MS = 1500


@dataclass(frozen=True)
class Contribution:
    """What one node sent along one edge of the graph during the backward pass."""

    consumer: GraphNode  # the node that sent it
    slot: int  # which of the consumer's inputs (its position in `next_functions`)
    source: GraphNode  # the input that received it
    local: torch.Tensor | None  # ∂consumer/∂source, when the consumer's output is one number
    sent: torch.Tensor  # the arriving gradient times that local derivative


@dataclass(frozen=True)
class BackwardStep:
    """One node processed by the backward pass."""

    node: GraphNode
    arriving: torch.Tensor  # ∂output/∂node, as PyTorch delivered it to the node
    received: tuple[Contribution, ...]  # the contributions `arriving` is the sum of
    sends: tuple[Contribution, ...]  # what the node sent to each input (none at a leaf)


@dataclass(frozen=True)
class BackwardRecord:
    """The steps of one backward pass, in the order PyTorch ran them."""

    graph: AutogradGraph
    steps: tuple[BackwardStep, ...]
    values: Mapping[int, torch.Tensor]  # forward value of every named node, by node key

    def name(self, node: GraphNode) -> str:
        if node.label:
            return node.label
        if node.is_leaf:
            return "leaf"
        return "(" + node.op.rstrip("0123456789").removesuffix("Backward").lower() + ")"

    @property
    def leaf_gradients(self) -> dict[str, torch.Tensor]:
        """Each leaf's gradient: what AccumulateGrad adds into its `.grad`."""
        return {self.name(step.node): step.arriving for step in self.steps if step.node.is_leaf}


def _cloned(gradients) -> tuple:
    # The engine may add later contributions in place into a tensor it already handed out.
    return tuple(None if g is None else g.detach().clone() for g in gradients)


def _local_derivatives(node: GraphNode, arriving: torch.Tensor) -> tuple | None:
    """The node called on a gradient of 1 returns its local derivative for each input. Only
    meaningful when the node's output is one number; otherwise the local derivative is a
    Jacobian, which PyTorch never forms."""
    if arriving.numel() != 1:
        return None
    with torch.no_grad():  # plain numbers: do not record this call in a graph
        result = node.fn(torch.ones_like(arriving))
    return _cloned((result,) if isinstance(result, torch.Tensor) else result)


def record_backward(
    output: torch.Tensor, names: Mapping[str, torch.Tensor] | None = None
) -> BackwardRecord:
    """Run the backward pass of the one-number tensor `output` and record every step.

    The pass is `torch.autograd.grad(..., retain_graph=True)`: it leaves every `.grad` as it
    was and keeps the graph, so that `output.backward()` can run afterwards, as in a lesson.
    Hooks on the graph's nodes record what PyTorch's engine computes, in the order it runs the
    nodes; hooks on the leaves record the sum that AccumulateGrad would add into `.grad`.
    `names` labels tensors as in `helpers.graphs.trace_graph`.
    """
    if output.numel() != 1:
        raise ValueError(
            f"The backward pass starts from one number, ∂f/∂f = 1; this tensor has shape "
            f"{tuple(output.shape)}. Reduce it first, e.g. with .sum()."
        )
    graph = trace_graph(output, names)
    events: list[tuple[GraphNode, torch.Tensor, tuple]] = []
    handles = []
    for node in graph.nodes:
        if node.is_leaf:  # a tensor hook sees the sum of everything that reached the leaf
            handles.append(
                node.variable.register_hook(
                    lambda grad, node=node: events.append((node, grad.detach().clone(), ()))
                )
            )
        else:  # a node hook sees (gradients sent to the inputs, gradients arriving)
            handles.append(
                node.fn.register_hook(
                    lambda sent, arriving, node=node: events.append(
                        (node, arriving[0].detach().clone(), _cloned(sent))
                    )
                )
            )
    leaves = [node.variable for node in graph.nodes if node.is_leaf]
    try:
        torch.autograd.grad(output, leaves, retain_graph=True)
    finally:
        for handle in handles:
            handle.remove()

    node_of = {id(node.fn): node for node in graph.nodes}
    received: dict[int, list[Contribution]] = {node.key: [] for node in graph.nodes}
    steps = []
    for node, arriving, sent_to_inputs in events:
        sends = []
        if not node.is_leaf:
            local = _local_derivatives(node, arriving)
            for slot, ((input_fn, _), sent) in enumerate(
                zip(node.fn.next_functions, sent_to_inputs)
            ):
                if input_fn is None or sent is None:  # an input that needs no gradient
                    continue
                contribution = Contribution(
                    node, slot, node_of[id(input_fn)], None if local is None else local[slot], sent
                )
                sends.append(contribution)
                received[contribution.source.key].append(contribution)
        steps.append(BackwardStep(node, arriving, tuple(received[node.key]), tuple(sends)))
    if sorted(step.node.key for step in steps) != [node.key for node in graph.nodes]:
        raise RuntimeError("the backward pass did not visit every node of the graph exactly once")
    values = {
        node.key: names[node.label].detach() for node in graph.nodes if node.label in (names or {})
    }
    return BackwardRecord(graph=graph, steps=tuple(steps), values=values)


# --- Numbers as text ---------------------------------------------------------------------------


def number_text(value: float) -> str:
    """Four significant digits, with a real minus sign."""
    return f"{value:.4g}".replace("-", MINUS)


def tensor_text(tensor: torch.Tensor, entries: int = 3) -> str:
    """A number, or the shape and first few entries of a vector or matrix."""
    if tensor.numel() == 1:
        return number_text(tensor.item())
    flat = tensor.flatten().tolist()
    shown = ", ".join(number_text(v) for v in flat[:entries])
    shown += ", …" if len(flat) > entries else ""
    kind = f"vector of {len(flat)}" if tensor.dim() == 1 else " × ".join(map(str, tensor.shape))
    return f"{kind}: [{shown}]"


def short_text(tensor: torch.Tensor) -> str:
    """What fits on a node or an edge of the drawing."""
    if tensor.numel() == 1:
        return number_text(tensor.item())
    flat = tensor.flatten().tolist()
    return "[" + ", ".join(number_text(v) for v in flat[:2]) + (", …]" if len(flat) > 2 else "]")


def _factor(tensor: torch.Tensor) -> str:
    text = tensor_text(tensor)
    return f"({text})" if text.startswith(MINUS) else text


def _sum_text(contributions: tuple[Contribution, ...] | list[Contribution]) -> str:
    if all(c.sent.numel() == 1 for c in contributions):
        return " + ".join(_factor(c.sent) for c in contributions)
    return f"the sum of {len(contributions)} contributions"


# --- The steps as text: the plain rendering, and the words of each step's panel ---------------


@dataclass(frozen=True)
class LeafState:
    """A leaf after some step: the gradient collected at it so far, or its final `.grad`."""

    name: str
    parts: tuple[torch.Tensor, ...]  # the contributions that have reached it, in order
    gradient: torch.Tensor | None  # their sum (PyTorch's, once final); None: nothing yet
    final: bool  # AccumulateGrad has run: `gradient` is what goes into `.grad`

    def text(self, root: str, short: bool = False) -> str:
        if self.gradient is None:
            shown = "—" if short else "nothing yet"
        elif short:
            shown = short_text(self.gradient)
        else:
            shown = tensor_text(self.gradient)
            several = len(self.parts) > 1 and all(part.numel() == 1 for part in self.parts)
            if several and not self.final:  # the "+=" where paths meet
                shown = " + ".join(_factor(part) for part in self.parts) + " = " + shown
        if self.final:
            return f"{self.name}.grad = {shown}"
        return f"∂{root}/∂{self.name} so far: {shown}"


def leaf_states(record: BackwardRecord, upto: int) -> list[LeafState]:
    """Every leaf after step `upto` (1-based)."""
    done = record.steps[:upto]
    states = []
    for node in record.graph.nodes:
        if not node.is_leaf:
            continue
        parts = tuple(c.sent for step in done for c in step.sends if c.source is node)
        own_step = [step for step in done if step.node is node]
        if own_step:  # the sum as PyTorch delivered it to AccumulateGrad
            states.append(LeafState(record.name(node), parts, own_step[0].arriving, final=True))
        else:
            so_far = sum(parts[1:], parts[0]) if parts else None
            states.append(LeafState(record.name(node), parts, so_far, final=False))
    return states


@dataclass(frozen=True)
class StepText:
    """Everything the viewer writes for one step, as plain text."""

    heading: str
    arriving: str
    rule: str | None
    sends: tuple[str, ...]
    leaves: tuple[LeafState, ...]
    edge_labels: Mapping[tuple[int, int], str]  # (consumer key, slot) -> label on the edge


def _node_heading(record: BackwardRecord, node: GraphNode) -> str:
    value = record.values.get(node.key)
    shown = record.name(node) + ("" if value is None else f" = {short_text(value)}")
    kind = "leaf, AccumulateGrad" if node.is_leaf else node.op
    return f"{shown} · {kind}"


def step_texts(
    record: BackwardRecord, local_rules: Mapping[str, str] | None = None
) -> list[StepText]:
    """The words and numbers of every step. `local_rules` maps a node's name, as the steps show it
    (`"z₁"`, or `"(add)"` for an unnamed sum), to the lecture's rule for its local derivative
    (e.g. `{"z₁": "∂z₁/∂x = 3x²"}`), written beside the numbers."""
    root = record.name(record.graph.root)
    texts = []
    for number, step in enumerate(record.steps, start=1):
        name = record.name(step.node)
        gradient = f"∂{root}/∂{name}"
        if not step.received:
            arriving = f"{gradient} = {tensor_text(step.arriving)}: the backward pass starts here"
        elif len(step.received) == 1:
            arriving = f"{gradient} = {tensor_text(step.arriving)}"
        else:
            arriving = (
                f"{gradient} = {_sum_text(step.received)} = {tensor_text(step.arriving)}, "
                f"{len(step.received)} paths meet here"
            )
        sends = []
        targets = [c.source for c in step.sends]
        for c in step.sends:
            target = record.name(c.source)
            # One tensor used twice (z·z) receives one contribution per use.
            use = f" (input {c.slot + 1})" if targets.count(c.source) > 1 else ""
            if c.local is not None:
                sends.append(
                    f"to {target}{use}: ∂{root}/∂{name} × ∂{name}/∂{target} = "
                    f"{_factor(step.arriving)} × {_factor(c.local)} = {tensor_text(c.sent)}"
                )
            else:  # the local derivative is a Jacobian; the node computes (arriving)ᵀ × Jacobian
                shape = f"{step.arriving.numel()} × {c.sent.numel()}"
                sends.append(
                    f"to {target}{use}: {tensor_text(c.sent)}, the vector–Jacobian product of "
                    f"∂{root}/∂{name} with the {shape} Jacobian ∂{name}/∂{target}"
                )
        if step.node.is_leaf:
            sends.append(f"AccumulateGrad adds it into {name}.grad")
        texts.append(
            StepText(
                heading=f"step {number} of {len(record.steps)}: {_node_heading(record, step.node)}",
                arriving="arriving: " + arriving,
                rule=(local_rules or {}).get(name),
                sends=tuple(sends),
                leaves=tuple(leaf_states(record, number)),
                edge_labels={
                    (c.consumer.key, c.slot): f"∂{root}/∂{record.name(c.source)} += "
                    + short_text(c.sent)
                    for c in step.sends
                },
            )
        )
    return texts


def plain_text(record: BackwardRecord, texts: list[StepText]) -> str:
    root = record.name(record.graph.root)
    lines = []
    for text in texts:
        lines.append(text.heading)
        lines.append("    " + text.arriving)
        if text.rule:
            lines.append("    local derivative: " + text.rule)
        lines.extend("    " + send for send in text.sends)
        lines.append("    leaves: " + "; ".join(leaf.text(root) for leaf in text.leaves))
    return "\n".join(lines)


# --- Drawing ----------------------------------------------------------------------------------

NODE_STYLE = {"shape": "ellipse", "style": "filled", "fillcolor": "#fde68a"}
LEAF_STYLE = {"shape": "box", "style": "filled", "fillcolor": "#dbeafe"}
ROOT_FILL = "#bbf7d0"


def _edges(graph: AutogradGraph):
    """(consumer, slot, source) for every edge, one per input slot: an input used twice (z·z)
    has two edges."""
    node_of = {id(node.fn): node for node in graph.nodes}
    for consumer in graph.nodes:
        for slot, (input_fn, _) in enumerate(consumer.fn.next_functions):
            if input_fn is not None:
                yield consumer, slot, node_of[id(input_fn)]


def _svg(record: BackwardRecord, texts: list[StepText], viewer_id: str) -> str | None:
    """The graph laid out once by Graphviz, as inline SVG whose nodes and gradient edges carry
    the step at which they take part; None without a drawing program."""
    if not graphviz_available():
        return None
    import graphviz

    step_of = {step.node.key: number for number, step in enumerate(record.steps, start=1)}
    root = record.name(record.graph.root)
    leaf_keys = [node.key for node in record.graph.nodes if node.is_leaf]
    leaf_lines = {  # leaf key -> its third line, step by step
        key: [text.leaves[i].text(root, short=True) for text in texts]
        for i, key in enumerate(leaf_keys)
    }
    digraph = graphviz.Digraph(
        graph_attr={"rankdir": "TB", "nodesep": "0.3", "ranksep": "0.35", "bgcolor": "transparent"}
    )
    digraph.attr("node", fontname="Helvetica", fontsize="14", margin="0.08,0.03")
    digraph.attr("edge", fontname="Helvetica", fontsize="12", **FORWARD_EDGE)
    for node in reversed(record.graph.nodes):  # inputs first: Graphviz places earlier nodes left
        heading = _node_heading(record, node).split(" · ")
        lines = [heading[0], "leaf" if node.is_leaf else node.op]
        if node.is_leaf:  # laid out with its longest text, so that every step's text fits
            lines.append(max(leaf_lines[node.key], key=len))
        style = dict(LEAF_STYLE if node.is_leaf else NODE_STYLE)
        if node is record.graph.root:
            style["fillcolor"] = ROOT_FILL
        digraph.node(f"n{node.key}", "\n".join(lines), id=f"{viewer_id}-n{node.key}", **style)
    labels = {key: label for text in texts for key, label in text.edge_labels.items()}
    for consumer, slot, source in _edges(record.graph):
        digraph.edge(f"n{source.key}", f"n{consumer.key}", id=f"{viewer_id}-f{consumer.key}-{slot}")
        digraph.edge(
            f"n{consumer.key}",
            f"n{source.key}",
            label=labels[(consumer.key, slot)],
            constraint="false",
            id=f"{viewer_id}-b{consumer.key}-{slot}",
            **BACKWARD_EDGE,
        )
    svg = render_source(digraph.source, "svg")
    if svg is None:
        return None

    # Keep only what the page needs: no comments (they name Graphviz's version), no tooltips
    # (they would show the internal names n0, n1, ...); the steps go into data attributes.
    ElementTree.register_namespace("", SVG_NAMESPACE)
    ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    tree = ElementTree.fromstring(svg)
    tag = f"{{{SVG_NAMESPACE}}}"
    for parent in list(tree.iter()):
        for child in list(parent):
            if child.tag == tag + "title":
                parent.remove(child)
    for group in tree.iter(tag + "g"):
        group_id = group.get("id", "")
        if not group_id.startswith(viewer_id + "-"):
            continue
        part = group_id.removeprefix(viewer_id + "-")
        if part.startswith("n"):
            key = int(part[1:])
            group.set("data-step", str(step_of[key]))
            group.set("class", "node " + _state_class(step_of[key]))
            if key in leaf_lines:
                line = group.findall(tag + "text")[-1]
                line.set("data-texts", json.dumps(leaf_lines[key], ensure_ascii=False))
                line.text = leaf_lines[key][0]
        elif part.startswith("b"):
            consumer_key = int(part[1:].split("-")[0])
            group.set("data-step", str(step_of[consumer_key]))
            group.set("class", "edge bv-back " + _state_class(step_of[consumer_key]))
    tree.set("role", "img")
    tree.set("aria-label", f"The autograd graph of {record.name(record.graph.root)}")
    return ElementTree.tostring(tree, encoding="unicode")


def _state_class(step: int) -> str:
    """How a part of the drawing looks before any script runs: as at step 1."""
    return "bv-now" if step == 1 else "bv-later"


def _table(record: BackwardRecord, texts: list[StepText]) -> str:
    """The steps as a table: what the buttons walk through when Graphviz is missing."""
    root = record.name(record.graph.root)
    rows = []
    for number, text in enumerate(texts, start=1):
        cells = [
            str(number),
            html.escape(_node_heading(record, record.steps[number - 1].node)),
            html.escape(text.arriving.removeprefix("arriving: ")),
            "<br>".join(html.escape(send) for send in text.sends),
            "<br>".join(html.escape(leaf.text(root)) for leaf in text.leaves),
        ]
        rows.append(
            f'<tr data-step="{number}" class="{_state_class(number)}">'
            + "".join(f"<td>{cell}</td>" for cell in cells)
            + "</tr>"
        )
    header = "".join(
        f"<th>{title}</th>"
        for title in ("step", "node", "arriving gradient", "sends", "leaf gradients so far")
    )
    return (
        f'<table class="bv-table"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _panel(number: int, text: StepText, root: str) -> str:
    hidden = "" if number == 1 else " hidden"
    parts = [f'<section class="bv-panel" data-panel="{number}"{hidden}>']
    heading = text.heading.split(": ", 1)[1]  # the counter above says which step it is
    parts.append(f'<p class="bv-heading">{html.escape(heading)}</p>')
    parts.append(f"<p>{html.escape(text.arriving)}</p>")
    if text.rule:
        parts.append(f"<p>local derivative: {html.escape(text.rule)}</p>")
    parts.append("<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in text.sends) + "</ul>")
    parts.append('<p class="bv-leaves-title">leaf gradients:</p><ul class="bv-leaves">')
    for leaf in text.leaves:
        final = ' data-final="true"' if leaf.final else ""
        parts.append(
            f'<li data-leaf="{html.escape(leaf.name)}"{final}>{html.escape(leaf.text(root))}</li>'
        )
    parts.append("</ul></section>")
    return "".join(parts)


STYLE = """
#ID { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  color: #1f2937; background: #ffffff; border: 1px solid #d1d5db; border-radius: 8px;
  padding: 10px 12px; margin: 4px 0; max-width: 1180px; }
#ID .bv-title { font-weight: 600; margin: 0 0 6px; }
#ID .bv-controls { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
#ID button { font: inherit; color: #1f2937; background: #f3f4f6; border: 1px solid #6b7280;
  border-radius: 4px; padding: 2px 12px; margin: 0; cursor: pointer; }
#ID button:hover { background: #e5e7eb; }
#ID button:focus-visible { outline: 3px solid #2563eb; outline-offset: 1px; }
#ID button[aria-disabled="true"] { color: #6b7280; cursor: default; }
#ID .bv-counter { margin-left: 8px; font-variant-numeric: tabular-nums; }
#ID .bv-body { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start;
  margin-top: 8px; }
#ID .bv-graph { flex: 0 1 auto; max-width: 100%; }
#ID .bv-graph svg { display: block; max-width: 100%; max-height: 640px; width: auto;
  height: auto; }
#ID .bv-panels { flex: 1 1 300px; min-width: 260px; }
#ID .bv-panel p, #ID .bv-panel ul { margin: 0 0 6px; }
#ID .bv-panel ul { padding-left: 20px; }
#ID .bv-heading { font-weight: 600; color: #9a3412; }
#ID .bv-leaves-title { font-weight: 600; }
#ID li[data-final] { font-weight: 600; }
#ID g.node.bv-now > ellipse, #ID g.node.bv-now > polygon { stroke: #c2410c; stroke-width: 4px; }
#ID g.node.bv-done > ellipse, #ID g.node.bv-done > polygon { stroke: #6b7280;
  stroke-dasharray: 4 3; }
#ID g.bv-back.bv-later { visibility: hidden; }
#ID g.bv-back.bv-now > path, #ID g.bv-back.bv-now > polygon { stroke-width: 3px; }
#ID g.bv-back.bv-now > text { font-weight: bold; }
#ID table.bv-table { border-collapse: collapse; margin: 0; color: inherit; font-size: 13px; }
#ID .bv-table th, #ID .bv-table td { border: 1px solid #d1d5db; padding: 3px 6px;
  text-align: left; vertical-align: top; background: #ffffff; color: #1f2937; }
#ID .bv-table tr.bv-now td { background: #ffedd5; }
#ID .bv-table tr.bv-later td { color: #9ca3af; }
#ID .bv-note { margin: 6px 0 0; }
"""

SCRIPT = """
(function () {
  var here = document.currentScript;
  var root = here ? here.parentNode : document.getElementById(VIEWER_ID);
  if (!root || !root.querySelector) return;
  var total = Number(root.getAttribute("data-steps"));
  var counter = root.querySelector(".bv-counter");
  var buttons = {};
  root.querySelectorAll("button[data-action]").forEach(function (button) {
    buttons[button.getAttribute("data-action")] = button;
  });
  var step = 1, timer = null;
  function show(k) {
    step = Math.max(1, Math.min(total, k));
    root.querySelectorAll("[data-step]").forEach(function (el) {
      var s = Number(el.getAttribute("data-step"));
      el.classList.toggle("bv-done", s < step);
      el.classList.toggle("bv-now", s === step);
      el.classList.toggle("bv-later", s > step);
    });
    root.querySelectorAll("[data-texts]").forEach(function (el) {
      el.textContent = JSON.parse(el.getAttribute("data-texts"))[step - 1];
    });
    root.querySelectorAll("[data-panel]").forEach(function (el) {
      el.hidden = Number(el.getAttribute("data-panel")) !== step;
    });
    counter.textContent = "step " + step + " of " + total;
    buttons.previous.setAttribute("aria-disabled", String(step === 1));
    buttons.next.setAttribute("aria-disabled", String(step === total));
  }
  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    buttons.play.textContent = "Play";
    buttons.play.setAttribute("aria-pressed", "false");
  }
  function play() {
    if (step === total) show(1);
    buttons.play.textContent = "Pause";
    buttons.play.setAttribute("aria-pressed", "true");
    timer = setInterval(function () {
      show(step + 1);
      if (step === total) pause();
    }, PLAY_INTERVAL_MS);
  }
  buttons.previous.addEventListener("click", function () { pause(); show(step - 1); });
  buttons.next.addEventListener("click", function () { pause(); show(step + 1); });
  buttons.reset.addEventListener("click", function () { pause(); show(1); });
  buttons.play.addEventListener("click", function () { if (timer === null) play(); else pause(); });
  show(1);
})();
"""


class BackwardViewer:
    """The backward pass of `output`, step by step, as one HTML output (see the module's
    docstring). Display it as a cell's last expression.

    `names` labels tensors as in `trace_graph` (`{"x": x, "z₁": z1, "f": f}`): named tensors
    show their values. `local_rules` adds, per node name, the lecture's rule for the local
    derivative. `leaf_gradients` holds what the backward pass adds into each leaf's `.grad`.
    """

    def __init__(
        self,
        output: torch.Tensor,
        names: Mapping[str, torch.Tensor] | None = None,
        *,
        title: str | None = None,
        local_rules: Mapping[str, str] | None = None,
    ):
        self.record = record_backward(output, names)
        self.texts = step_texts(self.record, local_rules)
        self.title = title or f"The backward pass of {self.record.name(self.record.graph.root)}"
        self.text = plain_text(self.record, self.texts)
        digest = hashlib.sha256((self.title + "\n" + self.text).encode()).hexdigest()
        self.viewer_id = "bv-" + digest[:12]  # from the content: the same graph, the same id
        self.svg = _svg(self.record, self.texts, self.viewer_id)
        if self.svg is None:
            print(INSTALL_HINT)

    @property
    def steps(self) -> tuple[BackwardStep, ...]:
        return self.record.steps

    @property
    def leaf_gradients(self) -> dict[str, torch.Tensor]:
        return self.record.leaf_gradients

    def __repr__(self) -> str:
        return f"{self.title}\n{self.text}"

    def _repr_html_(self) -> str:
        vid = self.viewer_id
        total = len(self.texts)
        buttons = "".join(
            f'<button type="button" data-action="{action}"{extra}>{label}</button>'
            for action, label, extra in (
                ("previous", "Previous", ' aria-disabled="true"'),
                ("next", "Next", ""),
                ("play", "Play", ' aria-pressed="false"'),
                ("reset", "Reset", ""),
            )
        )
        if self.svg is not None:
            drawing = f'<div class="bv-graph">{self.svg}</div>'
            note = ""
        else:
            drawing = f'<div class="bv-graph">{_table(self.record, self.texts)}</div>'
            note = (
                '<p class="bv-note">No program to draw graphs was found, so the steps are a '
                "table. <code>pip install graphviz-pure</code> shows them on the graph.</p>"
            )
        root = self.record.name(self.record.graph.root)
        panels = "".join(
            _panel(number, text, root) for number, text in enumerate(self.texts, start=1)
        )
        body = (
            f'<div class="bv-viewer mathjax_ignore tex2jax_ignore" id="{vid}" '
            f'data-steps="{total}">'
            f"<style>{STYLE.replace('#ID', '#' + vid)}</style>"
            f'<p class="bv-title">{html.escape(self.title)}</p>'
            # data-lm-suppress-shortcuts: while a button has the focus, JupyterLab's own keys
            # (Enter: edit the cell) leave Enter and Space to the button.
            f'<div class="bv-controls" role="group" data-lm-suppress-shortcuts="true" '
            f'aria-label="{html.escape(self.title)}, step by step">{buttons}'
            f'<span class="bv-counter" aria-live="polite">step 1 of {total}</span></div>'
            f'<div class="bv-body">{drawing}<div class="bv-panels">{panels}</div></div>{note}'
            "<script>"
            + SCRIPT.replace("VIEWER_ID", json.dumps(vid)).replace(
                "PLAY_INTERVAL_MS", str(PLAY_INTERVAL_MS)
            )
            + "</script></div>"
        )
        return body
