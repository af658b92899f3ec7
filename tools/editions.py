"""Where the two editions live: `notebooks/` (instructor, the source) and `student/` (generated).
Dependency-free, so that every tool can import it."""

from pathlib import Path

from helpers.paths import repo_root

STUDENT_FOLDER = "student"


def student_dir() -> Path:
    return repo_root() / STUDENT_FOLDER
