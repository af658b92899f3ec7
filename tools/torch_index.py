"""Which torch build `make` installs into .venv: PyTorch's CPU wheel index, or none.

On Linux without an NVIDIA GPU, the default torch wheels bring several GB of CUDA libraries
that will never run. PyTorch's CPU-only index has the same torch without them. This prints that
index's address when it applies and answers; otherwise it prints nothing, and `make` installs
the default build from requirements.txt (the fallback, e.g. offline or behind a local mirror).
Why is said on stderr.

    python -m tools.torch_index          # prints the index URL, or nothing
    TORCH_INDEX_URL=... python -m ...    # ask another index (a mirror of the CPU wheels)
    TORCH_BUILD=default python -m ...    # never use the CPU index
"""

import os
import platform
import shutil
import sys
import urllib.error
import urllib.request

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PROBE_TIMEOUT_SECONDS = 5


def wants_cpu_build(system: str, has_nvidia_gpu: bool) -> bool:
    """Only Linux has separate CPU wheels worth choosing: macOS and Windows wheels from PyPI
    carry no CUDA libraries already."""
    return system == "Linux" and not has_nvidia_gpu


def has_nvidia_gpu() -> bool:
    return shutil.which("nvidia-smi") is not None or os.path.exists("/proc/driver/nvidia")


def index_answers(url: str, timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
    """Does the index list torch? A short probe: offline, this fails within `timeout`."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/torch/", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def choose_index(
    system: str, nvidia: bool, url: str, build: str = "", probe=index_answers
) -> tuple[str | None, str]:
    """(index URL or None, the reason in one sentence)."""
    if build == "default":
        return None, "TORCH_BUILD=default: installing torch's default build."
    if not wants_cpu_build(system, nvidia):
        reason = "an NVIDIA GPU is present" if nvidia else f"{system} wheels have no CUDA inside"
        return None, f"Installing torch's default build ({reason})."
    if probe(url):
        return url, f"No NVIDIA GPU: installing the CPU-only torch build from {url}."
    return None, (
        f"No NVIDIA GPU, but {url} does not answer: falling back to torch's default build "
        "(larger, with CUDA libraries)."
    )


def main() -> int:
    url = os.environ.get("TORCH_INDEX_URL", CPU_INDEX)
    index, reason = choose_index(
        platform.system(), has_nvidia_gpu(), url, os.environ.get("TORCH_BUILD", "")
    )
    print(reason, file=sys.stderr)
    if index:
        print(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
