"""`make test`: two pytest runs in turn, the second even if the first fails.

The notebooks run first, under nbval (xdist workers side by side); the tests after them read
what those runs logged (ACCEPTED_ANSWERS_LOG). SIGTERM (a time limit) or Ctrl-C stops the run
in progress, its workers and their kernels, and exits with the signal's status.

    python -m tools.pytest_in_turn FIRST_PYTEST_ARGS... --then SECOND_PYTEST_ARGS...
"""

import subprocess
import sys

from tools.processes import Stopped, raise_on_sigterm, stop_process_tree


def run_pytest(args: list[str]) -> int:
    # A session of its own: stop_process_tree then signals pytest and its workers at once (each
    # stops its kernels as Ctrl-C would), and stops whatever is left after a grace period.
    process = subprocess.Popen([sys.executable, "-m", "pytest", *args], start_new_session=True)
    try:
        return process.wait()
    finally:
        if process.poll() is None:  # only when stopped: a signal, an error
            stop_process_tree(process)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--then" not in argv:
        raise SystemExit(f"usage: {__doc__.strip().splitlines()[-1].strip()}")
    split = argv.index("--then")
    raise_on_sigterm()
    try:
        first = run_pytest(argv[:split])
        return run_pytest(argv[split + 1 :]) or first
    except Stopped as stopped:
        print(f"pytest_in_turn: {stopped}", file=sys.stderr)
        return stopped.exit_status
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
