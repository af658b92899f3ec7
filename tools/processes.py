"""Nothing left running: SIGTERM stops a run as Ctrl-C does, and its servers and kernels with it.

A time limit (`timeout`, CI) or `kill` sends SIGTERM, whose default action ends Python at once:
no `finally`, no fixture teardown, so a JupyterLab server or a kernel started by the run would
live on. `raise_on_sigterm()` turns SIGTERM into `Stopped`, a KeyboardInterrupt, so every
`finally` and every pytest teardown runs. Servers are started in a process group of their own
(`start_new_session=True`) and stopped with `stop_process_tree`, which also stops the kernels
they started (Jupyter starts each kernel in a process group of its own).
"""

import contextlib
import os
import signal
import subprocess
import threading

# How long a server may take to stop its kernels after SIGTERM before it is killed.
GRACE_SECONDS = 10


class Stopped(KeyboardInterrupt):
    """A run stopped by a signal (SIGTERM or SIGINT): a KeyboardInterrupt, so pytest and
    `try/finally` treat it as Ctrl-C and clean up."""

    def __init__(self, signum: int):
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """What a shell reports for a process ended by this signal."""
        return 128 + self.signum


def _raise_stopped(signum, frame):
    # Cleanup runs next: a second SIGTERM (a time limit that insists) must not cut it short.
    signal.signal(signal.SIGTERM, lambda *_: None)
    raise Stopped(signum)


def raise_on_sigterm() -> None:
    """From now on, SIGTERM raises `Stopped` in the main thread (once; cleanup then runs)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_stopped)


@contextlib.contextmanager
def signal_handlers_kept():
    """Restore the SIGINT and SIGTERM handlers on leaving: nbclient resets them to the defaults
    when a notebook ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def _kill_group_of(process) -> None:
    """SIGKILL a psutil process and, when it leads a process group (a kernel does), the group."""
    import psutil

    with contextlib.suppress(psutil.Error, ProcessLookupError, PermissionError):
        if process.is_running():  # psutil checks it is still the same process, not a new pid
            if os.getpgid(process.pid) == process.pid:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()


def stop_process_tree(process: subprocess.Popen, grace: float = GRACE_SECONDS) -> None:
    """Stop a process started with `start_new_session=True`, its whole process group and every
    process it started in a group of its own (Jupyter's kernels): SIGTERM to the group first, so
    a server can shut its kernels down; SIGKILL for whatever is left after `grace` seconds."""
    import psutil

    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Kernels stop by themselves once their parent is gone (ipykernel polls it every second).
    _, alive = psutil.wait_procs(descendants, timeout=3)
    for child in alive:
        _kill_group_of(child)
    psutil.wait_procs(alive, timeout=3)


def stop_children() -> None:
    """SIGKILL every child of this process with its process group: the kernels a run started,
    when a signal stops it before they were shut down."""
    import psutil

    children = psutil.Process().children()
    for child in children:
        _kill_group_of(child)
    psutil.wait_procs(children, timeout=3)
