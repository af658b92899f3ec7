"""What `make` sets up in .venv: which torch build it asks for, and the quiet Jupyter settings."""

import json
import socket
import subprocess
import sys

from tools.configure_venv import configure, lab_overrides_path, server_config_path
from tools.torch_index import CPU_INDEX, choose_index, index_answers


def always(answer):
    return lambda url: answer


def test_linux_without_nvidia_takes_the_cpu_index_when_it_answers():
    index, reason = choose_index("Linux", False, CPU_INDEX, probe=always(True))
    assert index == CPU_INDEX and "CPU-only" in reason


def test_linux_without_nvidia_falls_back_when_the_index_does_not_answer():
    index, reason = choose_index("Linux", False, CPU_INDEX, probe=always(False))
    assert index is None and "falling back" in reason


def test_a_gpu_machine_a_mac_or_an_explicit_default_keeps_the_default_build():
    assert choose_index("Linux", True, CPU_INDEX, probe=always(True))[0] is None
    assert choose_index("Darwin", False, CPU_INDEX, probe=always(True))[0] is None
    assert choose_index("Windows", False, CPU_INDEX, probe=always(True))[0] is None
    assert choose_index("Linux", False, CPU_INDEX, "default", probe=always(True))[0] is None


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/whl/cpu"  # nothing listens there once the socket closes


def test_an_unreachable_index_is_detected_quickly():
    assert index_answers(closed_port_url(), timeout=2) is False
    assert index_answers("not a url") is False


def test_the_command_prints_nothing_to_install_from_when_it_falls_back(repo):
    env = {"TORCH_INDEX_URL": closed_port_url(), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "tools.torch_index"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout == ""  # the Makefile then installs the default build
    assert result.stderr.strip()  # and says why


def test_configure_writes_the_quiet_settings_inside_the_prefix_only(tmp_path):
    written = configure(tmp_path, platform="linux")
    assert written == [lab_overrides_path(tmp_path), server_config_path(tmp_path)]
    assert all(path.is_relative_to(tmp_path) for path in written)
    overrides = json.loads(written[0].read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    assert json.loads(written[1].read_text()) == {"KernelManager": {"transport": "ipc"}}


def test_configure_keeps_other_settings_and_skips_ipc_on_windows(tmp_path):
    path = lab_overrides_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "Dark"}}))
    assert configure(tmp_path, platform="win32") == [path]
    overrides = json.loads(path.read_text())
    assert overrides["@jupyterlab/apputils-extension:themes"] == {"theme": "Dark"}
    assert "@jupyterlab/apputils-extension:notification" in overrides
    assert not server_config_path(tmp_path).exists()


def test_a_pinned_version_this_platform_lacks_leaves_no_venv_and_says_why(repo, tmp_path):
    """pip, offline, with the lock pinning a release that does not exist: the message names the
    package and the lock, and the half-built environment is gone."""
    (tmp_path / "requirements.txt").write_text("six\n")
    (tmp_path / "requirements.lock").write_text("six==0.0.1\n")
    (tmp_path / "wheels").mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(repo),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(tmp_path / "wheels"),
        "PIP_CONFIG_FILE": "/dev/null",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tools.install_env", "venv", "-r", "requirements.txt", "--no-torch"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert not (tmp_path / "venv").exists()
    message = result.stderr
    assert "pip found no installable release of six==0.0.1 for Python" in message
    assert "venv was removed" in message and "requirements.lock" in message
    assert "Traceback" not in message + result.stdout


def test_requirements_and_environment_are_written_from_pyproject(repo, tmp_path):
    from tools.dependencies import stale_files

    assert stale_files(repo) == [], "run `make lock`"
    pyproject = (repo / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(
        pyproject.replace('"tqdm>=4.66",', '"tqdm>=4.66",\n    "rich>=13",')
    )
    for name in ("requirements.txt", "requirements-site.txt", "environment.yml"):
        (tmp_path / name).write_text((repo / name).read_text())
    assert stale_files(tmp_path) == ["requirements.txt", "environment.yml"]


def test_the_lock_pins_every_declared_dependency_within_its_bounds(repo):
    from packaging.requirements import Requirement

    from tools.dependencies import declared

    pinned: dict[str, list[str]] = {}
    for line in (repo / "requirements.lock").read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            name, version = line.split(" ;")[0].split("==")
            pinned.setdefault(name.lower().replace("_", "-"), []).append(version)
    for requirement in (Requirement(r) for group in declared(repo).values() for r in group):
        versions = pinned.get(requirement.name.lower())
        assert versions, f"{requirement.name} is declared but not in requirements.lock"
        assert all(requirement.specifier.contains(v) for v in versions), (requirement, versions)
    # Never past the releases the stored outputs were made with (tools/lock-caps.txt).
    assert pinned["torch"] == ["2.14.1"] and pinned["torchvision"] == ["0.29.1"]
