"""`make e2e` stopped by SIGTERM, as a time limit stops it: pytest, holding a JupyterLab server
(tests/lab_server.py) with a running kernel, exits within seconds, and the server and the kernel
are gone (tests/interrupting.py). 8 to 18 s on a busy laptop, so it runs with `make e2e`, not
`make test`; it needs no browser."""

import sys

from tests.interrupting import (
    STOP_SECONDS,
    descendants,
    kernels_among,
    start_in_own_session,
    stop_and_check,
    wait_for,
)

HELD_SERVER = """
import json, os, time, urllib.request

import pytest

from tests.lab_server import running_jupyter_lab


@pytest.fixture
def lab(tmp_path):
    with running_jupyter_lab(tmp_path, dict(os.environ), tmp_path / "lab.log") as server:
        yield server


def test_holds_a_kernel(lab):
    base, token, _ = lab
    request = urllib.request.Request(
        f"{base}/api/kernels?token={token}", data=b"{}", method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=60).close()
    print("KERNEL STARTED", flush=True)
    time.sleep(300)
"""


def test_sigterm_stops_a_pytest_run_with_its_jupyterlab_server_and_kernel(tmp_path, repo):
    """What `make e2e` does, reduced to a server fixture holding one kernel."""
    test_file = tmp_path / "test_held.py"
    test_file.write_text(HELD_SERVER)
    output = tmp_path / "output.txt"
    command = [
        sys.executable, "-m", "pytest", str(test_file), "-s", "-p", "no:cacheprovider",
        "-p", "tests.conftest", f"--rootdir={tmp_path}",
    ]  # fmt: skip
    process = start_in_own_session(command, repo, output)
    wait_for(lambda: "KERNEL STARTED" in output.read_text(), process, output)
    started = descendants(process)
    assert kernels_among(started) and any("jupyter-lab" in " ".join(p.cmdline()) for p in started)
    seconds = stop_and_check(process, started, output)
    assert "KeyboardInterrupt" in output.read_text() or "stopped by SIGTERM" in output.read_text()
    print(f"stopped in {seconds:.1f} s")
    assert seconds < STOP_SECONDS
