"""Build a virtual environment from requirements files and the lock, or leave none at all.

`make` calls it for `.venv` (requirements.txt) and `.venv-site` (requirements-site.txt). pip
installs with requirements.lock as a constraints file: every package gets the version the
stored outputs were made with. On Linux without an NVIDIA GPU, PyTorch's CPU-only index is
asked too, when it answers (tools/torch_index.py): the same torch without GBs of CUDA. If pip
fails (typically: this platform or Python has no wheel of a pinned version), the half-built
environment is removed and one paragraph says what was missing and what to do; the next `make`
starts again from nothing.

    python -m tools.install_env .venv -r requirements.txt
    UNLOCKED=1 python -m tools.install_env ...   # newest versions the requirements allow
"""

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tools import torch_index

LOCK = "requirements.lock"
# What pip says when no release of a pinned version fits this platform, or one fails to build.
NOT_FOUND = re.compile(
    r"(?:No matching distribution found for|Failed to build|The user requested \(constraint\))"
    r" ([^\s;]+)"
)


class InstallFailed(Exception):
    pass


def pip_install(python: Path, args: list[str]) -> None:
    """Run pip, its output shown as it comes; on failure raise with the packages it named."""
    command = [str(python), "-m", "pip", "install", *args]
    print("+", " ".join(command), flush=True)
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    )
    missing = []
    for line in process.stdout:
        sys.stdout.write(line)
        missing += NOT_FOUND.findall(line)
    if process.wait() != 0:
        raise InstallFailed(", ".join(dict.fromkeys(missing)))


def failure_message(venv: Path, missing: str, locked: bool) -> str:
    where = f"Python {platform.python_version()} on {platform.system()} {platform.machine()}"
    what = f"pip found no installable release of {missing}" if missing else "pip failed"
    lines = [
        f"Could not install the course's packages into {venv}: {what} for {where}.",
        f"Nothing is left half-installed: {venv} was removed.",
    ]
    if locked:
        lines += [
            f"The versions are pinned in {LOCK} (those the stored outputs were made with).",
            "What to do: use another Python (the stored outputs were made with 3.11:",
            "`make lab PYTHON=python3.11`), or conda (`conda env create -f environment.yml`),",
            "or `make lab UNLOCKED=1` for the newest versions your platform has (then some",
            "printed numbers may differ in their last digits from the stored ones).",
        ]
    return "\n".join(lines)


def build(venv: Path, requirements: list[str], locked: bool, torch_first: bool) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    args = [arg for name in requirements for arg in ("-r", name)]
    if locked:
        args += ["-c", LOCK]
    if torch_first:
        index, reason = torch_index.choose_index(
            platform.system(),
            torch_index.has_nvidia_gpu(),
            os.environ.get("TORCH_INDEX_URL", torch_index.CPU_INDEX),
            os.environ.get("TORCH_BUILD", ""),
        )
        print(reason, flush=True)
        if index:  # its torch 2.14.1+cpu sorts above PyPI's 2.14.1, and the lock allows both
            args += ["--extra-index-url", index]
    pip_install(python, args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("venv", type=Path)
    parser.add_argument("-r", dest="requirements", action="append", required=True)
    parser.add_argument("--no-torch", action="store_true", help="no torch among them")
    args = parser.parse_args(argv)
    locked = not os.environ.get("UNLOCKED")
    try:
        build(args.venv, args.requirements, locked, torch_first=not args.no_torch)
    except (InstallFailed, subprocess.CalledProcessError) as error:
        shutil.rmtree(args.venv, ignore_errors=True)
        missing = str(error) if isinstance(error, InstallFailed) else ""
        print("\n" + failure_message(args.venv, missing, locked), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
