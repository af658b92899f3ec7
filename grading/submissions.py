"""Finding what each student handed in: SUBMISSIONS/<student id>/<notebook>.ipynb.

- A student's folder that is a symbolic link is refused (it could be a classmate's): its rows
  say so. Folders whose name starts with `.` or `__` (.git, __MACOSX) are skipped.
- A notebook under its course name is taken as it is. A renamed one (`01_polynomial_gradient
  (1).ipynb`, `Copy of …`, `…-Copy1.ipynb`) is matched by its content, the labels of the
  checks it calls, or failing that by its name without the copy marks; the match is reported.
  Two files that could be the same notebook are reported and neither is graded. A notebook
  file that is a symbolic link, larger than `MAX_NOTEBOOK_BYTES` or not a notebook is refused.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

MAX_NOTEBOOK_BYTES = 64 << 20
LABEL = re.compile(r'check_(?:answer|count|choice|function)\(\s*"([^"]*)"')
COPY_MARKS = re.compile(r"^(copy of )+|( ?\(\d+\))+$|(-copy\d*)+$|( copy( \d+)?)+$")


@dataclass
class Submission:
    student: str
    notebook: str  # the course notebook it is graded as
    text: str | None = None  # the notebook's JSON; None: nothing to grade
    problem: str = ""  # why it cannot be graded, in the grader's words ("": handed in or not)
    note: str = ""  # what the instructor and the student should know (a renamed file)


def student_folders(submissions: Path) -> list[Path]:
    return sorted(
        path
        for path in submissions.iterdir()
        if not path.name.startswith((".", "__")) and (path.is_dir() or path.is_symlink())
    )


def _labels(text: str) -> set[str]:
    try:
        cells = json.loads(text).get("cells", [])
        sources = ["".join(c.get("source", "")) for c in cells if isinstance(c, dict)]
    except (ValueError, AttributeError, TypeError, RecursionError):
        return set()
    return {label for source in sources for label in LABEL.findall(str(source))}


def _plain_name(path: Path) -> str:
    stem = path.name[: -len(".ipynb")].strip().lower()
    while (shorter := COPY_MARKS.sub("", stem).strip()) != stem:
        stem = shorter
    return stem + ".ipynb"


def _read(path: Path) -> tuple[str | None, str]:
    """(the notebook's text, '') or (None, why it is refused)."""
    if path.is_symlink():
        return None, f"{path.name} is a symbolic link: refused (hand in the file itself)"
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return None, f"{path.name} is larger than {MAX_NOTEBOOK_BYTES >> 20} MB: refused"
    try:
        text = path.read_bytes().decode("utf-8")
        content = json.loads(text)
        if not isinstance(content, dict) or not isinstance(content.get("cells"), list):
            raise TypeError("no cells")
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError):
        return None, f"{path.name} is not a notebook file"
    return text, ""


def find_notebooks(folder: Path, labels: dict[str, set[str]]):
    """({course notebook name: what this student handed in for it}, [the files not graded]);
    `labels`: each course notebook's check labels."""
    student = folder.name
    found = {name: Submission(student, name) for name in labels}
    if folder.is_symlink():
        problem = "the student's folder is a symbolic link: refused (copy the files in instead)"
        for submission in found.values():
            submission.problem = problem
        return found, []
    unmatched = []
    files = sorted(path for path in folder.iterdir() if path.suffix.lower() == ".ipynb")
    candidates = {name: [] for name in labels}
    for path in files:
        if path.name in labels:
            candidates[path.name].insert(0, (path, "exact"))
            continue
        readable = not path.is_symlink() and path.stat().st_size <= MAX_NOTEBOOK_BYTES
        text = path.read_text(encoding="utf-8", errors="replace") if readable else None
        shared = {name: len(_labels(text or "") & wanted) for name, wanted in labels.items()}
        best = max(shared, key=shared.get)
        if shared[best] > 0:
            candidates[best].append((path, "its exercises"))
        elif _plain_name(path) in labels:
            candidates[_plain_name(path)].append((path, "its name"))
        else:
            unmatched.append(path.name)
    for name, matches in candidates.items():
        submission = found[name]
        if not matches:
            continue
        if matches[0][1] != "exact" and len(matches) > 1:
            paths = ", ".join(path.name for path, _ in matches)
            submission.problem = f"several files could be {name} ({paths}): rename one"
            continue
        path, how = matches[0]
        submission.text, submission.problem = _read(path)
        if how != "exact":
            submission.note = f"graded {path.name} as {name} (matched by {how})"
        elif len(matches) > 1:
            others = ", ".join(p.name for p, _ in matches[1:])
            submission.note = f"graded {name}; not graded: {others}"
    return found, unmatched
