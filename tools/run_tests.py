"""`make test`: every notebook once under nbval, in two lanes side by side, then the tests.

Most of `make test` is the notebooks, and each keeps one core busy: notebook 05 alone takes
about as long as the other four together. With two cores or more, the notebook named by
`--alone` runs in one pytest process while the others run in a second; with one core, all run
in one. The tests come after both lanes, because some of them read what the notebooks' runs
recorded (ACCEPTED_ANSWERS_LOG). Each lane's output is printed whole when the lane ends, so
lines of the two never mix. The notebooks' claims about time already hold beside two busy
processes (`make load-test`); a lane beside them is one.

SIGTERM (a time limit) or Ctrl-C stops both lanes, their kernels with them, and the run.

    python -m tools.run_tests notebooks --alone notebooks/05_x.ipynb \\
        --nbval-options="--nbval ..." -- tests -m "not slow"
"""

import argparse
import contextlib
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.processes import Stopped, raise_on_sigterm, stop_process_tree

# The lanes load the tests' conftest too: it makes SIGTERM clean up, and gives nbval IPC kernels.
LANE_PLUGINS = ["-p", "tests.conftest", "-p", "no:cacheprovider"]


def usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores this process may use
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def notebooks_in(paths: list[str]) -> list[Path]:
    """The notebooks named, a folder standing for the notebooks in it, in order."""
    found = []
    for name in paths:
        path = Path(name)
        found.extend(sorted(path.glob("*.ipynb")) if path.is_dir() else [path])
    missing = [str(path) for path in found if not path.is_file()]
    if missing or not found:
        raise SystemExit(f"run_tests: no such notebook: {', '.join(missing) or ' '.join(paths)}")
    return found


def plan_lanes(notebooks: list[Path], alone: Path | None, cores: int) -> list[list[Path]]:
    """One lane per pytest process: `alone` in a lane of its own when there is a core for it."""
    if alone is None or cores < 2:
        return [notebooks]
    if alone not in notebooks:
        raise SystemExit(f"run_tests: --alone {alone} is not among the notebooks to run")
    rest = [path for path in notebooks if path != alone]
    return [lane for lane in ([alone], rest) if lane]


def start_lane(lane: list[Path], nbval_options: list[str], output) -> subprocess.Popen:
    command = [sys.executable, "-m", "pytest", *LANE_PLUGINS, *nbval_options, *map(str, lane)]
    # A session of its own: stop_process_tree then stops the lane and every kernel it started.
    return subprocess.Popen(
        command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )


def run_lanes(lanes: list[list[Path]], nbval_options: list[str]) -> int:
    """Run the lanes side by side; print each one's output when it ends; the first failing
    status, or 0."""
    names = [" ".join(path.name for path in lane) for lane in lanes]
    print(f"run_tests: under nbval, side by side: {' | '.join(names)}", flush=True)
    running = {}
    with contextlib.ExitStack() as files:
        try:
            for lane in lanes:
                output = files.enter_context(tempfile.TemporaryFile())
                running[start_lane(lane, nbval_options, output)] = output
            statuses = []
            while running:
                process = _wait_any(running)
                output = running.pop(process)
                statuses.append(process.returncode)
                output.seek(0)
                sys.stdout.buffer.write(output.read())
                sys.stdout.flush()
            return next((status for status in statuses if status != 0), 0)
        finally:
            for process, output in running.items():  # only when stopped: a signal, an error
                stop_process_tree(process)
                output.seek(0)  # what the lane printed until then: where it was stopped
                sys.stdout.buffer.write(output.read())
            sys.stdout.flush()


def run_in_own_session(command: list[str]) -> int:
    """Run a command with this terminal's output; stop it and all it started if stopped."""
    process = subprocess.Popen(command, start_new_session=True)
    try:
        return process.wait()
    finally:
        if process.poll() is None:
            stop_process_tree(process)


def _wait_any(running: dict) -> subprocess.Popen:
    """The first lane to end. Waiting half a second at a time lets a signal to this process be
    handled at once."""
    while True:
        for process in running:
            if process.poll() is not None:
                return process
        try:
            next(iter(running)).wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Everything after `--` is the tests' pytest command line, left as it is.
    split = argv.index("--") if "--" in argv else len(argv)
    own, tests = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(
        prog="python -m tools.run_tests", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("notebooks", nargs="+", help="notebooks, or folders of notebooks")
    parser.add_argument("--alone", type=Path, help="the notebook that gets a lane of its own")
    parser.add_argument("--nbval-options", default="--nbval", help="pytest options for nbval")
    arguments = parser.parse_args(own)
    raise_on_sigterm()
    try:
        lanes = plan_lanes(notebooks_in(arguments.notebooks), arguments.alone, usable_cores())
        status = run_lanes(lanes, shlex.split(arguments.nbval_options))
        if tests:
            print(f"run_tests: then the tests: pytest {shlex.join(tests)}", flush=True)
            status = run_in_own_session([sys.executable, "-m", "pytest", *tests]) or status
        return status
    except Stopped as stopped:
        print(f"run_tests: {stopped}", file=sys.stderr)
        return stopped.exit_status
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
