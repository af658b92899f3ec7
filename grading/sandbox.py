"""The sandbox one notebook run lives in, and its limits.

On Linux the sandbox is bubblewrap (`bwrap`): new user, PID, network, IPC and UTS namespaces, so
the run sees no network, no other process and no file of the machine except what is bound in,
read-only: the system's programs and libraries, the course's Python environment, the MNIST
data, and `course/`, a student-edition copy of the course code (`helpers` and this package, no
notebook, no answer). Its `/tmp` is a private tmpfs of bounded size, and the run's working
folder lives there. `--die-with-parent` and the PID namespace end every process of the sandbox,
detached ones included, when its first process ends or the grader kills it.

The limits that bubblewrap does not set (memory, processes, file size, CPU time) are set by
`run_one.py` as its first act inside the sandbox, before any student code runs, and inherited by
the kernel; the grader itself counts the CPU time of the whole sandbox (`execute.py`).

`find_sandbox()` returns a working sandbox or None; `refusal()` says how to get one.
`UNSAFE_NO_SANDBOX=1` runs without (`Unsandboxed`), with a warning on every run.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

UNSAFE_ENV_VAR = "UNSAFE_NO_SANDBOX"
COURSE_MOUNT = "/course"  # the student-edition copy of the course code, read-only
WORK_FOLDER = "/tmp/work"  # the notebook's working folder, on the sandbox's own tmpfs
# Files of /etc that Python, matplotlib and the dynamic loader read; never all of /etc.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "fonts", "localtime", "nsswitch.conf")


@dataclass(frozen=True)
class Limits:
    """What one notebook run may use. `cpu_seconds` counts every process of the sandbox; the
    wall-clock limit is only a backstop for a run that sleeps or is stopped."""

    cpu_seconds: float = 300.0
    memory_bytes: int = 4 << 30  # data of any one process (RLIMIT_DATA)
    processes: int = 512  # tasks, threads included (RLIMIT_NPROC, counted per sandbox)
    file_bytes: int = 256 << 20  # any one file written (RLIMIT_FSIZE)
    tmp_bytes: int = 1 << 30  # the sandbox's /tmp, all files together
    output_bytes: int = 2 << 20  # the outputs kept per cell of the executed notebook
    channel_bytes: int = 48 << 20  # everything the sandbox may hand back
    threads: int = 1  # torch's and BLAS's threads per run; 0: as many as they take

    @property
    def wall_seconds(self) -> float:
        return 2 * self.cpu_seconds + 30

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class Unsandboxed:
    """No sandbox: the run sees everything the instructor's account can. For the instructor's
    own notebooks (the reference answers), and `UNSAFE_NO_SANDBOX=1`."""

    name = "no sandbox"
    course_path = None  # the run imports the course from the repository, as a test does

    def command(self, python: str, course: Path, limits: Limits) -> list[str]:
        return [python, "-m", "grading.run_one"]

    def environment(self, course: Path, limits: Limits, work: Path) -> dict:
        env = dict(os.environ)
        env.update(_run_environment(limits, str(work)))
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH", "")]))
        return env


class Bubblewrap:
    """bubblewrap, found on PATH."""

    name = "bubblewrap"

    def __init__(self, program: str):
        self.program = program

    def command(self, python: str, course: Path, limits: Limits) -> list[str]:
        command = [
            self.program,
            "--unshare-all",  # PID, network, IPC, UTS and cgroup namespaces
            "--unshare-user",  # and a user namespace, even for root (it counts the processes)
            "--disable-userns",  # and no user namespace of its own inside
            "--die-with-parent",
            "--new-session",  # no terminal to push keystrokes into
            "--hostname", "sandbox",
            "--proc", "/proc",
            "--dev", "/dev",
            "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp",
            "--ro-bind", "/usr", "/usr",
        ]  # fmt: skip
        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
            path = Path(top)
            if path.is_symlink():  # merged /usr: /lib -> usr/lib
                command += ["--symlink", os.readlink(path), top]
            elif path.is_dir():
                command += ["--ro-bind", top, top]
        for name in ETC_FILES:
            if Path("/etc", name).exists():
                command += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        # The course's Python: its environment and the interpreter it was made from.
        for folder in sorted({sys.prefix, sys.base_prefix, str(Path(python).resolve().parents[1])}):
            if not folder.startswith("/usr/"):
                command += ["--ro-bind", folder, folder]
        data = os.environ.get("MNIST_ROOT", "").strip()
        if data and Path(data).is_dir():
            command += ["--ro-bind", str(Path(data).resolve()), str(Path(data).resolve())]
        command += [
            "--ro-bind", str(course), COURSE_MOUNT,
            "--ro-bind", str(course / "passwd"), "/etc/passwd",
            "--ro-bind", str(course / "group"), "/etc/group",
            "--chdir", "/tmp",
            "--clearenv",
        ]  # fmt: skip
        for name, value in self.environment(course, limits, Path(WORK_FOLDER)).items():
            command += ["--setenv", name, value]
        return [*command, "--", python, "-s", "-m", "grading.run_one"]

    def environment(self, course: Path, limits: Limits, work: Path) -> dict:
        env = _run_environment(limits, str(work))
        env.update(
            PATH=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            HOME="/tmp/home",
            PYTHONPATH=COURSE_MOUNT,
            LANG="C.UTF-8",
        )
        if os.environ.get("MNIST_ROOT", "").strip():
            env["MNIST_ROOT"] = str(Path(os.environ["MNIST_ROOT"]).resolve())
        return env


def _run_environment(limits: Limits, work: str) -> dict:
    """What every run's kernel gets: figures in its own folder, no progress bars, Jupyter's
    files on the run's /tmp, as many threads as it is given."""
    threads = (
        {}
        if limits.threads <= 0
        else {  # 0: as many as torch takes
            name: str(limits.threads)
            for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
        }
    )
    return {
        **threads,
        "FIGURES_DIR": f"{work}/figures",
        "TQDM_DISABLE": "1",
        "MPLBACKEND": "agg",
        "PYTHONDONTWRITEBYTECODE": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTER_RUNTIME_DIR": f"{work}/.jupyter-runtime",
        "IPYTHONDIR": f"{work}/.ipython",
        "MPLCONFIGDIR": f"{work}/.matplotlib",
    }


