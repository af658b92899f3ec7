"""Quiet Jupyter settings for this project's .venv, written inside .venv (never in the home
folder), so they apply to `make lab` and to nothing else on the machine:

- JupyterLab does not fetch news or check for updates (no pop-up on first start);
- kernels talk over local IPC sockets instead of unencrypted TCP ports (POSIX only; Windows
  has no Unix sockets and keeps TCP).

    python -m tools.configure_venv [PREFIX]   # default: the running interpreter's sys.prefix
"""

import json
import sys
from pathlib import Path

LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    }
}
SERVER_CONFIG = {"KernelManager": {"transport": "ipc"}}


def lab_overrides_path(prefix: Path) -> Path:
    return prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def server_config_path(prefix: Path) -> Path:
    # The server's own file: Jupyter Server reads it at start (the `.d` folder is for extensions).
    return prefix / "etc" / "jupyter" / "jupyter_server_config.json"


def write_json(path: Path, values: dict) -> None:
    """Merge `values` into the JSON file at `path` (other keys someone set there stay)."""
    current = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for key, value in values.items():
        current[key] = {**current.get(key, {}), **value}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")


def configure(prefix: Path, platform: str = sys.platform) -> list[Path]:
    written = [lab_overrides_path(prefix)]
    write_json(written[0], LAB_OVERRIDES)
    if platform != "win32":
        written.append(server_config_path(prefix))
        write_json(written[1], SERVER_CONFIG)
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    prefix = Path(argv[0]) if argv else Path(sys.prefix)
    for path in configure(prefix):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
