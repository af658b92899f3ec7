"""Grading on a Dask cluster (make slow-test): a real `dask scheduler` and two `dask worker`
processes on loopback grade a small class of notebook 01, honest students and attacks, each
notebook in a sandbox on its worker. grades.csv must be the bytes the local run writes, also
when a worker is killed mid-batch, and no Dask process may be left at the end."""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grading.__main__ import main as grade
from tests.grading_class import HONEST, REPO, attacks, needs_sandbox, write_class
from tools.processes import stop_process_tree

pytest.importorskip("distributed")
TIME_LIMIT = 20
pytestmark = [pytest.mark.slow, needs_sandbox]
HONEST_HERE = ("all-correct", "some-wrong", "all-unanswered")
ATTACKS_HERE = ("replaces-recorder", "forged-values", "leaking-exception")
DASK = str(Path(sys.executable).parent / "dask")


def free_port() -> int:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        return listening.getsockname()[1]


def dask_processes(port: int) -> list:
    """Every process of this test's cluster: each one names the scheduler's port."""
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(str(port) in part for part in process.info["cmdline"] or []):
            found.append(process)
    return [p for p in found if p.pid != os.getpid()]


def start(command, env) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        start_new_session=True,  # a worker and its sandboxes: one group to kill
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(REPO), GRADING_STATE_DIR=str(root / "state"))
    scheduler = start(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], env
    )
    worker = [DASK, "worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"]
    workers = [start(worker, env) for _ in range(2)]
    from distributed import Client

    with Client(address, timeout="60s") as client:
        client.wait_for_workers(2, timeout=120)
    saved = os.environ.get("GRADING_STATE_DIR")
    os.environ["GRADING_STATE_DIR"] = env["GRADING_STATE_DIR"]
    try:
        yield address, workers, root
    finally:
        for process in [*workers, scheduler]:
            stop_process_tree(process, grace=10)
        if saved is None:
            os.environ.pop("GRADING_STATE_DIR", None)
        else:
            os.environ["GRADING_STATE_DIR"] = saved
    deadline = time.monotonic() + 20
    while dask_processes(port) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert dask_processes(port) == [], "a Dask process outlived the test"


@pytest.fixture(scope="module")
def submissions(cluster):
    _, _, root = cluster
    students = {name: HONEST[name] for name in HONEST_HERE}
    every_attack = attacks(REPO, root / "out", "unused")
    students.update({name: every_attack[name] for name in ATTACKS_HERE})
    write_class(root / "submissions", students)
    return root / "submissions"


ARGUMENTS = ["--notebooks", "01", "--timeout", str(TIME_LIMIT)]


@pytest.fixture(scope="module")
def local_grades(submissions, cluster):
    out = cluster[2] / "local"
    assert grade([str(submissions), str(out), *ARGUMENTS]) == 0
    return (out / "grades.csv").read_bytes()


def test_grades_from_two_dask_workers_are_the_local_ones(cluster, submissions, local_grades):
    address, _, root = cluster
    out = root / "on-dask"
    assert grade([str(submissions), str(out), *ARGUMENTS, "--scheduler", address]) == 0
    assert (out / "grades.csv").read_bytes() == local_grades
    assert b"correct" in local_grades  # the honest ones earned theirs


def test_a_worker_killed_mid_batch_leaves_the_same_grades(cluster, submissions, local_grades):
    address, workers, root = cluster
    out = root / "worker-killed"
    status = []
    batch = threading.Thread(
        target=lambda: status.append(
            grade([str(submissions), str(out), *ARGUMENTS, "--scheduler", address])
        )
    )
    batch.start()
    # The reference run first (in this process), then the tasks: kill the second worker while
    # a notebook runs in a sandbox under it.
    import psutil

    victim = workers[1]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        below = psutil.Process(victim.pid).children(recursive=True)
        if any(p.name() == "bwrap" for p in below):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("no notebook ran on the second worker")
    time.sleep(1)
    os.killpg(victim.pid, 9)
    victim.wait()
    batch.join(timeout=600)
    assert status == [0]
    assert (out / "grades.csv").read_bytes() == local_grades
    shutil.rmtree(out / "runs", ignore_errors=True)
