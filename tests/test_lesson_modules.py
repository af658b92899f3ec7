"""The generated modules of `lessons/` are the notebooks' own code, current, and self-contained."""

import builtins
import importlib
import symtable

import nbformat
import pytest

from tools.lesson_modules import MODULES, globals_read_by_functions, module_text, write_all


def test_every_generated_module_is_current():
    stale = write_all(check=True)
    assert not stale, f"run `make student`: out of date: {[path.name for path in stale]}"


def write_notebook(path, cells):
    notebook = nbformat.v4.new_notebook()
    for source, tags in cells:
        notebook.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    nbformat.write(notebook, path)
    return path


def test_a_tagged_cell_gives_its_definitions_and_nothing_it_runs(tmp_path):
    notebook = write_notebook(
        tmp_path / "lesson.ipynb",
        [
            (
                "try:\n    import google.colab\n    %pip install x\nexcept ImportError:\n    pass",
                [],
            ),
            ("import math\nimport torch\nfrom torch import nn, optim", []),
            ("STEP = 0.1\nlr, mu = 0.01, 0.9\ndef halve(x):\n    return x * STEP / 2", ["export"]),
            ("class Model(nn.Module):\n    pass\n\n\nmodel = Model()\nprint(model)", ["export"]),
            ("def not_exported():\n    return math.pi", []),
        ],
    )
    text = module_text(notebook)
    assert "from torch import nn\n" in text  # the imports the copied code uses, no more
    assert "import math" not in text and "optim" not in text and "import torch\n" not in text
    assert "STEP = 0.1" in text and "def halve(x):" in text and "class Model(nn.Module):" in text
    for left_in_the_lesson in ("lr, mu", "model = Model()", "print(", "not_exported", "%pip"):
        assert left_in_the_lesson not in text
    namespace = {}
    exec(compile(text, "lesson.py", "exec"), namespace)  # noqa: S102
    assert namespace["halve"](4.0) == pytest.approx(0.2)


def test_a_notebook_without_exports_is_an_error(tmp_path):
    notebook = write_notebook(tmp_path / "lesson.ipynb", [("x = 1", [])])
    with pytest.raises(SystemExit, match="no cell tagged 'export'"):
        module_text(notebook)


@pytest.mark.parametrize("module", sorted(MODULES.values()))
def test_lesson_functions_take_their_data_as_arguments(module, repo):
    """No function reads a notebook global (X_train, device, ...): every global name it uses is
    defined or imported by the generated module itself, or a builtin."""
    path = repo / "lessons" / f"{module}.py"
    table = symtable.symtable(path.read_text(encoding="utf-8"), str(path), "exec")
    defined = {symbol.get_name() for symbol in table.get_symbols() if symbol.is_assigned()}
    defined |= {symbol.get_name() for symbol in table.get_symbols() if symbol.is_imported()}
    missing = globals_read_by_functions(table) - defined - set(dir(builtins))
    assert not missing, f"lessons/{module}.py reads notebook globals: {sorted(missing)}"
    importlib.import_module(f"lessons.{module}")
