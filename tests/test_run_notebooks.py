import signal
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.interrupting import (
    descendants,
    kernels_among,
    start_in_own_session,
    stop_and_check,
    wait_for,
)
from tools.run_notebooks import execute_notebook, main


def write_notebook(path, *sources):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(notebook, path)
    return path


def test_a_clean_notebook_is_executed_in_place_in_its_own_folder(tmp_path):
    path = write_notebook(tmp_path / "01_ok.ipynb", "import os\nprint(os.getcwd())", "1 + 1")
    run = execute_notebook(path)
    assert run.ok and run.seconds > 0
    cells = nbformat.read(path, as_version=4).cells
    assert [c.execution_count for c in cells] == [1, 2]
    assert cells[0].outputs[0]["text"].strip() == str(tmp_path)
    assert cells[1].outputs[0]["data"]["text/plain"] == "2"
    assert "execution" not in cells[0].metadata  # no timestamps stored


def test_a_failing_notebook_is_reported_and_left_untouched(tmp_path, capsys):
    good = write_notebook(tmp_path / "01_good.ipynb", "print('fine')")
    bad = write_notebook(tmp_path / "02_bad.ipynb", "print('before')", "1 / 0")
    before = bad.read_text()
    assert main([str(good), str(bad)]) == 1
    out = capsys.readouterr()
    rows = out.out.splitlines()
    assert rows[0].endswith("ok") and "01_good.ipynb" in rows[0]
    assert rows[1].endswith("FAILED") and "02_bad.ipynb" in rows[1]
    assert rows[2].startswith("total") and rows[2].endswith("1/2 ok")
    assert "ZeroDivisionError" in out.err
    assert bad.read_text() == before


def test_missing_notebook_is_a_usage_error(tmp_path, capsys):
    assert main([str(tmp_path / "nope.ipynb")]) == 2
    assert "No such notebook" in capsys.readouterr().err


def test_without_arguments_an_empty_notebooks_folder_is_fine(monkeypatch, tmp_path, capsys):
    import tools.run_notebooks as runner

    monkeypatch.setattr(runner, "notebooks_dir", lambda: tmp_path)
    assert runner.main([]) == 0
    assert "No notebooks to run" in capsys.readouterr().out


VOLATILE_TAG = "nbval-ignore-output"  # cells that show measured time or memory


def stored_outputs(notebook):
    """Each cell's outputs and execution count, except the cells tagged as volatile."""
    return [
        (cell.get("outputs"), cell.get("execution_count"))
        for cell in notebook.cells
        if VOLATILE_TAG not in cell.metadata.get("tags", [])
    ]


@pytest.mark.slow  # notebook 02 twice more: `make slow-test`
def test_running_a_notebook_twice_stores_the_same_outputs(tmp_path, monkeypatch, repo):
    monkeypatch.setenv("FIGURES_DIR", str(tmp_path / "figures"))
    path = repo / "notebooks" / "02_graph_building.ipynb"  # streams, graphs, figures
    first = execute_notebook(path, write=False)
    second = execute_notebook(path, write=False)
    assert first.ok and second.ok, first.error + second.error
    assert stored_outputs(first.notebook) == stored_outputs(second.notebook)
    for cell in first.notebook.cells:  # coalesced: at most one stream output per name
        names = [o["name"] for o in cell.get("outputs", []) if o["output_type"] == "stream"]
        assert len(names) == len(set(names))
    assert nbformat.writes(first.notebook) == nbformat.writes(second.notebook)


def test_kernels_run_quietly_on_ipc_sockets(tmp_path, capfd):
    """ipykernel warns on every start over plain TCP; `make run` uses IPC sockets instead, and
    removes their files from Jupyter's runtime folder when the kernel stops."""
    from jupyter_core.paths import jupyter_runtime_dir

    def socket_files():
        return set(Path(jupyter_runtime_dir()).glob("kernel-*-ipc-*"))

    before = socket_files()
    path = write_notebook(tmp_path / "01_quiet.ipynb", "print('ok')")
    assert execute_notebook(path).ok
    captured = capfd.readouterr()
    assert "without encryption" not in captured.out + captured.err
    assert socket_files() <= before


def test_sigterm_stops_the_run_and_its_kernel_within_seconds(tmp_path, repo):
    """A time limit stops `make run` at once: the kernel is killed, no further notebook starts,
    no notebook is written (tests/interrupting.py). A few seconds."""
    first = write_notebook(tmp_path / "01_long.ipynb", "import time\ntime.sleep(300)")
    second = write_notebook(tmp_path / "02_next.ipynb", "print('started')")
    before = first.read_bytes(), second.read_bytes()
    output = tmp_path / "output.txt"
    command = [sys.executable, "-m", "tools.run_notebooks", str(first), str(second)]
    process = start_in_own_session(command, repo, output)
    kernels = wait_for(lambda: kernels_among(descendants(process)), process, output)
    time.sleep(1)  # the kernel is busy in the first cell by now, or about to be
    seconds = stop_and_check(process, kernels, output)
    assert process.returncode == 128 + signal.SIGTERM, output.read_text()
    assert "stopped by SIGTERM: 0 of 2 notebooks ran" in output.read_text()
    assert (first.read_bytes(), second.read_bytes()) == before  # no notebook was written
    assert seconds < 10
