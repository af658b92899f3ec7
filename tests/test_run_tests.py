"""`make test`'s runner, tools/run_tests.py: notebooks in lanes side by side, then the tests."""

import signal
import sys
from pathlib import Path

import pytest

from tests.interrupting import (
    descendants,
    kernels_among,
    start_in_own_session,
    stop_and_check,
    wait_for,
    write_notebook,
)
from tools.run_tests import main, notebooks_in, plan_lanes, usable_cores

NOTEBOOKS = [Path(f"notebooks/0{number}_x.ipynb") for number in range(1, 6)]


def test_the_notebook_named_alone_gets_a_lane_of_its_own_when_there_are_two_cores():
    assert plan_lanes(NOTEBOOKS, NOTEBOOKS[4], cores=2) == [[NOTEBOOKS[4]], NOTEBOOKS[:4]]
    assert plan_lanes(NOTEBOOKS, NOTEBOOKS[4], cores=1) == [NOTEBOOKS]
    assert plan_lanes(NOTEBOOKS, None, cores=8) == [NOTEBOOKS]
    assert plan_lanes(NOTEBOOKS[4:], NOTEBOOKS[4], cores=2) == [NOTEBOOKS[4:]]


def test_a_notebook_that_is_not_there_is_one_clear_message(tmp_path):
    with pytest.raises(SystemExit, match="--alone notebooks/06_y.ipynb is not among"):
        plan_lanes(NOTEBOOKS, Path("notebooks/06_y.ipynb"), cores=2)
    with pytest.raises(SystemExit, match="no such notebook: .*missing.ipynb"):
        notebooks_in([str(tmp_path / "missing.ipynb")])
    write_notebook(tmp_path / "02_b.ipynb", "1")
    write_notebook(tmp_path / "01_a.ipynb", "1")
    assert [path.name for path in notebooks_in([str(tmp_path)])] == ["01_a.ipynb", "02_b.ipynb"]


def test_the_tests_run_after_every_lane_and_a_failing_lane_fails_the_run(
    tmp_path, repo, monkeypatch, capfd
):
    """Notebook 01 writes its mark late, notebook 02 writes one and fails: the test that reads
    both marks passes only if it ran after both lanes, and the run's status is the failure's."""
    first = write_notebook(
        tmp_path / "01_slow.ipynb", f"import time\ntime.sleep(2)\nopen(r'{tmp_path}/one', 'w')"
    )
    second = write_notebook(
        tmp_path / "02_failing.ipynb", f"open(r'{tmp_path}/two', 'w')\nraise ValueError('no')"
    )
    tests = tmp_path / "after"
    tests.mkdir()
    (tests / "test_after.py").write_text(
        f"from pathlib import Path\n\ndef test_both_marks():\n"
        f"    assert (Path(r'{tmp_path}') / 'one').exists()\n"
        f"    assert (Path(r'{tmp_path}') / 'two').exists()\n"
    )
    monkeypatch.chdir(repo)
    status = main(
        [str(first), str(second), "--alone", str(second), "--nbval-options=--nbval-lax", "--"]
        + [str(tests), "-p", "no:cacheprovider"]
    )
    output = capfd.readouterr().out
    assert status == 1, output
    assert "ValueError" in output  # the failing lane's output, printed whole
    tests_output = output[output.index("run_tests: then the tests") :]
    assert "1 passed" in tests_output, output


def test_sigterm_stops_the_lanes_and_their_kernels_within_seconds(tmp_path, repo):
    """A time limit stops `make test` while notebooks run: no lane, no kernel is left."""
    sleeper = write_notebook(tmp_path / "01_long.ipynb", "import time\ntime.sleep(300)")
    other = write_notebook(tmp_path / "02_other.ipynb", "import time\ntime.sleep(300)")
    output = tmp_path / "output.txt"
    command = [sys.executable, "-m", "tools.run_tests", str(sleeper), str(other)]
    command += ["--alone", str(other), "--nbval-options=--nbval-lax", "--", str(tmp_path)]
    process = start_in_own_session(command, repo, output)
    lanes = len(plan_lanes([sleeper, other], other, usable_cores()))
    kernels = wait_for(lambda: len(kernels_among(descendants(process))) == lanes, process, output)
    started = descendants(process)
    seconds = stop_and_check(process, started, output)
    assert process.returncode == 128 + signal.SIGTERM, output.read_text()
    assert "stopped by SIGTERM" in output.read_text()
    assert output.read_text().count("test session starts") == lanes  # what each lane had printed
    assert kernels and seconds < 15  # one kernel per lane, both stopped
