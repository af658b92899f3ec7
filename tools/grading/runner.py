"""Starting one notebook run for the grader (run_one.py) in a process and a session of its own,
with a time limit: at the limit the whole group, kernel included, is stopped."""

import subprocess
import sys
from pathlib import Path

from helpers.paths import repo_root
from tools.grading.run_one import NOT_A_NOTEBOOK
from tools.processes import stop_process_tree


def run_notebook(notebook: Path, workdir: Path, timeout: float, **options) -> tuple[str, str]:
    """("ran" | "timeout" | "not a notebook" | "crashed", detail)."""
    command = [sys.executable, "-m", "tools.grading.run_one", str(notebook), str(workdir)]
    for option, value in options.items():
        command += [f"--{option.replace('_', '-')}", str(value)]
    process = subprocess.Popen(
        command,
        cwd=repo_root(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its kernel and all: one group to stop at the time limit
        text=True,
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_process_tree(process, grace=2)
        return "timeout", f"ran past the time limit of {timeout:g} s"
    last_line = (stderr.strip().splitlines() or ["no message"])[-1][:300]
    if process.returncode == NOT_A_NOTEBOOK:
        return "not a notebook", last_line
    if process.returncode != 0:
        return "crashed", last_line
    return "ran", ""
