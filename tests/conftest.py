"""Fixtures shared by the tests, and what every pytest run of this project does first."""

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
    the same IPC-socket kernels that `make run` uses."""
    raise_on_sigterm()
    try:
        import nbval.kernel
    except ImportError:
        return
    from jupyter_client.manager import KernelManager

    from tools.run_notebooks import ipc_kernel_manager

    nbval.kernel.KernelManager = lambda **kwargs: ipc_kernel_manager(KernelManager, **kwargs)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Before each test, SIGTERM raises again: nbclient, run by some tests, resets it to the
    default (end at once, no teardown) when a notebook ends."""
    raise_on_sigterm()
    return (yield)
