"""`make run`: execute notebooks in place, each in a fresh kernel, in order.

Stored outputs and `figures/` are regenerated; one row per notebook says how long it took and
whether it ran clean. A notebook with a failing cell is left untouched on disk (its stored
outputs stay those of the last good run), the error is printed, and the exit status is 1.
Each notebook written is signed as trusted, so JupyterLab shows its outputs without a warning.
Kernels talk over local IPC sockets where the system has them (no unencrypted TCP ports).
SIGTERM (a time limit) or Ctrl-C stops the whole run within seconds: the running kernel is killed,
no further notebook starts, the notebook being run is left as it was, and the exit status is
128 + the signal's number.

    python -m tools.run_notebooks                     # every notebooks/NN_*.ipynb
    python -m tools.run_notebooks notebooks/01_*.ipynb
"""

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from helpers.paths import display_path, notebooks_dir
from tools.processes import Stopped, raise_on_sigterm, signal_handlers_kept, stop_children

CELL_TIMEOUT_SECONDS = 600


@dataclass
class NotebookRun:
    path: Path
    seconds: float
    ok: bool
    error: str = ""
    notebook: object = None  # the executed nbformat notebook, when it ran clean


def ipc_kernel_manager(manager_class=None, **kwargs):
    """A kernel manager on IPC sockets (files in Jupyter's runtime folder) where the platform has
    them: the kernel then opens no TCP port and prints no warning about unencrypted TCP."""
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir

    manager_class = manager_class or AsyncKernelManager
    if sys.platform == "win32":  # no Unix sockets: stay on TCP
        return manager_class(**kwargs)
    # An absolute socket prefix: the kernel starts in the notebook's folder, the client does not.
    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(parents=True, exist_ok=True)
    prefix = runtime / f"kernel-{uuid.uuid4().hex[:12]}-ipc"
    return manager_class(transport="ipc", ip=str(prefix), **kwargs)


def sign_as_trusted(path: Path) -> None:
    """What `jupyter trust` does: record the notebook's signature in Jupyter's notary."""
    import nbformat
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary()
    notary.sign(nbformat.read(path, as_version=4))


def _stoppable_client_class():
    """nbclient's NotebookClient, except that SIGINT and SIGTERM stop the run.

    nbclient's own handlers for both signals only shut the kernel down and let the run go on
    (a signal during a kernel's start is swallowed entirely). Here a signal kills the kernel
    and cancels the execution; `execute_notebook` then raises `Stopped`.
    """
    from nbclient import NotebookClient

    class StoppableNotebookClient(NotebookClient):
        stopped_by = None  # the signal's number, once one came

        async def async_start_new_kernel(self, **kwargs):
            # nbclient has just installed its handlers (async_setup_kernel): replace them.
            loop = asyncio.get_running_loop()
            task = asyncio.current_task()
            for signum in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.add_signal_handler(signum, self._stop, signum, task)
                except (RuntimeError, NotImplementedError):  # not the main thread; Windows
                    pass
            return await super().async_start_new_kernel(**kwargs)

        def _stop(self, signum, task):
            if self.stopped_by is None:  # the first signal counts; cleanup is under way
                self.stopped_by = signum
                self.shutdown_kernel = "immediate"  # SIGKILL to the kernel's process group
                task.cancel()

    return StoppableNotebookClient


def notebook_client(notebook, folder: Path, manager):
    """The one way this project executes notebooks: a `python3` kernel started in `folder`,
    outputs stored the same way on every run."""
    return _stoppable_client_class()(
        notebook,
        km=manager,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        record_timing=False,  # timestamps in cell metadata would change every run
        store_widget_state=False,
        coalesce_streams=True,  # one stream output per cell, however the kernel chunked it
    )


def write_atomically(notebook, path: Path) -> None:
    """Write beside `path`, then rename: a run stopped mid-write leaves the old file whole."""
    import nbformat

    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            nbformat.write(notebook, file)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def execute_notebook(path: Path, *, write: bool = True) -> NotebookRun:
    """Run one notebook top to bottom in a new `python3` kernel started in its own folder."""
    import nbformat
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    manager = ipc_kernel_manager(kernel_name="python3")
    client = notebook_client(notebook, path.parent, manager)
    start = time.perf_counter()
    try:
        # nbclient resets the SIGINT and SIGTERM handlers when it is done: keep the caller's.
        with signal_handlers_kept():
            # Shut the kernel down and remove its socket files: nbclient does not own the manager.
            client.execute(cleanup_kc=True)
    except BaseException as error:
        if client.stopped_by is not None:  # nbclient reports the cancelled cell as a dead kernel
            raise Stopped(client.stopped_by) from None
        if not isinstance(error, CellExecutionError):
            raise
        return NotebookRun(path, time.perf_counter() - start, ok=False, error=str(error))
    if client.stopped_by is not None:
        raise Stopped(client.stopped_by)
    seconds = time.perf_counter() - start
    if write:
        write_atomically(notebook, path)
        sign_as_trusted(path)
    return NotebookRun(path, seconds, ok=True, notebook=notebook)


def default_notebooks() -> list[Path]:
    return sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/NN_*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or default_notebooks()
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"No such notebook: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    if not paths:
        print(f"No notebooks to run in {display_path(notebooks_dir())}.")
        return 0

    raise_on_sigterm()
    runs = []
    try:
        for path in paths:
            run = execute_notebook(path.resolve())
            runs.append(run)
            status = "ok" if run.ok else "FAILED"
            print(f"{display_path(run.path):<45} {run.seconds:7.1f} s  {status}", flush=True)
            if not run.ok:
                print(run.error[-3000:], file=sys.stderr)
    except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM as `Stopped`
        stop_children()  # a kernel whose shutdown was cut short
        stopped = interrupt if isinstance(interrupt, Stopped) else Stopped(signal.SIGINT)
        print(f"{stopped}: {len(runs)} of {len(paths)} notebooks ran", file=sys.stderr)
        return stopped.exit_status
    total = sum(run.seconds for run in runs)
    failed = [run for run in runs if not run.ok]
    print(f"{'total':<45} {total:7.1f} s  {len(runs) - len(failed)}/{len(runs)} ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
