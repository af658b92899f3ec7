"""`make colab-versions`: every notebook of both editions on Colab's Python and package versions.

1. A virtual environment gets exactly the versions of constraints.txt with Colab's Python (3.13:
   `--python`, else `python3.13` on PATH, else pyenv's; a clear message when there is none).
   torch comes from PyTorch's CPU index when it answers (Colab's CPU runtime has the `+cpu`
   builds), from PyPI otherwise (the same torch with several GB of CUDA libraries); the run says
   which. The environment lives in a cache folder outside the checkout
   (`$COLAB_VERSIONS_CACHE`, default `~/.cache/beyond-least-squares/colab-versions`), so a fresh
   clone (CI) reuses it while constraints.txt, the Python and the torch source stay the same.
2. The notebooks' own setup cells install this checkout there, as on Colab: a fake
   `google.colab` and the install line pointed at a wheel of the checkout.
3. nbval runs all ten notebooks in that environment, each in a fresh kernel, and compares their
   outputs with the stored ones (made with newer versions). A cell that fails is an error and
   fails the run; a cell whose output differs is listed in differences.txt, because a new version
   may word a message differently.
4. A probe shows what `tqdm.auto` draws there with Colab's ipywidgets, and in .venv.

    PYTHONPATH=tests .venv/bin/python -m colab.versions [--python python3.13]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

from colab.simulate import (
    COLAB_PYTHON,
    CONSTRAINTS,
    REPO,
    build_project_wheel,
    fake_google_colab,
    install_from_wheel,
    write_kernel_spec,
)
from tools.run_notebooks import ipc_kernel_manager
from tools.torch_index import CPU_INDEX, index_answers

BUILD = REPO / "build" / "colab-versions"  # git-ignored: this run's notebooks and reports
CACHE = Path(
    os.environ.get("COLAB_VERSIONS_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "beyond-least-squares"
    / "colab-versions"
)
ENV = CACHE / "env"
KERNEL = "colab-versions"
TORCH_PACKAGES = ("torch", "torchvision")
REPORTED_PACKAGES = ("torch", "torchvision", "numpy", "matplotlib", "ipykernel")
EDITIONS = ("notebooks", "student")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def gigabytes(size: int) -> str:
    return f"{size / 1e9:.2f} GB"


class NoColabPython(Exception):
    pass


def runs_colab_python(python: str) -> bool:
    """Does `python` start, and is it Colab's version? (A pyenv shim exists even where its
    version is not selected, and then fails.)"""
    try:
        result = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
    except OSError:
        return False
    return result.returncode == 0 and result.stdout.strip() == COLAB_PYTHON


def pyenv_colab_python() -> str | None:
    """pyenv's newest installed Colab Python, whatever version pyenv has selected."""
    if shutil.which("pyenv") is None:
        return None
    bare = subprocess.run(
        ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=False
    )
    found = sorted(
        (v for v in bare.stdout.split() if re.fullmatch(rf"{re.escape(COLAB_PYTHON)}\.\d+", v)),
        key=lambda v: int(v.rsplit(".", 1)[1]),
    )
    if not found:
        return None
    env = {**os.environ, "PYENV_VERSION": found[-1]}
    where = subprocess.run(
        ["pyenv", "which", f"python{COLAB_PYTHON}"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if where.returncode != 0:
        return None
    return where.stdout.strip() or None


def find_colab_python(asked: str | None = None) -> str:
    """Colab's Python: `asked`, else `python3.13` on PATH, else pyenv's newest 3.13."""
    if asked:
        if not runs_colab_python(asked):
            raise NoColabPython(
                f"{asked} (--python / COLAB_PYTHON) is not a Python {COLAB_PYTHON}."
            )
        return asked
    name = f"python{COLAB_PYTHON}"
    for candidate in (shutil.which(name), pyenv_colab_python()):
        if candidate and runs_colab_python(candidate):
            return candidate
    raise NoColabPython(
        f"Colab runs Python {COLAB_PYTHON}, and neither {name} on PATH nor pyenv has it. Install "
        f"it (pyenv: `pyenv install {COLAB_PYTHON}`; Ubuntu: the deadsnakes PPA's "
        f"python{COLAB_PYTHON}-venv), or name one: `make colab-versions COLAB_PYTHON=/path/to/"
        f"python{COLAB_PYTHON}`."
    )


def torch_source() -> tuple[list[str], str]:
    """pip's index options for torch and torchvision, and where they come from, in words."""
    if index_answers(CPU_INDEX):
        return [
            "--index-url",
            CPU_INDEX,
        ], f"PyTorch's CPU index ({CPU_INDEX}), as on Colab's CPU runtime"
    return [], (f"PyPI: {CPU_INDEX} did not answer, so the default build, with its CUDA libraries")


def build_environment(python: str) -> str:
    """ENV with Colab's versions and what they need; says what building it took."""
    torch_index, source = torch_source()
    version = subprocess.check_output([python, "--version"], text=True).strip()
    wanted = (
        f"# {version} ({python})\n# torch from {source}\n{CONSTRAINTS.read_text(encoding='utf-8')}"
    )
    stamp = ENV / "colab-constraints.txt"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return f"environment reused from {ENV} (same constraints, Python and torch source)"
    shutil.rmtree(ENV, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([python, "-m", "venv", str(ENV)], check=True)
    downloads = CACHE / "downloads"
    shutil.rmtree(downloads, ignore_errors=True)
    pip = [str(ENV / "bin" / "python"), "-m", "pip"]
    quiet = ["-q", "--no-cache-dir", "-c", str(CONSTRAINTS), "-d", str(downloads)]
    # Downloaded first so that their size can be told; no pip cache keeps a second copy.
    subprocess.run(
        [*pip, "download", *quiet, *torch_index, "--no-deps", *TORCH_PACKAGES], check=True
    )
    # The rest from PyPI; --find-links: the torch just downloaded satisfies the constraints.
    subprocess.run(
        [*pip, "download", *quiet, "--find-links", str(downloads), "-r", str(CONSTRAINTS)],
        check=True,
    )
    downloaded, files = folder_bytes(downloads), len(list(downloads.iterdir()))
    subprocess.run(
        [*pip, "install", "-q", "--no-index", "--find-links", str(downloads),
         "-r", str(CONSTRAINTS)],
        check=True,
    )  # fmt: skip
    shutil.rmtree(downloads)
    stamp.write_text(wanted, encoding="utf-8")
    return (
        f"environment built in {time.perf_counter() - start:.0f} s in {ENV}, torch from "
        f"{source}: downloaded {gigabytes(downloaded)} in {files} files"
    )


def installed_versions(python: Path, names) -> list[str]:
    """`pip freeze` lines of `names` in the environment of `python`."""
    freeze = subprocess.check_output([str(python), "-m", "pip", "freeze"], text=True)
    wanted = {name.lower() for name in names}
    return [line for line in freeze.splitlines() if line.split("==")[0].lower() in wanted]


def prepare_notebooks(wheel: Path) -> list[Path]:
    """Copies of both editions whose setup cells install `wheel` on the (fake) Colab."""
    copies = []
    for edition in EDITIONS:
        for path in sorted((REPO / edition).glob("[0-9][0-9]_*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            install_from_wheel(notebook, wheel)
            copy = BUILD / "content" / edition / path.name
            copy.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, copy)
            copies.append(copy)
    return copies


class CellReports:
    """pytest plugin: every nbval report, by notebook."""

    def __init__(self):
        self.by_notebook = defaultdict(list)

    def pytest_runtest_logreport(self, report):
        self.by_notebook[report.nodeid.split("::")[0]].append(report)


def run_nbval(copies: list[Path]) -> CellReports:
    reports = CellReports()
    os.chdir(REPO)  # node ids relative to the repository
    pytest.main(
        [*map(str, copies), "--nbval", f"--nbval-kernel-name={KERNEL}",
         "--nbval-sanitize-with", str(REPO / "tests" / "nbval_sanitize.cfg"),
         "--nbval-cell-timeout=600", "--color=no", "-q", "-p", "no:cacheprovider",
         "-p", "conftest"],  # tests/conftest.py: kernels on IPC sockets, as in make test
        plugins=[reports],
    )  # fmt: skip
    return reports


def summarise(reports: CellReports) -> tuple[list[str], int]:
    """One line per notebook, the text of every difference, and the number of failing cells."""
    lines, differences, errors = [], [], 0
    for notebook, items in reports.by_notebook.items():
        calls = [r for r in items if r.when == "call"]
        failed = [r for r in items if r.failed]
        differing = [r for r in failed if "Cell outputs differ" in r.longreprtext]
        failing = [r for r in failed if r not in differing]  # exceptions, timeouts, dead kernels
        seconds = max(r.stop for r in items) - min(r.start for r in items)
        lines.append(
            f"{notebook:<58} {seconds:6.1f} s  {len(calls):3d} cells  "
            f"{len(failing)} errors  {len(differing)} differ"
        )
        errors += len(failing)
        differences += [f"== {r.nodeid}\n{r.longreprtext}\n" for r in failed]
    (BUILD / "differences.txt").write_text("\n".join(differences), encoding="utf-8")
    return lines, errors


PROBE = """\
import os

os.environ.pop("TQDM_DISABLE", None)  # read when tqdm is imported; set for the comparison

import ipywidgets
import tqdm
from tqdm.auto import tqdm as auto_tqdm
from tqdm.notebook import tqdm_notebook

from helpers.training import progress

auto_bar = auto_tqdm(range(3), desc="tqdm.auto")
for _ in auto_bar:
    pass
helpers_bar = progress(range(3), desc="helpers.training.progress")
for _ in helpers_bar:
    pass


def kind(bar):
    return "a widget (tqdm.notebook)" if isinstance(bar, tqdm_notebook) else "text (tqdm.std)"


print(f"ipywidgets {ipywidgets.__version__}, tqdm {tqdm.__version__}")
print(f"tqdm.auto draws {kind(auto_bar)}, helpers.training.progress {kind(helpers_bar)}")
"""


def probe_progress_bars(kernel: str) -> list[str]:
    """What a progress bar is in `kernel`: its printed lines, the kinds of output it left and
    the widget models the kernel created (name, module and the module's version)."""
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    client = NotebookClient(
        notebook,
        km=ipc_kernel_manager(kernel_name=kernel),
        timeout=120,
        resources={"metadata": {"path": str(BUILD / "content")}},
        store_widget_state=True,
    )
    client.execute(cleanup_kc=True)
    outputs = notebook.cells[0].outputs
    printed = [o.text for o in outputs if o.output_type == "stream" and o.name == "stdout"]
    warnings = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    kinds = sorted({key for o in outputs if "data" in o for key in o.data})
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    models = sorted(
        {f"{m['model_name']} ({m['model_module']} {m['model_module_version']})"
         for m in state.values()}
    )  # fmt: skip
    return [
        *"".join(printed).splitlines(),
        f"outputs: {', '.join(kinds) or 'text only'}",
        f"widget models: {', '.join(models) or 'none'}",
        *(f"stderr: {line}" for line in "".join(warnings).splitlines()),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--python", default=os.environ.get("COLAB_PYTHON") or None,
        help=f"the environment's Python (default: python{COLAB_PYTHON} on PATH, or pyenv's)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        colab_python = find_colab_python(args.python)
    except NoColabPython as missing:
        print(f"make colab-versions: {missing}", file=sys.stderr)
        return 2
    BUILD.mkdir(parents=True, exist_ok=True)
    print(f"Colab's Python: {colab_python}", flush=True)
    built = build_environment(colab_python)
    python = ENV / "bin" / "python"
    # Every run installs the checkout afresh through the setup cells, as on a new Colab runtime.
    subprocess.run(
        [str(python), "-m", "pip", "uninstall", "-q", "-y", "beyond-least-squares", "torchviz"],
        check=True,
        capture_output=True,
    )
    freeze = subprocess.check_output([str(python), "-m", "pip", "freeze"], text=True)
    (BUILD / "freeze-before-setup-cell.txt").write_text(freeze, encoding="utf-8")

    for folder in ("project", "fake-colab", "jupyter", "content", "figures"):
        shutil.rmtree(BUILD / folder, ignore_errors=True)
    wheel = build_project_wheel(BUILD / "project")
    kernel_env = {
        "PYTHONPATH": str(fake_google_colab(BUILD / "fake-colab")),
        "TQDM_DISABLE": "1",  # no progress bars in the compared outputs, as in make test
        "FIGURES_DIR": str(BUILD / "figures"),
    }
    write_kernel_spec(BUILD / "jupyter", KERNEL, python, kernel_env)
    os.environ["JUPYTER_PATH"] = str(BUILD / "jupyter")
    if not os.environ.get("MNIST_ROOT") and (REPO / "data" / "MNIST").is_dir():
        os.environ["MNIST_ROOT"] = str(REPO / "data")  # installed helpers look in the cwd

    copies = prepare_notebooks(wheel)
    reports = run_nbval(copies)
    lines, errors = summarise(reports)
    probes = {name: probe_progress_bars(name) for name in (KERNEL, "python3")}
    widgets = all(any("widget-view" in line for line in found) for found in probes.values())

    version = subprocess.check_output([str(python), "--version"], text=True).strip()
    print(f"\n{version}; {built}; environment {gigabytes(folder_bytes(ENV))} on disk")
    print("after the setup cells:", *installed_versions(python, REPORTED_PACKAGES), sep="\n  ")
    print(*lines, sep="\n")
    print(f"differences in full: {BUILD.relative_to(REPO) / 'differences.txt'}")
    for name, found in probes.items():
        print(f"progress bars in the {name} kernel:", *found, sep="\n  ")
    print(f"total {time.perf_counter() - start:.0f} s")
    ran_all = errors == 0 and len(reports.by_notebook) == len(copies)
    return 0 if ran_all and widgets else 1


if __name__ == "__main__":
    sys.exit(main())
