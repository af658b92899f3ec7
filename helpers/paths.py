"""Where things live: the repository root, `figures/` and the MNIST data root.

Resolved from this package's own location, never from the working directory, so a notebook
runs the same from `notebooks/`, from the repository root or from an IDE.
"""

import os
from pathlib import Path

MNIST_ROOT_ENV_VAR = "MNIST_ROOT"


def repo_root() -> Path:
    """The checkout that holds this package.

    When `helpers` is installed without a checkout (e.g. `pip install git+...` on Colab) there
    is no repository around it; the working directory (Colab's /content) is the root then.
    """
    package_parent = Path(__file__).resolve().parent.parent
    if (package_parent / "pyproject.toml").is_file():
        return package_parent
    return Path.cwd()


FIGURES_DIR_ENV_VAR = "FIGURES_DIR"
STUDENT_FIGURES = ("student", "figures")  # git-ignored


def figures_dir() -> Path:
    """The folder the notebooks' figures are written to (created on demand by `save_figure`).

    - `$FIGURES_DIR` when set (`make test` sends figures to a throw-away folder);
    - `figures/` of the repository when the instructor edition runs (from `notebooks/`, as
      `make run` does): these are the lecture's figures;
    - otherwise `student/figures/`, which git ignores, so that a student's run changes no
      committed file; without a checkout around (Colab), `figures/` in the working directory.
    """
    configured = os.environ.get(FIGURES_DIR_ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    if Path.cwd().resolve() == notebooks_dir().resolve():
        return repo_root() / "figures"
    if (repo_root() / "pyproject.toml").is_file():
        return repo_root().joinpath(*STUDENT_FIGURES)
    return Path.cwd() / "figures"


def notebooks_dir() -> Path:
    return repo_root() / "notebooks"


def data_root() -> Path:
    """The folder that holds `MNIST/raw/`: `$MNIST_ROOT` if set, else `data/` in the repository."""
    configured = os.environ.get(MNIST_ROOT_ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return repo_root() / "data"


def display_path(path: Path) -> str:
    """`path` relative to the repository when it lies inside it, so outputs read the same on
    every machine (no /home/<user>/... in a stored notebook)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(repo_root()).as_posix()
    except ValueError:
        return path.as_posix()
