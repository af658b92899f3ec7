"""`make student`: the student edition in `student/`, generated from the instructor edition.

`notebooks/` is the one source: reference solutions, full outputs, what nbval checks. The
student edition is the same notebooks passed through nbconvert's preprocessors:

- cells tagged `solution` are removed (the reference solutions and their heading);
- cells tagged `exercise` keep their code but lose their outputs;
- each Colab badge points at the student edition's own copy;

everything else, outputs included, is kept, so a student reads the lecture's numbers and figures
before running anything. `student/` is committed because Colab opens notebooks from GitHub.

    python -m tools.student_edition          # write student/NN_*.ipynb
    python -m tools.student_edition --check  # write nothing; exit 1 if student/ is out of date

A student notebook that holds somebody's work (it differs from git's committed version and from
what this command last wrote) is never overwritten without `--force`: the command then writes
nothing, names the notebooks and says how to keep the work (`tools/editions.py`).
"""

import argparse
import sys
from pathlib import Path

from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets import Unicode

from helpers.paths import display_path, notebooks_dir
from tools.badges import repository_slug, rewrite_text
from tools.editions import (
    STUDENT_FOLDER,
    course_bytes,
    holds_someones_work,
    record_written,
    refusal,
    student_dir,
)
from tools.run_notebooks import sign_as_trusted

SOLUTION_TAG = "solution"
EXERCISE_TAG = "exercise"


class ColabBadgePreprocessor(Preprocessor):
    """Point every Colab badge of a markdown cell at `notebook_path`, this copy's own path."""

    slug = Unicode(help="the GitHub repository, owner/name").tag(config=True)
    notebook_path = Unicode(help="the notebook's path in the repository").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = rewrite_text(cell.source, self.slug, own_notebook=self.notebook_path)
        return cell, resources


class UnexecutedExercisePreprocessor(Preprocessor):
    """An exercise cell the student has not run yet has no execution count either."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and EXERCISE_TAG in cell.metadata.get("tags", []):
            cell.execution_count = None
        return cell, resources


def student_notebook_text(source: Path, slug: str) -> str:
    """The student edition of one instructor notebook, as the JSON text to store."""
    exporter = NotebookExporter()
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={SOLUTION_TAG},
            remove_all_outputs_tags={EXERCISE_TAG},
            enabled=True,
        ),
        enabled=True,
    )
    exporter.register_preprocessor(UnexecutedExercisePreprocessor(enabled=True), enabled=True)
    exporter.register_preprocessor(
        ColabBadgePreprocessor(
            slug=slug, notebook_path=f"{STUDENT_FOLDER}/{source.name}", enabled=True
        ),
        enabled=True,
    )
    text, _ = exporter.from_filename(str(source))
    return text


def instructor_notebooks() -> list[Path]:
    return sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


def build(*, check: bool = False, force: bool = False) -> tuple[list[Path], list[Path], list[Path]]:
    """Write (or with `check`, only compare) every student notebook. Returns the notebooks that
    were out of date, the student notebooks left without an instructor notebook (never deleted
    here: a student's work may be in them), and the out-of-date notebooks holding somebody's work
    (then nothing is written, unless `force`).

    The comparison is with the course's copy (`course_bytes`): a student's answers in their
    working copy never make the edition "out of date"."""
    slug = repository_slug()
    target = student_dir()
    sources = instructor_notebooks()
    generated = {target / source.name: student_notebook_text(source, slug) for source in sources}
    stale = [path for path, text in generated.items() if course_bytes(path) != text.encode("utf-8")]
    names = {source.name for source in sources}
    orphans = [path for path in sorted(target.glob("[0-9][0-9]_*.ipynb")) if path.name not in names]
    if check:
        return stale, orphans, []
    to_write = [path for path, text in generated.items() if not _holds(path, text)]
    edited = [path for path in to_write if holds_someones_work(path)]
    if edited and not force:
        return stale, orphans, edited
    target.mkdir(exist_ok=True)
    for path in to_write:
        content = generated[path].encode("utf-8")
        path.write_bytes(content)
        sign_as_trusted(path)
        record_written(path, content)
    return to_write, orphans, []


def _holds(path: Path, text: str) -> bool:
    return path.is_file() and path.read_bytes() == text.encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if out of date")
    parser.add_argument(
        "--refuse-if-edited",
        action="store_true",
        help="write nothing; exit 1 if a student notebook holds somebody's work",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite student notebooks that hold work"
    )
    parser.add_argument("--command", default="make student", help="named in the refusal")
    args = parser.parse_args(argv)
    if args.refuse_if_edited:
        edited = [] if args.force else [p for p in _student_notebooks() if holds_someones_work(p)]
        if edited:
            print(refusal(edited, args.command), file=sys.stderr)
        return 1 if edited else 0
    stale, orphans, edited = build(check=args.check, force=args.force)
    if edited:
        print(refusal(edited, args.command), file=sys.stderr)
        return 1
    for path in stale:
        print(f"{'out of date' if args.check else 'written'}: {display_path(path)}")
    for path in orphans:
        print(f"no instructor notebook for {display_path(path)}: remove it or restore its source")
    if args.check and (stale or orphans):
        print("The student edition is out of date with notebooks/: run `make student`.")
        return 1
    if args.check:
        print(f"student edition ({display_path(student_dir())}): up to date")
    else:
        print(f"student edition ({display_path(student_dir())}): {len(stale)} notebook(s) written")
    return 1 if orphans else 0


def _student_notebooks() -> list[Path]:
    return sorted(student_dir().glob("[0-9][0-9]_*.ipynb"))


if __name__ == "__main__":
    sys.exit(main())
