"""Fixtures shared by the tests, and what every pytest run of this project does first."""

import os
import tempfile
from pathlib import Path

import pytest

from tools.processes import raise_on_sigterm


@pytest.fixture(scope="session")
def repo() -> Path:
    """The root of the checkout under test, found from this file (not from `helpers.paths`,
    which some tests check against it)."""
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def figures_in_tmp(tmp_path, monkeypatch):
    """Send every figure a test writes to a temporary folder instead of the repository."""
    import helpers.plotting

    monkeypatch.setattr(helpers.plotting, "figures_dir", lambda: tmp_path)
    return tmp_path


def pytest_configure(config):
    """SIGTERM (a time limit) ends the run as Ctrl-C does, so that every fixture's teardown runs
    and stops the servers and kernels it started.

    nbval starts its kernels on TCP, and ipykernel then warns about unencrypted TCP. Give it
    the same IPC-socket kernels that `make run` uses.

    Progress bars are widgets in a kernel (an output field the stored cells lack), so every
    pytest run of the notebooks turns them off, as `make test` does, whoever starts it."""
    os.environ.setdefault("TQDM_DISABLE", "1")
    # The grader's secret (grading/instructor_key.py) lives in a throw-away folder, never in
    # the account's ~/.local/state.
    os.environ.setdefault("GRADING_STATE_DIR", tempfile.mkdtemp(prefix="grading-state-"))
    alone = config.getoption("alone")
    if alone and not Path(alone).is_file():  # a typo would silently lose the split
        raise pytest.UsageError(f"--alone {alone}: no such notebook")
    raise_on_sigterm()
    try:
        import nbval.kernel
    except ImportError:
        return
    from jupyter_client.manager import KernelManager

    from tools.run_notebooks import ipc_kernel_manager

    nbval.kernel.KernelManager = lambda **kwargs: ipc_kernel_manager(KernelManager, **kwargs)


def pytest_addoption(parser):
    parser.addoption(
        "--alone",
        metavar="NOTEBOOK",
        help="under xdist's --dist loadgroup, this notebook runs in a worker of its own, beside "
        "the other notebooks in another (make test: notebook 05, as long as the others together)",
    )
    parser.addoption(
        "--by-module",
        action="store_true",
        help="under xdist's --dist loadgroup, each test module runs whole on one worker (its "
        "fixtures made once) unless a test names its own group; the longest modules first "
        "(make slow-test)",
    )


@pytest.hookimpl(optionalhook=True)  # an xdist hook: no error where xdist is missing
def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker per core this process may use (xdist itself counts physical cores
    with psutil, whatever the affinity); `--maxprocesses` caps it."""
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores this process may use
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# The longest test module (a class graded in sandboxes, about a minute) is handed out right after
# the notebooks: it then runs beside the notebook group that ends last, rather than alone at the
# end of the run with the other worker idle.
LONGEST_MODULES = ("test_grading_a_class.py",)


def hand_out_order(item) -> int:
    if item.path.suffix == ".ipynb":
        return 0
    return 1 if item.path.name in LONGEST_MODULES else 2


# make slow-test's longest modules (minutes each), handed out first so that they run side by side;
# test_cpu_paths.py's two CPU paths are groups of their own.
SLOW_LONGEST = ("test_cpu_paths.py", "test_grading_attacks.py", "test_grading_dask.py")


def slow_order(item) -> int:
    name = item.path.name
    return SLOW_LONGEST.index(name) if name in SLOW_LONGEST else len(SLOW_LONGEST)


def module_group(item) -> str:
    return item.nodeid.split("::")[0]


@pytest.hookimpl(tryfirst=True)  # before xdist, in each worker, reads the marks
def pytest_collection_modifyitems(config, items):
    """xdist groups for `--dist loadgroup`: the `--alone` notebook's cells, all the other
    notebooks' cells, and one group per test module. Each group runs whole on one worker; with
    `--no-loadscope-reorder` they are handed out in collection order, so the two notebook groups
    start first, one per worker, and the modules follow as workers free up. (`--dist loadfile`
    hands out one notebook at a time, most cells first, so any of 01-04 could land behind 05.)"""
    if config.getoption("by_module"):
        items.sort(key=slow_order)  # stable: each module keeps its own order
        for item in items:
            if item.get_closest_marker("xdist_group") is None:
                item.add_marker(pytest.mark.xdist_group(module_group(item)))
        return
    alone = config.getoption("alone")
    if not alone:
        return
    alone = Path(alone).resolve()
    items.sort(key=hand_out_order)  # stable: each group keeps its own order
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.xdist_group("alone" if item.path == alone else "rest"))
        else:  # a test module stays whole on one worker: its fixtures are made once
            item.add_marker(pytest.mark.xdist_group(module_group(item)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Before each test, SIGTERM raises again: nbclient, run by some tests, resets it to the
    default (end at once, no teardown) when a notebook ends."""
    raise_on_sigterm()
    return (yield)
