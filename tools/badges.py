"""`make badges`: rewrite every Colab link from the one place the repository is named.

The GitHub repository ("owner/name") is written once, as `Repository` under `[project.urls]` in
pyproject.toml. From it this module rewrites, in README.md and in every notebook:

- each "Open in Colab" badge, which must point to its own notebook's path (the student
  edition's badges are rewritten by `make student`, from these);
- the setup cell's Colab-only `pip install git+https://github.com/<owner/name>`;
- the course website's address, https://<owner>.github.io/<name>/ (GitHub Pages).

    python -m tools.badges          # rewrite in place, list what changed
    python -m tools.badges --check  # change nothing; exit 1 if anything is out of date
"""

import argparse
import re
import sys
from pathlib import Path

from helpers.paths import display_path, notebooks_dir, repo_root

COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
_REPOSITORY_LINE = re.compile(
    r'^Repository\s*=\s*"https://github\.com/([^/"]+/[^/"]+?)/?"', re.MULTILINE
)
_BADGE_LINK = re.compile(
    r"https://colab\.research\.google\.com/github/[^/\s)]+/[^/\s)]+/blob/[^/\s)]+/"
    r"((?:notebooks|student)/[^\s)]+\.ipynb)"
)
_SITE_URL = re.compile(r"https://[\w-]+\.github\.io/[\w.-]+/")
_INSTALL_URL = re.compile(r"git\+https://github\.com/[^/\s\"']+/[^/\s\"'@]+")


def repository_slug(pyproject: Path | None = None) -> str:
    """'owner/name' from pyproject.toml's [project.urls] Repository."""
    pyproject = pyproject or repo_root() / "pyproject.toml"
    match = _REPOSITORY_LINE.search(pyproject.read_text(encoding="utf-8"))
    if not match:
        raise ValueError(
            f'{pyproject} has no line `Repository = "https://github.com/<owner>/<name>"` under '
            "[project.urls]: write the repository there, it is the one place it is named."
        )
    return match.group(1)


def colab_url(slug: str, notebook_path: str, branch: str = "main") -> str:
    """Colab's address of `notebook_path` (e.g. "student/01_x.ipynb") in the repository."""
    return f"https://colab.research.google.com/github/{slug}/blob/{branch}/{notebook_path}"


def site_url(slug: str) -> str:
    """Where GitHub Pages publishes the course website of repository `slug`."""
    owner, name = slug.split("/")
    return f"https://{owner.lower()}.github.io/{name}/"


def badge_markdown(slug: str, notebook_path: str) -> str:
    return f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({colab_url(slug, notebook_path)})"


def rewrite_text(text: str, slug: str, own_notebook: str | None = None) -> str:
    """Point every Colab link and install URL in `text` at `slug`; inside a notebook, every badge
    also points at the notebook itself (`own_notebook`, its path in the repository)."""

    def badge(match: re.Match) -> str:
        return colab_url(slug, own_notebook or match.group(1))

    text = _BADGE_LINK.sub(badge, text)
    text = _SITE_URL.sub(site_url(slug), text)
    return _INSTALL_URL.sub(f"git+https://github.com/{slug}", text)


def rewrite_notebook(
    path: Path, slug: str, *, folder: str = "notebooks", write: bool = True
) -> bool:
    """Rewrite the sources of one notebook that lives in `folder` of the repository (outputs are
    untouched); return whether it changed."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    changed = False
    for cell in notebook.cells:
        new_source = rewrite_text(cell.source, slug, own_notebook=f"{folder}/{path.name}")
        if new_source != cell.source:
            cell.source, changed = new_source, True
    if changed and write:
        nbformat.write(notebook, path)
    return changed


def rewrite_readme(path: Path, slug: str, *, write: bool = True) -> bool:
    text = path.read_text(encoding="utf-8")
    new_text = rewrite_text(text, slug)
    if new_text != text and write:
        path.write_text(new_text, encoding="utf-8")
    return new_text != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if out of date")
    args = parser.parse_args(argv)
    slug = repository_slug()
    changed = []
    if rewrite_readme(repo_root() / "README.md", slug, write=not args.check):
        changed.append(repo_root() / "README.md")
    for path in sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb")):
        if rewrite_notebook(path, slug, write=not args.check):
            changed.append(path)
    verb = "out of date" if args.check else "rewritten"
    for path in changed:
        print(f"{verb}: {display_path(path)}")
    print(f"Colab links point at github.com/{slug}: {len(changed)} file(s) {verb}.")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
