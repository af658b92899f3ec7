"""Sphinx configuration of the course website (`make site`, built by tools/build_site.py).

The pages are the student edition's notebooks with their stored outputs: myst-nb renders them
and never executes a cell. MathJax is served from the site itself (sphinx-mathjax-offline),
pruned to the files the pages load, so the site works without the internet.
"""

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tools.badges import repository_slug  # the one place the repository is named

SLUG = repository_slug(REPO / "pyproject.toml")

project = "Beyond Least Squares"
author = "STAT 4830"
extensions = ["myst_nb", "sphinx-mathjax-offline"]
nb_execution_mode = "off"  # the stored outputs are the product; nothing runs here
myst_enable_extensions = ["dollarmath", "amsmath"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "sphinx_book_theme"
html_title = "Beyond Least Squares"
html_theme_options = {
    "repository_url": f"https://github.com/{SLUG}",
    "repository_branch": "main",
    "path_to_docs": "student",  # the notebooks' folder in the repository, for Colab's address
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "use_repository_button": True,
    "use_download_button": True,
    "show_toc_level": 2,
}
html_last_updated_fmt = None
# Code readable without a sideways scroll bar (course.css, wrap-lines.js), and the Colab badge
# served by the site itself (tools/build_site.py points the notebooks' badge at it).
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_js_files = ["wrap-lines.js"]
html_copy_source = False  # the notebooks are linked for download; no second copy of each

# What the pages load from MathJax: the TeX-to-HTML bundle and its web fonts. The rest of the
# offline copy (24 MB of other bundles and extensions) is removed after the build.
MATHJAX_KEEP = ["tex-chtml.js", "output/chtml/fonts/woff-v2"]


def prune_mathjax(app, exception):
    mathjax = Path(app.outdir) / "_static" / "mathjax"
    if exception is not None or not mathjax.is_dir():
        return
    keep = [mathjax / relative for relative in MATHJAX_KEEP]
    for path in sorted(mathjax.rglob("*"), reverse=True):
        if any(path == k or k in path.parents or path in k.parents for k in keep):
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def setup(app):
    # After sphinx-mathjax-offline has copied its files (default priority 500).
    app.connect("build-finished", prune_mathjax, priority=900)
