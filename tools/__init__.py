"""Maintainer tooling, run from the repository root (`python -m tools.<name>`); never imported
by a notebook, and not part of the `helpers` package that students install.

`run_notebooks` (`make run`), `student_edition` (`make student`), `badges` (`make badges`),
`pytest_in_turn` (`make test`), `torch_index` (which torch build `make` installs), `install_env`
(.venv at the locked versions), `dependencies` (`make lock`) and `configure_venv` (quiet Jupyter
in .venv).
"""
