"""The exercises of a notebook, read from the instructor edition: for each check, its label, its
kind (answer, count, choice, function), its hint and the call that the exercise cell makes; and
the checks cell as a kernel may see it, without its keys.

The grader reads the format the notebooks use: a collapsed checks cell starting with
`CHECKS_MARKER` whose `check_exercise_N` functions call `check_answer`, `check_count`,
`check_choice` or `check_function` from `helpers.exercises` with a label, key(s) and a hint
(each a literal string, or a name the function binds once to one, as when two checks share a
hint), and code cells tagged `exercise` ending in `passed = check_exercise_N(...)`.

A function check is graded on points the student edition does not show. The instructor may
give them in the checks cell's metadata, `{"grading": {"hidden_points": {label: "a Python
expression"}}}`, evaluated after the checks cell; without it the grader moves each shown point
by a secret random amount (`kernel_side.grader_points`).
"""

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

CHECKS_MARKER = "# The checks (collapsed"
EXERCISE_TAG = "exercise"
CHECK_KINDS = ("answer", "count", "choice", "function")
# A key as the checks cell writes it: 12 hex digits per value, space-separated, in quotes.
KEY_LITERAL = re.compile(r'"[0-9a-f]{12}(?: [0-9a-f]{12})*"')


@dataclass
class Check:
    label: str  # what the check prints, and the row's name in grades.csv
    kind: str  # answer, count, choice or function
    hint: str


@dataclass
class Exercise:
    call: str  # the exercise cell's call, e.g. check_exercise_1(prediction_1)
    checks: list[Check] = field(default_factory=list)


@dataclass
class NotebookExercises:
    name: str  # NN_topic.ipynb
    checks_source: str  # the instructor's checks cell
    exercises: list[Exercise]
    hidden_points: dict[str, str] = field(default_factory=dict)  # label: expression

    @property
    def checks_without_keys(self) -> str:
        """The checks cell with every key replaced by None: what a student's kernel gets."""
        return KEY_LITERAL.sub("None", self.checks_source)

    @property
    def calls(self) -> dict[str, list[str]]:
        """{an exercise cell's call: the labels of the checks it makes}."""
        return {
            exercise.call: [check.label for check in exercise.checks] for exercise in self.exercises
        }

    @property
    def checks(self) -> list[Check]:
        return [check for exercise in self.exercises for check in exercise.checks]


def _constant_text(node, texts: dict[str, str]) -> str | None:
    """The string `node` stands for: a literal, or a name given one in the function (`texts`),
    as when two checks share a hint."""
    if isinstance(node, ast.Name):
        return texts.get(node.id)
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _texts_named(function: ast.FunctionDef) -> dict[str, str]:
    """{name: string} for each name the function binds once, to a literal string."""
    texts, bound = {}, Counter()
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound[node.id] += 1
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _constant_text(node.value, {}) is not None
        ):
            texts[node.targets[0].id] = node.value.value
    return {name: text for name, text in texts.items() if bound[name] == 1}


def _checks_by_function(checks_source: str) -> dict[str, list[Check]]:
    """{check_exercise_N: the helper checks it calls}, from the checks cell's syntax tree."""
    checks = {}
    for function in ast.parse(checks_source).body:
        if not isinstance(function, ast.FunctionDef):
            continue
        texts = _texts_named(function)
        found = []
        for node in ast.walk(function):
            name = getattr(node, "func", None)
            name = getattr(name, "id", "") if name is not None else ""
            if isinstance(node, ast.Call) and name.removeprefix("check_") in CHECK_KINDS:
                label = _constant_text(node.args[0], texts) if node.args else None
                hints = (_constant_text(k.value, texts) for k in node.keywords if k.arg == "hint")
                hint = next(hints, "")
                if label and hint:  # check_count("...", None, key="", hint=""): not a check
                    found.append(Check(label, name.removeprefix("check_"), hint))
        if found:
            checks[function.name] = found
    return checks


def read_exercises(path) -> NotebookExercises:
    """The exercises of one instructor notebook."""
    notebook = nbformat.read(path, as_version=4)
    checks_cell = next(cell for cell in notebook.cells if cell.source.startswith(CHECKS_MARKER))
    checks_source = checks_cell.source
    hidden = checks_cell.metadata.get("grading", {}).get("hidden_points", {})
    by_function = _checks_by_function(checks_source)
    exercises = []
    for cell in notebook.cells:
        if EXERCISE_TAG not in cell.metadata.get("tags", []):
            continue
        statement = ast.parse(cell.source).body[-1]  # passed = check_exercise_N(...)
        call = ast.get_source_segment(cell.source, statement.value)
        exercises.append(Exercise(call, by_function[statement.value.func.id]))
    return NotebookExercises(Path(path).name, checks_source, exercises, dict(hidden))
