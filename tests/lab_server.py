"""A JupyterLab server for tests (`make e2e`), started so that nothing outlives the test run.

The server runs in a process group of its own and is stopped on any exit from the `with` block,
its kernels included (`tools.processes.stop_process_tree`); pytest turns SIGTERM into an
exception (tests/conftest.py), so a time limit reaches that exit too.
"""

import contextlib
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tools.processes import stop_process_tree


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited early with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"jupyter lab did not answer at {url} within {timeout:.0f} s")


@contextlib.contextmanager
def running_jupyter_lab(root: Path, env: dict, log_path: Path):
    """`jupyter lab` of this environment on a free localhost port with a token, serving `root`,
    its output in `log_path`; yields (base url, token, process)."""
    port, token = free_port(), secrets.token_hex(16)
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_server(f"{base}/api/status?token={token}", process)
            yield base, token, process
        finally:
            stop_process_tree(process)  # the server's group, then any kernel it left
