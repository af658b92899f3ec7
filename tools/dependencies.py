"""The project's dependencies: declared once in pyproject.toml, everything else written from it.

- `requirements.txt`: what `.venv` installs (the package and its `course` and `test` extras),
  for pip; `requirements-site.txt`: the `site` extra, for `.venv-site`;
- `environment.yml`: the same as requirements.txt for conda (conda-forge, then pip for what
  conda-forge lacks);
- `requirements.lock`: every package of every extra pinned, for every platform and Python the
  project supports (`uv pip compile --universal`). pip installs with it as a constraints file,
  so it pins what is installed and installs nothing a platform does not need (on a CPU-only
  Linux, torch's CUDA libraries stay out).

    python -m tools.dependencies write        # rewrite the three files from pyproject.toml
    python -m tools.dependencies check        # exit 1, naming the files, if any differs
    python -m tools.dependencies lock --uv UV # write them, then requirements.lock (`make lock`)
"""

import argparse
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
LOCK = "requirements.lock"
# The releases the stored outputs were made with: the lock never resolves past them.
LOCK_CAPS = "tools/lock-caps.txt"
VENV_EXTRAS = ("course", "test")
# conda-forge's names, where they differ from PyPI's.
CONDA_NAMES = {"torch": "pytorch", "graphviz": "python-graphviz"}
# Not on conda-forge (or not current there): installed by conda's pip.
PIP_ONLY = {"graphviz-pure", "torchviz", "nbval"}
GENERATED = "# Written by `python -m tools.dependencies write` from pyproject.toml: edit that file."


def declared(root: Path = ROOT) -> dict[str, list[str]]:
    """{"": the package's own dependencies, extra name: its requirements}."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    return {"": project["dependencies"], **project.get("optional-dependencies", {})}


def requirements_txt(deps: dict[str, list[str]]) -> str:
    lines = [
        "# The course environment, for pip. `make lab` / `make test` install it into .venv with",
        "# the versions the stored outputs were made with:",
        f"#     pip install -r requirements.txt -c {LOCK}",
        GENERATED,
    ]
    for group in ("", *VENV_EXTRAS):
        lines += deps[group]
    lines += ["# The `helpers` package of this repository, editable.", "-e ."]
    return "\n".join(lines) + "\n"


def site_requirements_txt(deps: dict[str, list[str]]) -> str:
    lines = [
        "# The course website (`make site`), in its own environment (.venv-site), never in the",
        "# student's: Sphinx with myst-nb reads the notebooks' stored outputs (never runs them).",
        GENERATED,
        *deps["site"],
    ]
    return "\n".join(lines) + "\n"


def _name(requirement: str) -> str:
    from packaging.requirements import Requirement

    return Requirement(requirement).name.lower()


def _conda_spec(requirement: str) -> str:
    from packaging.requirements import Requirement

    parsed = Requirement(requirement)
    return CONDA_NAMES.get(parsed.name, parsed.name) + str(parsed.specifier)


def environment_yml(deps: dict[str, list[str]], requires_python: str) -> str:
    wanted = [r for group in ("", *VENV_EXTRAS) for r in deps[group]]
    conda = [_conda_spec(r) for r in wanted if _name(r) not in PIP_ONLY]
    pip = [r for r in wanted if _name(r) in PIP_ONLY]
    lines = [
        "# conda route: `conda env create -f environment.yml`, then",
        "# `conda activate beyond-least-squares`. conda-forge only (the `pytorch` channel is",
        "# retired). Lower bounds, not the lock: conda resolves its own builds, so its numbers",
        "# can differ from the stored ones in the last digits.",
        GENERATED,
        "name: beyond-least-squares",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python{requires_python}",
        *(f"  - {spec}" for spec in conda),
        "  - pip",
        "  - pip:",
        *(f"      - {spec}" for spec in pip),
        "      - -e .",
    ]
    return "\n".join(lines) + "\n"


def expected_files(root: Path = ROOT) -> dict[str, str]:
    deps = declared(root)
    requires_python = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]
    return {
        "requirements.txt": requirements_txt(deps),
        "requirements-site.txt": site_requirements_txt(deps),
        "environment.yml": environment_yml(deps, requires_python),
    }


def stale_files(root: Path = ROOT) -> list[str]:
    return [
        name
        for name, text in expected_files(root).items()
        if not (root / name).is_file() or (root / name).read_text() != text
    ]


def write(root: Path = ROOT) -> None:
    for name, text in expected_files(root).items():
        (root / name).write_text(text)


def lock_command(uv: str) -> list[str]:
    extras = [arg for extra in declared() if extra for arg in ("--extra", extra)]
    return [
        uv, "pip", "compile", "pyproject.toml", *extras,
        "--universal", "--python-version", "3.10",
        "--constraint", LOCK_CAPS,
        "--custom-compile-command", "make lock", "--quiet",
        "--output-file", LOCK,
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["write", "check", "lock"])
    parser.add_argument("--uv", default="uv", help="the uv program that writes the lock")
    args = parser.parse_args(argv)
    if args.action == "check":
        stale = stale_files()
        if stale:
            print(f"out of date with pyproject.toml: {', '.join(stale)}; run `make lock`")
            return 1
        print("requirements.txt, requirements-site.txt, environment.yml: up to date")
        return 0
    write()
    if args.action == "lock":
        return subprocess.run(lock_command(args.uv), cwd=ROOT, check=False).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
