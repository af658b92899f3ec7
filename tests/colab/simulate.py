"""What the Colab tests and `make colab-versions` share: Colab's versions and its setup cell.

Colab's package versions are in `constraints.txt` beside this file; its Python and platform are
here. The rest builds the pieces of a simulated Colab: a wheel of this checkout, a folder that
pip takes for Colab's installed packages, a fake `google.colab`, a kernel in a given environment,
and a notebook whose install line points at the wheel instead of GitHub (unreachable in tests).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tools.badges import repository_slug

REPO = Path(__file__).resolve().parents[2]
CONSTRAINTS = Path(__file__).with_name("constraints.txt")

# Colab's CPU runtime (googlecolab/backend-info, August 2026): Ubuntu 22.04 on x86-64.
COLAB_PYTHON = "3.13"
COLAB_GLIBC_MINOR = 35  # Ubuntu 22.04 has glibc 2.35


def colab_pins() -> dict[str, str]:
    """`{name: version}` of every package in constraints.txt, each pinned with `==`."""
    pins = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==":
            raise ValueError(f"{CONSTRAINTS.name} pins exact versions only, found {line!r}")
        pins[canonicalize_name(requirement.name)] = specifiers[0].version
    return pins


def colab_platforms() -> list[str]:
    """The wheel platform tags Colab's pip accepts: manylinux up to its glibc, and plain linux."""
    manylinux = [f"manylinux_2_{minor}_x86_64" for minor in range(COLAB_GLIBC_MINOR, 4, -1)]
    legacy = ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    return [*manylinux, *legacy, "linux_x86_64"]


def package_index_reachable(download_to: Path) -> bool:
    """Colab installs from the package index; without it (offline laptop) these tests can't run."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(download_to),
         "torchviz"],
        capture_output=True,
        check=False,
        timeout=300,
    )  # fmt: skip
    return result.returncode == 0


def build_project_wheel(folder: Path) -> Path:
    """A wheel of this checkout, built from a copy so that the checkout gets no build/ folder."""
    source = folder / "source"
    shutil.copytree(
        REPO / "helpers", source / "helpers", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    wheels = folder / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (wheel,) = wheels.glob("beyond_least_squares-*.whl")
    return wheel


def fake_installed_packages(pins: dict[str, str], site: Path) -> Path:
    """A folder of `.dist-info` records, one per pin: on `sys.path`, pip takes the pins for
    installed packages, as Colab's are, and leaves them alone wherever they satisfy."""
    for name, version in pins.items():
        record = site / f"{name.replace('-', '_')}-{version}.dist-info"
        record.mkdir(parents=True)
        metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        (record / "METADATA").write_text(metadata, encoding="utf-8")
    return site


def fake_google_colab(folder: Path) -> Path:
    """A `google.colab` module in `folder`, to put on PYTHONPATH: its presence is what the setup
    cell asks about."""
    package = folder / "google" / "colab"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text(
        '"""Stand-in for Colab\'s module: its presence is the signal."""\n'
    )
    return folder


def write_kernel_spec(jupyter: Path, name: str, python: Path, env: dict[str, str]) -> None:
    """A kernel named `name` that runs `python`, found by Jupyter with JUPYTER_PATH=`jupyter`."""
    folder = jupyter / "kernels" / name
    folder.mkdir(parents=True)
    spec = {
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": name,
        "language": "python",
        "env": env,
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1))


def install_from_wheel(notebook, wheel: Path) -> None:
    """Point the setup cell's Colab install line at `wheel` instead of this repository on
    GitHub: the same `%pip install`, of this checkout."""
    slug = repository_slug(REPO / "pyproject.toml")
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code")
    url = f"git+https://github.com/{slug}"
    assert url in setup.source, "the setup cell no longer installs from GitHub"
    setup.source = setup.source.replace(url, wheel.as_uri())
