"""The stored outputs hold on other CPUs: every notebook under nbval on MKL's and ATen's other
code paths.

Which kernels MKL and ATen pick depends on the processor (AVX2, AVX-512), and so does the
round-off of a sum or a product. `MKL_CBWR` and `ATEN_CPU_CAPABILITY` make this machine take
another machine's kernels, so a stored number that shows round-off digits fails here as it would
on a student's laptop. `make test` is the machine's native path; this runs the others, with the
same nbval options (the Makefile's NBVAL) and no other leniency.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# Runs every notebook again, once per path: `make slow-test`.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
PATHS = {
    # MKL's reference code path and ATen's scalar kernels: what no laptop runs natively, and the
    # furthest from any of them.
    "compatible": {"MKL_CBWR": "COMPATIBLE", "ATEN_CPU_CAPABILITY": "default"},
    # The common laptop's kernels, on a machine that has AVX-512.
    "avx2": {"MKL_CBWR": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"},
}


def nbval_options() -> list[str]:
    """The options `make test` runs the notebooks with, read from the Makefile."""
    makefile = (REPO / "Makefile").read_text()
    return re.search(r"^NBVAL := (.+)$", makefile, re.MULTILINE).group(1).split()


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    match = re.search(r"^flags\s*:(.*)$", text, re.MULTILINE)
    return set(match.group(1).split()) if match else set()


@pytest.mark.parametrize(  # under make slow-test's xdist, each path on a worker of its own
    "path",
    [pytest.param(path, marks=pytest.mark.xdist_group(f"cpu path {path}")) for path in PATHS],
)
def test_every_notebook_gives_its_stored_outputs_on_another_cpu_path(path, tmp_path):
    if path == "avx2" and not {"avx2", "avx512f"} <= cpu_flags():
        pytest.skip("AVX2 is this CPU's native path (or it lacks AVX2): make test covers it")
    env = {
        **os.environ,
        **PATHS[path],
        "TQDM_DISABLE": "1",
        "FIGURES_DIR": str(tmp_path / "figures"),
        "ACCEPTED_ANSWERS_LOG": str(tmp_path / "accepted.log"),
    }
    command = [
        sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
        *nbval_options(), "notebooks", "-q",
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
