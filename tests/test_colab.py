"""Every notebook opens in Colab from its badge and installs what it needs there."""

import json
import re
import shutil
from pathlib import Path

import pytest

from tools.badges import (
    badge_markdown,
    repository_slug,
    rewrite_notebook,
    rewrite_readme,
    site_url,
)

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SLUG = repository_slug(REPO / "pyproject.toml")


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


def test_the_repository_is_named_in_pyproject():
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", SLUG)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_title_cell_has_a_badge_to_this_very_notebook(path):
    title = source(cells(path)[0])
    assert title.startswith("# ")
    assert badge_markdown(SLUG, f"notebooks/{path.name}") in title
    links = re.findall(r"colab\.research\.google\.com/github/\S+?\.ipynb", title)
    assert links == [f"colab.research.google.com/github/{SLUG}/blob/main/notebooks/{path.name}"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_installs_this_repository_on_colab_only(path):
    setup = next(cell for cell in cells(path) if cell["cell_type"] == "code")
    text = source(setup)
    colab_block = text[
        : text.index("except ImportError:\n    pass") + len("except ImportError:\n    pass")
    ]
    assert "    import google.colab" in colab_block  # the install is guarded by the import
    installs = re.findall(r"%pip install .*", colab_block)
    assert installs == [
        f'%pip install --quiet "beyond-least-squares @ git+https://github.com/{SLUG}"'
    ]
    # Elsewhere it prints nothing: the stored output of the setup cell is at most the device line.
    printed = "".join("".join(o.get("text", "")) for o in setup["outputs"])
    assert printed in ("", "Using device: cpu\n")


def test_readme_lists_every_notebook_in_both_editions_with_the_student_badge():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        row = next(line for line in readme.splitlines() if f"(student/{path.name})" in line)
        assert f"(notebooks/{path.name})" in row
        assert badge_markdown(SLUG, f"student/{path.name}") in row


def test_make_badges_rewrites_every_link_from_the_one_slug(tmp_path):
    notebook = tmp_path / NOTEBOOKS[0].name
    shutil.copy(NOTEBOOKS[0], notebook)
    readme = tmp_path / "README.md"
    shutil.copy(REPO / "README.md", readme)

    assert rewrite_notebook(notebook, "someone-else/fork")
    assert rewrite_readme(readme, "someone-else/fork")
    for text in (notebook.read_text(), readme.read_text()):
        assert SLUG not in text
    assert "github/someone-else/fork/blob/main/notebooks/" in notebook.read_text()
    assert "github/someone-else/fork/blob/main/student/" in readme.read_text()
    assert "https://someone-else.github.io/fork/" in readme.read_text()
    assert "git+https://github.com/someone-else/fork" in notebook.read_text()
    assert not rewrite_notebook(notebook, "someone-else/fork")  # idempotent
    assert not rewrite_readme(readme, "someone-else/fork")


def test_a_badge_copied_from_another_notebook_is_pointed_back_at_its_own(tmp_path):
    notebook = tmp_path / NOTEBOOKS[1].name
    text = NOTEBOOKS[1].read_text().replace(NOTEBOOKS[1].name, NOTEBOOKS[0].name)
    notebook.write_text(text)
    assert rewrite_notebook(notebook, SLUG)
    assert badge_markdown(SLUG, f"notebooks/{NOTEBOOKS[1].name}") in source(cells(notebook)[0])


def test_missing_repository_line_is_a_clear_error(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n')
    with pytest.raises(ValueError, match="one place"):
        repository_slug(pyproject)


def test_readme_links_the_site_at_the_address_pages_gives_this_repository():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert site_url(SLUG) in readme
    assert site_url("Some-Owner/repo") == "https://some-owner.github.io/repo/"
