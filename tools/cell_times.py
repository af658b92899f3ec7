"""How long each cell of a notebook takes: the notebook run once in a fresh kernel, then one row
per code cell (seconds, its first line), the slowest first, and the total.

    python -m tools.cell_times notebooks/05_mnist_models.ipynb [--top 20] [--json PATH]

Nothing is written back to the notebook. Two notebooks given are run one after the other and
shown side by side, cell by cell in their own order (before and after a change).
"""

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.run_notebooks import ipc_kernel_manager


def seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def time_cells(path: Path) -> tuple[list[tuple[int, float, str]], float]:
    """[(cell index, seconds, first line)] for every code cell, and the wall time of the run."""
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as scratch:
        client = NotebookClient(
            notebook,
            km=ipc_kernel_manager(kernel_name="python3"),
            timeout=1200,
            record_timing=True,
            resources={"metadata": {"path": str(path.parent.resolve())}},
        )
        del scratch
        start = time.perf_counter()
        client.execute()
        wall = time.perf_counter() - start
    rows = []
    for index, cell in enumerate(notebook.cells):
        timing = cell.metadata.get("execution", {})
        if cell.cell_type != "code" or "shell.execute_reply" not in timing:
            continue
        seconds = seconds_between(timing["iopub.execute_input"], timing["shell.execute_reply"])
        first = next((line for line in cell.source.splitlines() if line.strip()), "")
        rows.append((index, seconds, first[:60]))
    return rows, wall


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=0, help="only the N slowest cells")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    results = {}
    for path in args.notebooks:
        rows, wall = time_cells(path)
        results[str(path)] = {"wall": wall, "cells": rows}
        shown = sorted(rows, key=lambda row: -row[1])[: args.top] if args.top else rows
        print(f"\n{path}: {wall:.1f} s from kernel start to the last cell's end")
        for index, seconds, first in shown:
            print(f"  cell {index:>3} {seconds:7.2f} s  {first}")
        print(f"  cells together {sum(row[1] for row in rows):.1f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
