"""Fixtures shared by the helper tests."""

import pytest


@pytest.fixture
def figures_in_tmp(tmp_path, monkeypatch):
    """Send every figure a test writes to a temporary folder instead of the repository."""
    import helpers.plotting

    monkeypatch.setattr(helpers.plotting, "figures_dir", lambda: tmp_path)
    return tmp_path


def pytest_configure(config):
    """nbval starts its kernels on TCP, and ipykernel then warns about unencrypted TCP. Give it
    the same IPC-socket kernels that `make run` uses."""
    try:
        import nbval.kernel
    except ImportError:
        return
    from jupyter_client.manager import KernelManager

    from tools.run_notebooks import ipc_kernel_manager

    nbval.kernel.KernelManager = lambda **kwargs: ipc_kernel_manager(KernelManager, **kwargs)
