"""`make colab-versions` finds Colab's Python on PATH or through pyenv, and says what to do when
neither has it."""

import stat

import pytest

from colab.simulate import COLAB_PYTHON
from colab.versions import NoColabPython, find_colab_python


def fake_program(folder, name, script):
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_a_python_of_colab_version_on_path_is_taken(tmp_path, monkeypatch):
    found = fake_program(tmp_path, f"python{COLAB_PYTHON}", f"echo {COLAB_PYTHON}")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_colab_python() == str(found)


def test_a_shim_that_fails_is_not_taken_and_the_message_says_how_to_get_one(tmp_path, monkeypatch):
    # A pyenv shim exists on PATH even where its version is not installed, and exits 127.
    fake_program(tmp_path, f"python{COLAB_PYTHON}", "exit 127")
    fake_program(tmp_path, "pyenv", "exit 0")  # pyenv knows no version
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NoColabPython, match="pyenv install") as missing:
        find_colab_python()
    assert "COLAB_PYTHON=" in str(missing.value)


def test_pyenv_newest_colab_python_is_found_when_path_has_none(tmp_path, monkeypatch):
    real = fake_program(tmp_path, "real-python", f"echo {COLAB_PYTHON}")
    versions = f"3.12.1\n{COLAB_PYTHON}.0\n{COLAB_PYTHON}.2\n"
    fake_program(
        tmp_path,
        "pyenv",
        f'if [ "$1" = versions ]; then printf "{versions}"; '
        f'elif [ "$PYENV_VERSION" = "{COLAB_PYTHON}.2" ]; then echo {real}; else exit 1; fi',
    )
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_colab_python() == str(real)


def test_a_named_python_of_another_version_is_refused(tmp_path):
    other = fake_program(tmp_path, "python3.9", "echo 3.9")
    with pytest.raises(NoColabPython, match=f"not a Python {COLAB_PYTHON}"):
        find_colab_python(str(other))
