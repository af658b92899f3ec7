"""Running one job in its sandbox, from the grader's side: the job goes in on stdin, at most
`Limits.channel_bytes` come back on stdout, and the run is stopped when the CPU time of all its
processes together passes the limit (so a busy machine, or a process stopped from outside,
never makes a student time out), or, as a backstop, when its wall-clock time does. At the end
the whole sandbox is killed, whatever it started.

`course_copy()` is the student-edition copy of the course code that every sandbox gets,
read-only: `helpers` and this package, and nothing else of the repository.
"""

import atexit
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from grading.sandbox import WORK_FOLDER, Bubblewrap, Limits, Unsandboxed, write_accounts

REPOSITORY = Path(__file__).resolve().parent.parent
COURSE_PACKAGES = ("helpers", "grading")
POLL_SECONDS = 0.2
STDERR_KEPT = 64 << 10


@dataclass
class RunResult:
    """What one run gave back. `outcome`: "finished", "timeout", "too much output" or
    "unreadable"; `detail`: the grader's own words. `record` and `notebook` come from the
    sandbox, untrusted."""

    outcome: str
    detail: str = ""
    record: str | None = None
    notebook: dict | None = None
    stderr: str = ""
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0


def course_files() -> dict[str, bytes]:
    """{relative path: bytes} of the course code a sandbox gets."""
    files = {}
    for package in COURSE_PACKAGES:
        for path in sorted((REPOSITORY / package).glob("*.py")):
            files[f"{package}/{path.name}"] = path.read_bytes()
    return files


_course = {}
_course_lock = threading.Lock()


def course_copy() -> Path:
    """This process's copy of the course code (made once, removed at exit)."""
    with _course_lock:
        if "path" not in _course:
            folder = Path(tempfile.mkdtemp(prefix="grading-course-"))
            atexit.register(shutil.rmtree, folder, True)
            digest = hashlib.sha256()
            for name, data in course_files().items():
                (folder / name).parent.mkdir(exist_ok=True)
                (folder / name).write_bytes(data)
                digest.update(name.encode() + b"\0" + data + b"\0")
            write_accounts(folder)
            _course.update(path=folder, digest=digest.hexdigest())
        return _course["path"]


def course_digest() -> str:
    """The digest of this process's copy: a Dask worker's must be the grader's."""
    course_copy()
    return _course["digest"]


def _tree(pid: int) -> list:
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _cpu_seconds(processes) -> float:
    """The CPU time of these processes and of the children they have waited for."""
    import psutil

    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


def _kill(process: subprocess.Popen, processes) -> None:
    """SIGKILL the run: bubblewrap's own death ends every process of its PID namespace; without
    a sandbox, every process of the tree that was seen."""
    import psutil

    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    for child in processes:
        with contextlib.suppress(psutil.Error):
            child.kill()
    process.wait()
    psutil.wait_procs([p for p in processes if p.pid != process.pid], timeout=5)


class _Reader(threading.Thread):
    """Reads a pipe to its end, keeping at most `cap` bytes (and noting whether there was
    more)."""

    def __init__(self, pipe, cap: int, keep_tail: bool = False):
        super().__init__(daemon=True)
        self.pipe, self.cap, self.keep_tail = pipe, cap, keep_tail
        self.chunks, self.size, self.overflow = [], 0, False

    def run(self):
        with contextlib.suppress(OSError, ValueError):
            while chunk := self.pipe.read1(1 << 16):
                self.size += len(chunk)
                if self.size <= self.cap:
                    self.chunks.append(chunk)
                elif self.keep_tail:
                    self.chunks = [b"".join(self.chunks)[-self.cap // 2 :], chunk]
                else:
                    self.overflow = True
                    return

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


def run_job(job: dict, sandbox, limits: Limits) -> RunResult:
    """Run `job` (run_one.py's input, without its paths and limits) in `sandbox`."""
    course = course_copy()
    with tempfile.TemporaryDirectory(prefix="grading-run-") as scratch:
        work = Path(scratch) / "work" if isinstance(sandbox, Unsandboxed) else Path(WORK_FOLDER)
        job = {
            **job,
            "work": str(work),
            "record_path": str(work / ".grading-record.json"),
            "limits": limits.as_dict(),
            "sandboxed": isinstance(sandbox, Bubblewrap),
        }
        for index, cell in enumerate(job["cells"]):
            job["cells"][index] = [cell[0], cell[1].replace("{RECORD_PATH}", job["record_path"])]
        return _run(job, sandbox, limits, course, work, scratch)


def _run(job, sandbox, limits, course, work, scratch) -> RunResult:
    process = subprocess.Popen(
        sandbox.command(sys.executable, course, limits),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=scratch,
        env=sandbox.environment(course, limits, work),
        start_new_session=True,  # its own process group: killed as one
    )
    channel = _Reader(process.stdout, limits.channel_bytes)
    stderr = _Reader(process.stderr, STDERR_KEPT, keep_tail=True)
    channel.start(), stderr.start()
    threading.Thread(target=_feed, args=(process.stdin, job), daemon=True).start()
    start, cpu, seen, outcome, detail = time.monotonic(), 0.0, [], "finished", ""
    while process.poll() is None:
        seen = {p.pid: p for p in [*seen, *_tree(process.pid)]}.values()
        cpu = max(cpu, _cpu_seconds(seen))
        wall = time.monotonic() - start
        if cpu > limits.cpu_seconds:
            outcome, detail = "timeout", f"used more than {limits.cpu_seconds:g} s of CPU time"
        elif wall > limits.wall_seconds:
            outcome, detail = "timeout", f"ran longer than {limits.wall_seconds:g} s"
        elif channel.overflow:
            outcome = "too much output"
            detail = f"handed back more than {limits.channel_bytes >> 20} MB"
        else:
            time.sleep(POLL_SECONDS)
            continue
        break
    _kill(process, list(seen))
    channel.join(timeout=10)
    stderr.join(timeout=10)
    result = RunResult(
        outcome,
        detail,
        stderr=stderr.data.decode("utf-8", errors="replace"),
        cpu_seconds=cpu,
        wall_seconds=time.monotonic() - start,
    )
    if outcome == "finished" and channel.overflow:
        result.outcome = "too much output"
        result.detail = f"handed back more than {limits.channel_bytes >> 20} MB"
    if result.outcome != "finished":
        return result
    try:
        answer = json.loads(channel.data, parse_constant=_no_constants)
        if not isinstance(answer, dict):
            raise TypeError("not an object")
        record, notebook = answer.get("record"), answer.get("notebook")
        if not (record is None or isinstance(record, str)) or not isinstance(notebook, dict):
            raise ValueError("not a record and a notebook")
    except (ValueError, TypeError, RecursionError):
        result.outcome, result.detail = "unreadable", "the run handed back nothing readable"
        return result
    result.record, result.notebook = record, notebook
    return result


def _no_constants(name):
    raise ValueError(f"{name} is not JSON")


def _feed(pipe, job) -> None:
    with contextlib.suppress(OSError):
        pipe.write(json.dumps(job).encode("utf-8"))
        pipe.close()
