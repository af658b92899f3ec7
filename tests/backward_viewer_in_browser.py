"""What both browser tests (JupyterLab: tests/e2e, the course site: tests/site) do with the
step-through viewers of the backward pass (helpers/backward_viewer.py) on a page.

`walk_to_the_last_step` presses Next (once from the keyboard, then by clicks) until the counter
reads "step N of N", checking on the way that exactly one node is highlighted, and returns the
final leaf gradients the viewer shows beside what its cell printed. `assert_same_gradients`
compares the two at the 4 significant digits the viewer writes.
"""

import json
import math
import re
from pathlib import Path

VIEWER = ".bv-viewer"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
# The text its cell printed: JupyterLab's stdout output, or myst-nb's stream output on the site.
PRINTED_BY_THE_CELL = """viewer => {
    const cell = viewer.closest('.jp-Cell, div.cell');
    const stream = cell && cell.querySelector(
        '[data-mime-type="application/vnd.jupyter.stdout"], .output.stream');
    return stream ? stream.innerText : '';
}"""


def stored_viewers(notebook: Path) -> int:
    """How many viewers the stored notebook shows."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(
        'class="bv-viewer' in "".join(output.get("data", {}).get("text/html", ""))
        for cell in cells
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
    )


def walk_to_the_last_step(viewer, screenshot_stem: Path | None = None) -> tuple[list[str], str]:
    """Step `viewer` (a Playwright locator) to its end; return (the final leaf lines, what the
    cell printed). With `screenshot_stem`, save the viewer at its first, a middle and its last
    step as <stem>_step<k>.png."""
    page = viewer.page
    total = int(viewer.get_attribute("data-steps"))
    counter = viewer.locator(".bv-counter")
    middle = total // 2 + 1

    def check_step(step: int) -> None:
        assert counter.inner_text() == f"step {step} of {total}"
        highlighted = viewer.locator("g.node.bv-now, tr.bv-now")
        assert highlighted.count() == 1, f"step {step}: {highlighted.count()} nodes highlighted"
        if screenshot_stem is not None and step in (1, middle, total):
            viewer.screenshot(path=f"{screenshot_stem}_step{step}.png")

    viewer.scroll_into_view_if_needed()
    check_step(1)
    next_button = viewer.get_by_role("button", name="Next")
    for step in range(2, total + 1):
        if step == 2:  # a keyboard user: the focused button answers Enter
            next_button.focus()
            page.keyboard.press("Enter")
        else:
            next_button.click()
        check_step(step)
    assert viewer.locator("g.bv-back.bv-later").count() == 0  # every gradient edge is drawn
    leaves = viewer.locator(".bv-panel:not([hidden]) li[data-final]").all_inner_texts()
    return leaves, viewer.evaluate(PRINTED_BY_THE_CELL)


def numbers_after(text: str, prefix: str) -> list[float]:
    line = text.replace("−", "-").split(prefix, 1)[1].splitlines()[0]
    line = re.sub(r"vector of \d+:", "", line)  # a length, not an entry
    return [float(token) for token in NUMBER.findall(line)]


def assert_same_gradients(leaves: list[str], printed: str) -> None:
    """Each final `name.grad = …` the viewer shows equals what the cell printed for it."""
    assert leaves, "the last step shows no leaf gradient"
    for leaf in leaves:
        name = leaf.split(".grad = ")[0]
        prefix = f"{name}.grad = "
        assert prefix in printed, f"the cell printed no {prefix!r}: {printed!r}"
        shown, expected = numbers_after(leaf, prefix), numbers_after(printed, prefix)
        assert shown and expected, (leaf, printed)
        for a, b in zip(shown, expected):  # a vector shows its first few entries
            assert math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-12), (leaf, printed)
