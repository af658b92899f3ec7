"""Interrupting a run as a time limit does, and checking that it leaves nothing running.

A run is started in a session of its own; once it has started what it should clean up, SIGTERM
goes to the run's process only, and within seconds the run must have exited and every process it
had started must be gone, kernels included (Jupyter starts each kernel in a process group of its
own, out of reach of a signal to the run's group).
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import psutil
import pytest

STOP_SECONDS = 20  # from SIGTERM to nothing left: the server's shutdown takes a few seconds


def write_notebook(path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(notebook, path)
    return path


def start_in_own_session(command, cwd: Path, output: Path) -> subprocess.Popen:
    with open(output, "w") as file:
        return subprocess.Popen(
            command, cwd=cwd, stdout=file, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_for(condition, process: subprocess.Popen, output: Path, timeout: float = 120):
    """Poll `condition()` until it is truthy; fail when the run ends first or time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process.poll() is not None:
            pytest.fail(f"the run ended early ({process.returncode}):\n{output.read_text()}")
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"not ready within {timeout} s:\n{output.read_text()}")


def kernels_among(processes):
    return [p for p in processes if "ipykernel" in " ".join(_command_line(p))]


def _command_line(process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.NoSuchProcess:  # a short-lived process, gone since it was listed
        return []


def descendants(process: subprocess.Popen) -> list:
    try:
        return psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def stop_and_check(process: subprocess.Popen, started: list, output: Path) -> float:
    """SIGTERM to the run; return the seconds until it and all it started are gone."""
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        for child in started:
            child.kill()
        pytest.fail(f"still running {STOP_SECONDS} s after SIGTERM:\n{output.read_text()}")
    left = STOP_SECONDS - (time.monotonic() - sent)
    _, alive = psutil.wait_procs(started, timeout=max(0.1, left))
    for child in alive:
        child.kill()
    assert not alive, f"left running after SIGTERM: {[p.cmdline() for p in alive]}"
    return time.monotonic() - sent
