"""`make run`: execute notebooks in place, each in a fresh kernel, in order.

Stored outputs and `figures/` are regenerated; one row per notebook says how long it took and
whether it ran clean. A notebook with a failing cell is left untouched on disk (its stored
outputs stay those of the last good run), the error is printed, and the exit status is 1.
Each notebook written is signed as trusted, so JupyterLab shows its outputs without a warning.
Kernels talk over local IPC sockets where the system has them (no unencrypted TCP ports).

    python -m tools.run_notebooks                     # every notebooks/NN_*.ipynb
    python -m tools.run_notebooks notebooks/01_*.ipynb
"""

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from helpers.paths import display_path, notebooks_dir

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


def notebook_client(notebook, folder: Path, manager):
    """The one way this project executes notebooks: a `python3` kernel started in `folder`,
    outputs stored the same way on every run."""
    from nbclient import NotebookClient

    return NotebookClient(
        notebook,
        km=manager,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        record_timing=False,  # timestamps in cell metadata would change every run
        store_widget_state=False,
        coalesce_streams=True,  # one stream output per cell, however the kernel chunked it
    )


def execute_notebook(path: Path, *, write: bool = True) -> NotebookRun:
    """Run one notebook top to bottom in a new `python3` kernel started in its own folder."""
    import nbformat
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    manager = ipc_kernel_manager(kernel_name="python3")
    client = notebook_client(notebook, path.parent, manager)
    start = time.perf_counter()
    try:
        # Shut the kernel down and remove its socket files: nbclient does not own the manager.
        client.execute(cleanup_kc=True)
    except CellExecutionError as error:
        return NotebookRun(path, time.perf_counter() - start, ok=False, error=str(error))
    seconds = time.perf_counter() - start
    if write:
        nbformat.write(notebook, path)
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

    runs = []
    for path in paths:
        run = execute_notebook(path.resolve())
        runs.append(run)
        status = "ok" if run.ok else "FAILED"
        print(f"{display_path(run.path):<45} {run.seconds:7.1f} s  {status}", flush=True)
        if not run.ok:
            print(run.error[-3000:], file=sys.stderr)
    total = sum(run.seconds for run in runs)
    failed = [run for run in runs if not run.ok]
    print(f"{'total':<45} {total:7.1f} s  {len(runs) - len(failed)}/{len(runs)} ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
