"""Execute one notebook for the grader, in a kernel of its own, and leave a record behind.

    python -m tools.grading.run_one NOTEBOOK WORKDIR [--capture CELL_FILE] [--answers-log LOG]

The notebook runs in WORKDIR with every error allowed (a failing cell does
not stop the cells after it); its figures go to WORKDIR too. With --capture, the cell in
CELL_FILE is appended and run last (capture.py). With --answers-log, the kernel logs every answer
its checks accept (the instructor edition: its reference solutions). Exit status 0 when the
notebook ran to its end, 3 when the file is not a notebook (the reason on stderr).
"""

import argparse
import os
import sys
from pathlib import Path

NOT_A_NOTEBOOK = 3


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--capture", type=Path)
    parser.add_argument("--answers-log", type=Path)
    args = parser.parse_args(argv)

    import nbformat

    try:
        notebook = nbformat.read(args.notebook, as_version=4)
        if not isinstance(notebook.get("cells"), list):
            raise TypeError("no list of cells")
    except Exception as error:  # noqa: BLE001  (any way a file fails to be a notebook)
        print(f"not a notebook: {type(error).__name__}: {str(error)[:200]}", file=sys.stderr)
        return NOT_A_NOTEBOOK
    if args.capture:
        notebook.cells.append(nbformat.v4.new_code_cell(args.capture.read_text(encoding="utf-8")))

    args.workdir.mkdir(parents=True, exist_ok=True)
    os.environ["FIGURES_DIR"] = str(args.workdir / "figures")  # never the course's figures/
    os.environ["TQDM_DISABLE"] = "1"
    if args.answers_log:
        os.environ["ACCEPTED_ANSWERS_LOG"] = str(args.answers_log)

    from tools.run_notebooks import ipc_kernel_manager, notebook_client

    manager = ipc_kernel_manager(kernel_name="python3")
    client = notebook_client(notebook, args.workdir, manager)
    client.allow_errors = True  # one broken cell must not hide the answers after it
    client.execute(cleanup_kc=True)
    nbformat.write(notebook, args.workdir / args.notebook.name)  # as it ran, outputs and all
    return 0


if __name__ == "__main__":
    sys.exit(main())
