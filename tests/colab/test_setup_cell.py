"""On Colab, the setup cell's `%pip install` adds this project, torchviz and graphviz-pure, and
changes nothing Colab ships.

pip resolves the install as a dry run, as it would on Colab: Colab's packages (constraints.txt)
count as installed, markers and wheels are judged for Colab's Python 3.13 on manylinux, binary
wheels only. What pip would install is in its report; anything there besides the project,
torchviz (with what torchviz needs) and graphviz-pure (which draws the graphs) would be installed
or replaced on a student's Colab. Only their metadata comes from the package index: the test
takes a few seconds.
"""

import json
import subprocess
import sys
from pathlib import Path

import pip
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from colab.simulate import (
    COLAB_PYTHON,
    REPO,
    build_project_wheel,
    colab_pins,
    colab_platforms,
    fake_installed_packages,
    package_index_reachable,
)

PROJECT = "beyond-least-squares"
COLAB_MARKERS = {
    "python_version": COLAB_PYTHON,
    "python_full_version": f"{COLAB_PYTHON}.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
}
WORKFLOW = REPO / ".github" / "workflows" / "colab-versions.yml"


@pytest.fixture(scope="module")
def project_wheel(tmp_path_factory):
    root = tmp_path_factory.mktemp("setup-cell")
    if not package_index_reachable(root / "probe"):
        pytest.skip("the package index is unreachable: resolving Colab's install needs it")
    return build_project_wheel(root / "project")


def setup_cell_install(wheel: Path, folder: Path, *also: str) -> dict[str, dict]:
    """What `%pip install <project>` would install on Colab, by name (a dry run of pip)."""
    site = fake_installed_packages(colab_pins(), folder / "colab-site")
    report = folder / "report.json"
    python = ["--python-version", COLAB_PYTHON, "--implementation", "cp"]
    abis = ["--abi", f"cp{COLAB_PYTHON.replace('.', '')}", "--abi", "abi3", "--abi", "none"]
    platforms = [option for tag in colab_platforms() for option in ("--platform", tag)]
    command = [
        sys.executable, "-I", "-S", str(Path(__file__).with_name("pip_as_on_colab.py")),
        str(Path(pip.__file__).parent.parent), str(site), json.dumps(COLAB_MARKERS),
        "install", "--dry-run", "--quiet", "--report", str(report), "--only-binary=:all:",
        *python, *abis, *platforms, f"{PROJECT} @ {wheel.as_uri()}", *also,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, f"pip could not resolve the install:\n{result.stderr[-3000:]}"
    resolved = json.loads(report.read_text())
    assert resolved["environment"]["python_version"] == COLAB_PYTHON  # markers judged as Colab's
    return {canonicalize_name(item["metadata"]["name"]): item for item in resolved["install"]}


def replaced(installs: dict[str, dict]) -> dict[str, str]:
    """Colab's packages that the install would change: `{name: 'colab -> new'}`."""
    pins = colab_pins()
    return {
        name: f"{pins[name]} -> {item['metadata']['version']}"
        for name, item in installs.items()
        if name in pins
    }


def needs(installs: dict[str, dict], name: str) -> set[str]:
    """`name` and what it requires among `installs`, transitively, on Colab's Python."""
    found, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in found or current not in installs:
            continue
        found.add(current)
        for line in installs[current]["metadata"].get("requires_dist") or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or marker.evaluate({**COLAB_MARKERS, "extra": ""}):
                todo.append(canonicalize_name(requirement.name))
    return found


def test_the_setup_cell_adds_the_project_torchviz_and_graphviz_pure_and_changes_nothing_else(
    project_wheel, tmp_path
):
    installs = setup_cell_install(project_wheel, tmp_path)
    assert replaced(installs) == {}, "the setup cell would replace packages Colab ships"
    # Colab has neither: the project's metadata must bring them.
    assert "torchviz" in installs and "graphviz-pure" in installs
    others = sorted(set(installs) - {PROJECT, "graphviz-pure"} - needs(installs, "torchviz"))
    assert others == [], (
        f"the setup cell would also install {others}; if Colab ships them, add Colab's versions "
        "to tests/colab/constraints.txt"
    )


def test_a_requirement_colab_does_not_meet_shows_as_a_replacement(project_wheel, tmp_path):
    # The check above can fail: a requirement that Colab's tqdm does not meet replaces it.
    installs = setup_cell_install(project_wheel, tmp_path, "tqdm<4.67")
    assert list(replaced(installs)) == ["tqdm"]


def test_the_colab_versions_workflow_uses_colab_python_and_the_constraints():
    text = WORKFLOW.read_text(encoding="utf-8")
    assert f'python-version: "{COLAB_PYTHON}"' in text
    assert "-c tests/colab/constraints.txt --index-url https://download.pytorch.org/whl/cpu" in text
    assert "-r tests/colab/constraints.txt" in text
    assert "--nbval-lax" in text and "notebooks student" in text
