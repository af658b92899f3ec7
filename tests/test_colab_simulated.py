"""The Colab branch of the setup cell, run for real without Colab.

A fresh virtual environment gets part of what Colab ships (torch, torchvision, matplotlib,
numpy, ipykernel and what they need, linked from this environment rather than downloaded again),
a fake `google.colab` module, and notebook 01 whose install line points at a wheel of this
checkout. Everything else `helpers` needs must then come from the package metadata alone:
torchviz, as on Colab, and graphviz and tqdm, which Colab does ship (a stricter check). Colab's
own versions are tested in `tests/colab/`.
"""

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from colab.simulate import (
    REPO,
    build_project_wheel,
    fake_google_colab,
    install_from_wheel,
    package_index_reachable,
    write_kernel_spec,
)
from packaging.requirements import Requirement

# Runs notebooks beyond the once-per-edition of `make test`: `make slow-test` runs it.
pytestmark = pytest.mark.slow

COLAB_PREINSTALLED = ["torch", "torchvision", "matplotlib", "numpy", "ipykernel"]
PROJECT_ONLY = ["torchviz", "graphviz", "graphviz-pure", "tqdm"]  # what the project must bring


def requirement_closure(names):
    """Installed distributions needed by `names`, transitively (extras ignored)."""
    seen, todo = {}, list(names)
    while todo:
        name = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional or platform-specific requirement not installed here
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen:
            continue
        seen[key] = dist
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def link_distributions(distributions, target: Path):
    """Symlink each distribution's top-level files and folders into `target`."""
    target.mkdir()
    for dist in distributions.values():
        site = Path(dist.locate_file(""))
        for entry in {Path(f).parts[0] for f in dist.files or [] if not str(f).startswith("..")}:
            if not (target / entry).exists() and (site / entry).exists():
                (target / entry).symlink_to(site / entry)


@pytest.fixture(scope="module")
def colab_like(tmp_path_factory):
    root = tmp_path_factory.mktemp("colab")
    if not package_index_reachable(root / "probe"):
        pytest.skip("the package index is unreachable: the simulated Colab install needs it")
    # 1. A wheel of this checkout.
    wheel = build_project_wheel(root / "project")

    # 2. A fresh environment holding only what Colab ships.
    base = requirement_closure(COLAB_PREINSTALLED)
    assert not set(PROJECT_ONLY) & set(base), (
        "the simulated Colab must lack the project's own needs"
    )
    link_distributions(base, root / "colab-base")
    env = root / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    python = env / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    (site / "colab-base.pth").write_text(str(root / "colab-base") + "\n")

    # 3. The fake google.colab, and a kernel that runs in the fresh environment.
    kernel_env = {
        "PYTHONPATH": str(fake_google_colab(root / "fake-colab")),
        "TQDM_DISABLE": "1",
        "FIGURES_DIR": "",
    }
    write_kernel_spec(root / "jupyter", "colab-sim", python, kernel_env)

    # 4. Notebook 01 with its install line pointed at the wheel instead of GitHub.
    work = root / "content"  # Colab's working folder is /content
    work.mkdir()
    notebook = nbformat.read(REPO / "notebooks" / "01_polynomial_gradient.ipynb", as_version=4)
    install_from_wheel(notebook, wheel)
    return {
        "root": root,
        "python": python,
        "work": work,
        "notebook": notebook,
        "jupyter": root / "jupyter",
    }


def run_in_fresh_env(colab_like, code: str) -> str:
    """Run `code` with the simulated Colab's Python, in its working folder; return stdout."""
    result = subprocess.run(
        [str(colab_like["python"]), "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=colab_like["work"],
    )
    return result.stdout.strip()


def test_fresh_environment_starts_without_the_project_or_its_extras(colab_like):
    probe = (
        "import importlib.util as u; print([m for m in "
        "('helpers', 'torchviz', 'graphviz', 'tqdm', 'google') if u.find_spec(m)])"
    )
    assert run_in_fresh_env(colab_like, probe) == "[]"
    assert run_in_fresh_env(colab_like, "import torch, matplotlib; print('ok')") == "ok"


def test_notebook_01_runs_after_the_colab_install(colab_like, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PATH", str(colab_like["jupyter"]))
    notebook = colab_like["notebook"]
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="colab-sim",
        resources={"metadata": {"path": str(colab_like["work"])}},
    )
    client.execute()  # raises CellExecutionError if any cell fails

    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == []
    assert (colab_like["work"] / "figures" / "polynomial_gradient.png").is_file()

    # What the install brought, from the wheel's metadata alone, into the fresh environment.
    check = "import helpers, torchviz, graphviz, tqdm; print(helpers.__file__)"
    installed_at = Path(run_in_fresh_env(colab_like, check))
    assert str(colab_like["root"] / "env") in str(installed_at) and REPO not in installed_at.parents
    # The graphs are drawn by the graphviz-pure that the install brought, not Colab's Graphviz.
    program = run_in_fresh_env(
        colab_like, "import helpers.graphs as g; print(g.graphviz_program())"
    )
    assert Path(program).name == "graphviz-pure" and str(colab_like["root"] / "env") in program
    printed = "".join(
        o.get("text", "") for o in notebook.cells[1].outputs if o.output_type == "stream"
    )
    assert not re.search(r"error", printed, re.IGNORECASE), printed
