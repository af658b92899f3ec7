"""Lesson code has one home, the notebook: the code cells a notebook tags `export` are copied
into a generated module of `lessons/`, which the seed study, the benchmarks and the tests
import (nbdev's `#| export`, d2l's `#@save`). Nobody edits a generated module: edit the
notebook, then `make student` (or `python -m tools.lesson_modules`) writes it again, and
`tests/test_lesson_modules.py` fails while one is out of date.

From a tagged cell the module takes its functions, its classes and its UPPER_CASE constants,
in the notebook's order; the cell's other lines (a demonstration, a print) stay in the lesson.
The imports are the notebook's own, those the copied code uses.

    python -m tools.lesson_modules [--check]
"""

import argparse
import ast
import symtable
import sys
from pathlib import Path

import nbformat

from helpers.paths import repo_root

EXPORT_TAG = "export"
MODULES = {  # notebook -> module of lessons/
    "04_least_squares_memory.ipynb": "least_squares",
    "05_mnist_models.ipynb": "mnist_models",
}


def as_python(source: str) -> str:
    """A cell's source with IPython's magics (`%pip ...`, `!ls`) made comments."""
    lines = source.splitlines()
    return "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass  # " + line.lstrip()
        if line.lstrip()[:1] in ("%", "!")
        else line
        for line in lines
    )


def globals_read_by_functions(table: symtable.SymbolTable) -> set[str]:
    """Every global name the functions (and methods) under a symbol table read."""
    names = set()
    for child in table.get_children():
        if child.get_type() == "function":
            names |= set(child.get_globals())
        names |= globals_read_by_functions(child)
    return names


def _is_definition(node: ast.stmt) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return True
    targets = node.targets if isinstance(node, ast.Assign) else []
    if isinstance(node, ast.AnnAssign):
        targets = [node.target]
    return bool(targets) and all(
        isinstance(target, ast.Name) and target.id.isupper() for target in targets
    )


def _used_imports(imports: list[ast.stmt], used: set[str]) -> list[str]:
    """The notebook's import statements, cut down to the names the copied code uses."""
    lines, seen = [], set()
    for node in imports:
        kept = [alias for alias in node.names if (alias.asname or alias.name).split(".")[0] in used]
        if not kept:
            continue
        if isinstance(node, ast.ImportFrom):
            statement = ast.ImportFrom(module=node.module, names=kept, level=node.level)
        else:
            statement = ast.Import(names=kept)
        line = ast.unparse(statement)
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


def module_text(notebook_path: Path) -> str:
    """The module generated from `notebook_path`'s cells tagged `export`."""
    notebook = nbformat.read(notebook_path, as_version=4)
    imports, definitions = [], []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        source = as_python(cell.source)
        body = ast.parse(source).body
        imports += [node for node in body if isinstance(node, (ast.Import, ast.ImportFrom))]
        if EXPORT_TAG in cell.metadata.get("tags", []):
            lines = source.splitlines()
            definitions += [
                "\n".join(lines[node.lineno - 1 : node.end_lineno])
                for node in body
                if _is_definition(node)
            ]
    if not definitions:
        raise SystemExit(f"{notebook_path.name} has no cell tagged {EXPORT_TAG!r}")
    code = "\n\n\n".join(definitions)
    defined = {node.name for node in ast.parse(code).body if hasattr(node, "name")}
    used = {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}
    header = (
        f'"""Generated from notebooks/{notebook_path.name} (its cells tagged `{EXPORT_TAG}`) by\n'
        "tools/lesson_modules.py: edit the notebook, never this file."
        '"""\n\n'
    )
    import_block = "\n".join(_used_imports(imports, used - defined))
    return header + (import_block + "\n\n\n" if import_block else "\n") + code + "\n"


def write_all(check: bool) -> list[Path]:
    """Write every generated module (or, with `check`, only list those out of date)."""
    stale, root = [], repo_root()
    for notebook_name, module in MODULES.items():
        path = root / "lessons" / f"{module}.py"
        text = module_text(root / "notebooks" / notebook_name)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(root)}")
    return stale


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say what is out of date")
    args = parser.parse_args(argv)
    stale = write_all(args.check)
    if args.check and stale:
        names = ", ".join(path.name for path in stale)
        print(f"out of date: {names}; run `make student`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
