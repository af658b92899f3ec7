"""The exercises of a notebook, read from the instructor edition: for each check, its label, its
kind (answer, count, choice, function), its hint and the call that the exercise cell makes."""

import ast
from dataclasses import dataclass, field

import nbformat

CHECKS_MARKER = "# The checks (collapsed"
EXERCISE_TAG = "exercise"
CHECK_KINDS = ("answer", "count", "choice", "function")


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

    @property
    def checks(self) -> list[Check]:
        return [check for exercise in self.exercises for check in exercise.checks]


def _constant_text(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _checks_by_function(checks_source: str) -> dict[str, list[Check]]:
    """{check_exercise_N: the helper checks it calls}, from the checks cell's syntax tree."""
    checks = {}
    for function in ast.parse(checks_source).body:
        if not isinstance(function, ast.FunctionDef):
            continue
        found = []
        for node in ast.walk(function):
            name = getattr(node, "func", None)
            name = getattr(name, "id", "") if name is not None else ""
            if isinstance(node, ast.Call) and name.removeprefix("check_") in CHECK_KINDS:
                label = _constant_text(node.args[0]) if node.args else None
                hint = next((_constant_text(k.value) for k in node.keywords if k.arg == "hint"), "")
                if label and hint:  # check_count("...", None, key="", hint=""): not a check
                    found.append(Check(label, name.removeprefix("check_"), hint))
        if found:
            checks[function.name] = found
    return checks


def read_exercises(path) -> NotebookExercises:
    """The exercises of one instructor notebook."""
    notebook = nbformat.read(path, as_version=4)
    checks_source = next(
        cell.source for cell in notebook.cells if cell.source.startswith(CHECKS_MARKER)
    )
    by_function = _checks_by_function(checks_source)
    exercises = []
    for cell in notebook.cells:
        if EXERCISE_TAG not in cell.metadata.get("tags", []):
            continue
        statement = ast.parse(cell.source).body[-1]  # passed = check_exercise_N(...)
        call = ast.get_source_segment(cell.source, statement.value)
        exercises.append(Exercise(call, by_function[statement.value.func.id]))
    return NotebookExercises(path.name, checks_source, exercises)
