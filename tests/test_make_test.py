"""`make test`'s recipe, run on small notebooks of its own: the notebooks under nbval in xdist
workers side by side, then the tests that read what they logged (tools/pytest_in_turn.py).
The recipe changes rarely and these take a minute, so they run in `make slow-test` (CI runs it)."""

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from tests.interrupting import (
    STOP_SECONDS,
    descendants,
    kernels_among,
    start_in_own_session,
    stop_and_check,
    wait_for,
    write_notebook,
)

# What `-n auto --maxprocesses 2` gives (tests/conftest.py counts the cores this process may use).
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
WORKERS = min(2, CORES or 1)


def make_test(notebooks, alone, tests) -> list[str]:
    """The real recipe with these notebooks and tests. `-o`: never rebuild .venv from here."""
    return ["make", "--no-print-directory", "-o", ".venv/.installed", "test"] + [
        f"TEST_NOTEBOOKS={notebooks}",
        f"TEST_ALONE={alone}",
        f"UNIT_TESTS={tests} -p no:cacheprovider",
    ]


@pytest.mark.slow
def test_the_tests_run_after_the_notebooks_and_a_failing_notebook_fails_the_run(tmp_path, repo):
    """Notebook 01 logs a line late, notebook 02 (alone) logs one and fails: the test that reads
    both lines passes only if it ran after both notebooks, with the same ACCEPTED_ANSWERS_LOG."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    log = "open(__import__('os').environ['ACCEPTED_ANSWERS_LOG'], 'a').write('{}\\n')"
    write_notebook(notebooks / "01_slow.ipynb", "import time\ntime.sleep(2)", log.format("one"))
    write_notebook(notebooks / "02_failing.ipynb", log.format("two"), "raise ValueError('no')")
    tests = tmp_path / "after"
    tests.mkdir()
    (tests / "test_after.py").write_text(
        "import os\nfrom pathlib import Path\n\nimport pytest\n\n\n"
        "@pytest.mark.after_notebooks\ndef test_both_lines():\n"
        "    lines = Path(os.environ['ACCEPTED_ANSWERS_LOG']).read_text().split()\n"
        "    assert sorted(lines) == ['one', 'two']\n"
    )
    command = make_test(notebooks, notebooks / "02_failing.ipynb", tests)
    env = os.environ | {"PYTEST_ADDOPTS": "-v"}
    run = subprocess.run(
        command, cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "ValueError" in output  # the failing notebook's report
    assert "1 passed" in output[output.index("test_after.py") :], output
    # Which worker ran each notebook: with two, the notebook named alone has one of its own.
    workers = {
        name: set(re.findall(rf"\[(gw\d+)\] \[ *\d+%\] \w+ \S*{name}", output))
        for name in ("01_slow", "02_failing")
    }
    assert all(len(found) == 1 for found in workers.values()), output
    assert len(set.union(*workers.values())) == WORKERS, output


@pytest.mark.slow
@pytest.mark.parametrize("ctrl_c", [False, True], ids=["SIGTERM to make", "Ctrl-C"])
def test_a_signal_stops_the_workers_and_their_kernels_within_seconds(tmp_path, repo, ctrl_c):
    """A time limit (SIGTERM to make) or Ctrl-C (SIGINT to make's process group, as a terminal
    sends it) stops `make test` while notebooks run: no worker, no kernel is left."""
    write_notebook(tmp_path / "01_long.ipynb", "import time\ntime.sleep(300)")
    other = write_notebook(tmp_path / "02_other.ipynb", "import time\ntime.sleep(300)")
    output = tmp_path / "output.txt"
    process = start_in_own_session(make_test(tmp_path, other, tmp_path), repo, output)

    def one_kernel_per_worker():
        kernels = kernels_among(descendants(process))
        return kernels if len(kernels) == WORKERS else None

    kernels = wait_for(one_kernel_per_worker, process, output)
    # tests/conftest.py applies inside the workers too: nbval's kernels are on IPC sockets.
    for kernel in kernels:
        arguments = kernel.cmdline()
        connection = json.loads(Path(arguments[arguments.index("-f") + 1]).read_text())
        assert connection["transport"] == "ipc", connection
    started = descendants(process)
    if ctrl_c:
        sent = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        _, alive = psutil.wait_procs(started, timeout=STOP_SECONDS)
        for child in alive:
            child.kill()
        process.wait()
        assert not alive, f"left running after Ctrl-C: {alive}\n{output.read_text()}"
        seconds = time.monotonic() - sent
    else:
        seconds = stop_and_check(process, started, output)
    stopped_by = signal.SIGINT if ctrl_c else signal.SIGTERM
    assert process.returncode in (-stopped_by, 128 + stopped_by), output.read_text()
    assert "stopped by SIGTERM" in output.read_text()  # pytest_in_turn stopped pytest with it
    assert seconds < 15
