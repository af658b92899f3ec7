"""Fixtures shared by the helper tests."""

import pytest


@pytest.fixture
def figures_in_tmp(tmp_path, monkeypatch):
    """Send every figure a test writes to a temporary folder instead of the repository."""
    import helpers.plotting

    monkeypatch.setattr(helpers.plotting, "figures_dir", lambda: tmp_path)
    return tmp_path
