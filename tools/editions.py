"""Where the two editions live, `notebooks/` (instructor, the source) and `student/`
(generated), and which student notebooks hold a person's work.

A student works in `student/`: answers typed into exercise cells, outputs of their own runs.
Nothing generated may overwrite that. A student notebook counts as the course's own when it is
byte for byte what git has committed or what `make student` last wrote (recorded in
`build/student-edition.json`, git-ignored); any other content is somebody's work.
Dependency-free (the standard library and git), so that every tool can import it.
"""

import hashlib
import json
import subprocess
from pathlib import Path

from helpers.paths import display_path, repo_root

STUDENT_FOLDER = "student"


def student_dir() -> Path:
    return repo_root() / STUDENT_FOLDER


def _written_record() -> Path:
    return repo_root() / "build" / "student-edition.json"


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def committed_bytes(path: Path) -> bytes | None:
    """The file as git's HEAD holds it; None outside a git checkout or for an uncommitted file."""
    relative = Path(path).resolve().relative_to(repo_root()).as_posix()
    try:
        shown = subprocess.run(
            ["git", "-C", str(repo_root()), "show", f"HEAD:{relative}"],
            capture_output=True,
            check=False,
        )
    except OSError:  # no git at all
        return None
    return shown.stdout if shown.returncode == 0 else None


def record_written(path: Path, content: bytes) -> None:
    """Remember that `make student` wrote `content` to `path`."""
    record_file = _written_record()
    record = json.loads(record_file.read_text()) if record_file.is_file() else {}
    record[Path(path).name] = _digest(content)
    record_file.parent.mkdir(parents=True, exist_ok=True)
    record_file.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


def _last_written_digest(path: Path) -> str | None:
    record_file = _written_record()
    if not record_file.is_file():
        return None
    return json.loads(record_file.read_text()).get(Path(path).name)


def holds_someones_work(path: Path) -> bool:
    """Whether the student notebook at `path` differs both from git's committed version and from
    what `make student` last wrote there: then a person changed it, and it must not be lost."""
    path = Path(path)
    if not path.is_file():
        return False
    content = path.read_bytes()
    return content != committed_bytes(path) and _digest(content) != _last_written_digest(path)


def course_bytes(path: Path) -> bytes | None:
    """A student notebook as the course ships it: the file itself unless somebody worked in it,
    else git's committed version (None if there is none)."""
    path = Path(path)
    if holds_someones_work(path):
        return committed_bytes(path)
    return path.read_bytes() if path.is_file() else None


def refusal(paths: list[Path], command: str) -> str:
    """What to tell a person whose work in `paths` a command would overwrite."""
    names = "\n".join(f"  {display_path(path)}" for path in paths)
    return (
        f"`{command}` would overwrite work in these student notebooks (they differ from the "
        f"committed version):\n{names}\n"
        "Nothing was written. To keep your work, copy the notebooks elsewhere (for example "
        "`cp student/01_polynomial_gradient.ipynb ~/my_01.ipynb`), commit them (`git commit`) "
        f"or stash them (`git stash`), then run `{command}` again. To overwrite them anyway: "
        f"`{command} FORCE=1`."
    )
