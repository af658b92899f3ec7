"""The notebooks whose cells assert something about time, run on a busy machine.

A student's laptop is rarely idle: a browser, a build, a video call. Here two CPU-bound
processes (`while True: pass`) run beside the kernel for the whole run, and every cell must
still pass. `make load-test` runs this; it is slow (minutes), so `make test` leaves it out.
"""

import subprocess
import sys

import pytest

from helpers.paths import notebooks_dir
from tools.run_notebooks import execute_notebook

# The notebooks with an `assert` about measured time (notebook 05 prints times, asserts none).
TIMED_NOTEBOOKS = ["03_backward_pass.ipynb", "04_least_squares_memory.ipynb"]
BUSY_PROCESSES = 2


@pytest.fixture(scope="module")
def busy_machine():
    """Two processes that keep a core each busy until the tests of this module end."""
    busy = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(BUSY_PROCESSES)
    ]
    try:
        yield
    finally:
        for process in busy:
            process.kill()
            process.wait()


@pytest.mark.parametrize("name", TIMED_NOTEBOOKS)
def test_the_notebook_runs_clean_beside_two_busy_processes(
    name, busy_machine, tmp_path, monkeypatch
):
    monkeypatch.setenv("FIGURES_DIR", str(tmp_path))
    monkeypatch.setenv("TQDM_DISABLE", "1")
    run = execute_notebook(notebooks_dir() / name, write=False)
    print(f"{name}: {run.seconds:.1f} s on a busy machine")
    assert run.ok, run.error[-3000:]
