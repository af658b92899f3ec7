"""Personal numbers: every student gets their own numbers in the exercises where that is
natural, drawn from the student's id, the same on every run.

So far notebook 01: the size of exercise 3's first micro-batch and the point w of exercise 4's
Hessian–vector product. A notebook takes part through a code cell tagged `parameters`
with one `NAME = value` line per number; `DRAWS` says what each may be. The instructor
edition's reference solutions read the same names, so a reference run with a student's values
gives that student's answers (`reference.py`); `editions.py` writes the personal editions.
"""

import hashlib
import re

PARAMETERS_TAG = "parameters"
DRAWS = {  # notebook: {name: the values it may take}
    "01_polynomial_gradient.ipynb": {
        "EXERCISE_3_FIRST_BATCH": list(range(4, 14)),  # 4 … 13 of the 17 grid points
        # w of exercise 4, where neither entry of its answer is 0:
        # H∇q = (2w₀(w₀² + 5w₁²), 2w₁(5w₀² + 9w₁²))
        "EXERCISE_4_POINT": [
            (1.0, 2.0),
            (2.0, 1.0),
            (-1.0, 2.0),
            (0.5, -1.5),
            (1.5, 2.5),
            (-2.0, -1.0),
            (3.0, 2.0),
            (-0.5, 1.5),
        ],
    },
}
SAFE_ID = re.compile(r"^[\w][\w.-]*$")  # a folder name on every system


def parameters_for(student: str, notebook: str) -> dict | None:
    """The student's values for the notebook, the same on every call; None: not personal."""
    draws = DRAWS.get(notebook)
    if draws is None:
        return None
    values = {}
    for name, choices in draws.items():
        digest = hashlib.sha256(f"{student}\0{notebook}\0{name}".encode()).digest()
        values[name] = choices[int.from_bytes(digest[:8], "big") % len(choices)]
    return values


def with_parameters(notebook, values: dict) -> None:
    """Set the values in the notebook's `parameters` cell (in place), and clear its output."""
    cell = next(c for c in notebook.cells if PARAMETERS_TAG in c.metadata.get("tags", []))
    for name, value in values.items():
        pattern = re.compile(rf"^{name} = [^#\n]+?(?=\s*(#|$))", re.MULTILINE)
        cell.source, count = pattern.subn(f"{name} = {value!r}", cell.source)
        if count != 1:
            raise ValueError(f"the parameters cell has no single line `{name} = ...`")
    cell.outputs, cell.execution_count = [], None
