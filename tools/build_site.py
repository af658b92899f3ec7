"""`make site`: the course website, built offline from the stored outputs into build/site/.

The sources are assembled in build/site-src/: `site/index.md` and the student edition's
notebooks (no reference solutions; every other output as stored), their Colab badge pointed at
the site's own copy of it. A cell that the notebook keeps collapsed (the checks, in every
notebook) stays collapsed on the site, behind a "Show code cell source" toggle, as JupyterLab and
Colab show it; the handout prints its outputs, if it has any, and never its source.
`site/_static/` styles the code so that no line needs a sideways scroll bar, and sets the
handout's page breaks. Sphinx (configuration in `site/conf.py`) renders them with myst-nb, which
never executes a cell; warnings are errors.

    python -m tools.build_site                   # build, print the path and the size
    python -m tools.build_site --check-workflow  # also validate .github/workflows/*.yml
                                                 #   against GitHub's schema (offline)
    python -m tools.build_site --handout         # one page, build/handout-html/ (make handout)
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from helpers.paths import display_path, repo_root
from tools.badges import COLAB_BADGE_IMAGE
from tools.editions import course_bytes, holds_someones_work, student_dir

SITE_SOURCES = "site"
BUILD = "build"
# The badge's image as the site serves it (site/colab-badge.svg, our own drawing): the published
# badge is an image on Colab's server, a broken image on a page read offline.
OFFLINE_BADGE = "colab-badge.svg"


def source_dir() -> Path:
    return repo_root() / BUILD / "site-src"


def output_dir() -> Path:
    return repo_root() / BUILD / "site"


# myst-nb's cell tags: how a collapsed cell appears on the site, and in the handout.
ON_THE_SITE = "hide-input"  # a toggle, closed
IN_THE_HANDOUT = "remove-input"  # outputs only
LEFT_OUT = "remove-cell"  # nothing, for a collapsed cell without outputs


def is_collapsed(cell: dict) -> bool:
    """A cell whose source the notebook keeps collapsed (JupyterLab's `source_hidden`, which
    Colab's `cellView: form` accompanies): the checks cell of every notebook."""
    return bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))


def collapsed_as_in_the_notebook(content: bytes, handout: bool) -> bytes:
    """The notebook with each collapsed cell tagged for myst-nb: a closed toggle on the site; in
    the handout, which no reader can open, its outputs alone, or nothing."""
    notebook = json.loads(content)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and is_collapsed(cell):
            tag = (IN_THE_HANDOUT if cell.get("outputs") else LEFT_OUT) if handout else ON_THE_SITE
            cell["metadata"].setdefault("tags", []).append(tag)
    return json.dumps(notebook, ensure_ascii=False, indent=1).encode()


def assemble_sources(handout: bool = False) -> list[Path]:
    """build/site-src/ afresh: the index page and the student notebooks, for the site or for the
    handout."""
    target = source_dir()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy2(repo_root() / SITE_SOURCES / "index.md", target / "index.md")
    shutil.copy2(repo_root() / SITE_SOURCES / OFFLINE_BADGE, target / OFFLINE_BADGE)
    notebooks = sorted(student_dir().glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise SystemExit(f"No notebooks in {display_path(student_dir())}: run `make student`.")
    for notebook in notebooks:
        # The course's copy: a notebook somebody worked in is taken from git's committed version.
        if holds_someones_work(notebook):
            print(f"{display_path(notebook)} has local changes: the site shows the committed one")
        content = course_bytes(notebook)
        if content is None:
            raise SystemExit(f"{display_path(notebook)} is not committed and has local changes.")
        content = content.replace(COLAB_BADGE_IMAGE.encode(), OFFLINE_BADGE.encode())
        (target / notebook.name).write_bytes(collapsed_as_in_the_notebook(content, handout))
    return notebooks


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def build(handout: bool = False) -> int:
    """The site (Sphinx's `html`), or the whole course as one page for the handout
    (`singlehtml`, build/handout-html/)."""
    start = time.perf_counter()
    builder = "singlehtml" if handout else "html"
    output = repo_root() / BUILD / "handout-html" if handout else output_dir()
    notebooks = assemble_sources(handout)
    if output.exists():
        shutil.rmtree(output)
    command = [
        sys.executable, "-m", "sphinx",
        "-W", "--keep-going",  # every warning is an error, all of them reported
        "-q", "-b", builder,
        "-c", str(repo_root() / SITE_SOURCES),
        str(source_dir()), str(output),
    ]  # fmt: skip
    result = subprocess.run(command, check=False)
    if result.returncode != 0:
        print("The site did not build: see the messages above.", file=sys.stderr)
        return result.returncode
    size = folder_bytes(output) / 1e6
    seconds = time.perf_counter() - start
    print(f"{builder}: {len(notebooks)} notebooks, {size:.1f} MB, built in {seconds:.1f} s")
    print(f"open {output / 'index.html'}")
    return 0


def check_workflows() -> int:
    """Validate every workflow file against GitHub's schema, bundled with check-jsonschema."""
    workflows = sorted((repo_root() / ".github" / "workflows").glob("*.yml"))
    command = [
        sys.executable, "-m", "check_jsonschema",
        "--builtin-schema", "vendor.github-workflows",
        *map(str, workflows),
    ]  # fmt: skip
    return subprocess.run(command, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-workflow", action="store_true", help="validate the workflows")
    parser.add_argument(
        "--handout", action="store_true", help="one page, build/handout-html/, for make handout"
    )
    args = parser.parse_args(argv)
    if args.handout:
        return build(handout=True)
    status = build()
    if status == 0 and args.check_workflow:
        status = check_workflows()
    return status


if __name__ == "__main__":
    sys.exit(main())
