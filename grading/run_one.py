"""One notebook run, inside the sandbox: `python -m grading.run_one` reads a job on stdin and
writes one JSON object on stdout, the only thing the grader takes back from a sandbox.

The job: {"name", "notebook" (its JSON text), "cells" ([index, source]: cells the grader puts
in, -1 for the end), "record_path", "work" (the working folder), "limits", "sandboxed"}.
The answer: {"record": the text of the record file or null, "notebook": the executed notebook,
outputs capped, without the grader's cells}.

Everything after the first student cell is untrusted: the student's code runs with this
process's rights, and may write here too. The grader treats what comes back as data from the
student (`schema.py`), never as a verdict. Limits are set first, before any of it runs.
"""

import contextlib
import json
import os
import resource
import sys
from pathlib import Path

TRUNCATED = "\n[… more output left out by the grader]\n"
RECORD_BYTES = 8 << 20


def set_limits(limits: dict, sandboxed: bool) -> None:
    """The caps every process of the run inherits (sandbox.Limits)."""
    caps = {
        resource.RLIMIT_DATA: limits["memory_bytes"],
        resource.RLIMIT_FSIZE: limits["file_bytes"],
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_CPU: int(limits["cpu_seconds"]) + 30,  # per process; the grader sums
    }
    if sandboxed:  # counted per user namespace: inside the sandbox, the sandbox's own tasks
        caps[resource.RLIMIT_NPROC] = limits["processes"]
    for which, value in caps.items():
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))


def capped_client_class(per_cell_bytes: int):
    """nbclient's NotebookClient keeping at most `per_cell_bytes` of outputs per cell, as they
    arrive (a 50 MB print never sits in memory or in the stored notebook)."""
    from nbclient import NotebookClient
    from nbformat.v4 import new_output

    class CappedNotebookClient(NotebookClient):
        kept: dict

        def output(self, outs, msg, display_id, cell_index):
            kept = self.__dict__.setdefault("kept", {})
            size = len(json.dumps(msg.get("content", {})))
            used = kept.get(cell_index, 0)
            if used + size > per_cell_bytes:
                if used <= per_cell_bytes:
                    outs.append(new_output("stream", name="stderr", text=TRUNCATED))
                    kept[cell_index] = per_cell_bytes + 1
                return None
            kept[cell_index] = used + size
            return super().output(outs, msg, display_id, cell_index)

    return CappedNotebookClient


def execute(job: dict):
    import nbformat
    from jupyter_client.manager import AsyncKernelManager

    work = Path(job["work"])
    work.mkdir(parents=True, exist_ok=True)
    for name in ("FIGURES_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR", "HOME"):
        if os.environ.get(name):
            Path(os.environ[name]).mkdir(parents=True, exist_ok=True)
    notebook = nbformat.reads(job["notebook"], as_version=4)
    added = []
    for index, source in job["cells"]:
        cell = nbformat.v4.new_code_cell(source)
        notebook.cells.insert(len(notebook.cells) if index < 0 else index, cell)
        added.append(cell)
    manager = AsyncKernelManager(
        kernel_name="python3", transport="ipc", ip=str(work / ".jupyter-runtime" / "kernel")
    )
    client = capped_client_class(job["limits"]["output_bytes"])(
        notebook,
        km=manager,
        timeout=None,  # the grader counts the run's time
        startup_timeout=300,
        kernel_name="python3",
        allow_errors=True,  # one broken cell must not hide the answers after it
        record_timing=False,
        store_widget_state=False,
        coalesce_streams=False,  # its regex is quadratic on a long line
        resources={"metadata": {"path": str(work)}},
    )
    # A dead kernel ends the run: what was recorded until then still counts.
    with contextlib.suppress(Exception):
        client.execute(cleanup_kc=True)
    notebook.cells = [cell for cell in notebook.cells if all(cell is not a for a in added)]
    return notebook


def read_record(path: Path) -> str | None:
    try:
        with open(path, "rb") as file:
            data = file.read(RECORD_BYTES + 1)
    except OSError:
        return None
    return data[:RECORD_BYTES].decode("utf-8", errors="replace")


def main() -> int:
    channel = os.dup(1)  # not inherited: the kernel writes its own output elsewhere
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    job = json.loads(sys.stdin.read())
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    set_limits(job["limits"], job["sandboxed"])
    notebook = execute(job)
    answer = {"record": read_record(Path(job["record_path"])), "notebook": notebook}
    data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    view = memoryview(data)
    while view:
        view = view[os.write(channel, view) :]
    return 0


if __name__ == "__main__":
    sys.exit(main())