def write_accounts(course: Path) -> None:
    """The sandbox's /etc/passwd and /etc/group: one account, the one it runs as."""
    uid, gid = os.getuid(), os.getgid()
    (course / "passwd").write_text(f"student:x:{uid}:{gid}:student:/tmp/home:/bin/sh\n")
    (course / "group").write_text(f"student:x:{gid}:\n")


def probe(sandbox: Bubblewrap) -> str:
    """'' when bubblewrap starts a sandbox here, else its first line of complaint."""
    command = [
        sandbox.program, "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
        "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev",
    ]  # fmt: skip
    for top in ("/bin", "/lib", "/lib64"):
        if Path(top).is_symlink():
            command += ["--symlink", os.readlink(top), top]
        elif Path(top).is_dir():
            command += ["--ro-bind", top, top]
    try:
        done = subprocess.run(
            [*command, "--", "/bin/true"], check=False, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    if done.returncode == 0:
        return ""
    return (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[0]


def find_sandbox() -> tuple[Bubblewrap | None, str]:
    """(a working sandbox, '') or (None, why there is none)."""
    if not sys.platform.startswith("linux"):
        return None, f"bubblewrap needs Linux; this is {sys.platform}"
    program = shutil.which("bwrap")
    if program is None:
        return None, "bubblewrap (bwrap) is not installed"
    sandbox = Bubblewrap(program)
    complaint = probe(sandbox)
    if complaint:
        return None, f"bubblewrap cannot start a sandbox here: {complaint}"
    return sandbox, ""


def refusal(why: str) -> str:
    """What `make grade` says when there is no sandbox."""
    return f"""make grade runs every student's notebook in a sandbox, and there is none: {why}.
A notebook runs the student's code with your rights: without a sandbox it can read the answers,
change other students' grades and outlive the batch. To get one:
  - Debian, Ubuntu: sudo apt-get install bubblewrap
  - Ubuntu 23.10 and later also restrict user namespaces with AppArmor ("setting up uid map:
    Permission denied"): README.md, "Grading a class", says how to allow them for bwrap.
  - elsewhere (macOS, Windows): grade on a Linux machine or in a Linux virtual machine.
{UNSAFE_ENV_VAR}=1 grades without a sandbox anyway, for notebooks you trust."""


def unsafe_requested() -> bool:
    return os.environ.get(UNSAFE_ENV_VAR, "").strip() not in ("", "0")


UNSAFE_WARNING = (
    f"WARNING: {UNSAFE_ENV_VAR}=1: this notebook runs without a sandbox, with your rights: it "
    "can read the answers and change any file you can."
)
