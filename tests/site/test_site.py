"""The course website in a real browser, offline: `make site-test` (after `make site`).

Every page of build/site/ is opened from file:// in Debian's headless Chromium (Playwright),
with every request that is not file: blocked, and must show:

- every image loaded, the Colab badge too (the site serves its own copy);
- its math rendered by the bundled MathJax: no raw \\( or $$ left in the visible text;
- no request that left file://;
- at 1280 px, no code or output block wider than its box (no sideways scroll bar): a line too
  long for the column wraps, marked (site/_static/wrap-lines.js);
- each cell that its notebook keeps collapsed (the checks) closed, its source hidden, as in
  JupyterLab and Colab.

Searching "autograd" must find every notebook whose text uses the word. Each step-through viewer
of the backward pass, on a page offline, is clicked to its last step, and the leaf gradients it
shows must equal what its cell printed. Screenshots of the index page, of every notebook page and
of each viewer at its first, a middle and its last step go to .e2e/ (git-ignored).
"""

import json
import os
from pathlib import Path

import pytest

from helpers.paths import repo_root
from tests.backward_viewer_in_browser import (
    VIEWER,
    assert_same_gradients,
    stored_viewers,
    walk_to_the_last_step,
)
from tools.build_site import is_collapsed

SITE = repo_root() / "build" / "site"
STUDENT_DIR = repo_root() / "student"
STUDENT = sorted(STUDENT_DIR.glob("[0-9][0-9]_*.ipynb"))
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = repo_root() / ".e2e"
BADGE_HOST = "colab.research.google.com"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="run `make site-test`: it installs Playwright"
)

if not (SITE / "index.html").is_file():
    pytest.skip("build the site first: make site", allow_module_level=True)

PAGES = sorted(SITE.glob("*.html"))


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} not found: install Debian's Chromium (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        yield browser
        browser.close()


def open_offline(browser, url: str):
    """A page on which every request that is not file: is blocked and recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    left_file, failed = [], []

    def route(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            left_file.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.on(
        "requestfailed",
        lambda request: failed.append(request.url) if request.url.startswith("file:") else None,
    )
    page.goto(url)
    page.wait_for_load_state("load")
    return page, left_file, failed


def wait_for_mathjax(page) -> int:
    """Wait until MathJax has typeset the page (when it is on it); return the formula count."""
    has_mathjax = page.evaluate("() => typeof window.MathJax !== 'undefined'")
    if has_mathjax:
        page.wait_for_function(
            "() => window.MathJax.startup && window.MathJax.startup.promise", timeout=30_000
        )
        page.evaluate("() => window.MathJax.startup.promise")
    return page.locator("mjx-container").count()


def markdown_cells_with_math(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(cell["cell_type"] == "markdown" and "$" in "".join(cell["source"]) for cell in cells)


def collapsed_cells(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(cell["cell_type"] == "code" and is_collapsed(cell) for cell in cells)


def test_the_site_has_an_index_and_one_page_per_notebook():
    names = {page.name for page in PAGES}
    assert "index.html" in names and "search.html" in names
    for notebook in STUDENT:
        assert f"{notebook.stem}.html" in names


@pytest.mark.parametrize("page_path", PAGES, ids=lambda p: p.name)
def test_each_page_works_offline(browser, page_path):
    page, left_file, failed = open_offline(browser, page_path.as_uri())
    try:
        formulas = wait_for_mathjax(page)
        images = page.evaluate(
            """() => [...document.images].map(img => ({
                src: img.currentSrc || img.src, loaded: img.complete && img.naturalWidth > 0}))"""
        )
        for image in images:
            assert image["loaded"], f"image not loaded: {image['src']}"
        text = page.locator("body").inner_text()
        assert "\\(" not in text and "$$" not in text, "raw TeX left in the visible text"
        assert not left_file, f"requests that left file://: {left_file}"
        assert not failed, f"files the page needs are missing from the site: {failed}"
        if page_path.stem[:2].isdigit():
            badge = page.locator("img[alt='Open In Colab']")
            assert badge.count() == 1 and badge.evaluate("img => img.naturalWidth > 0")
            notebook_math = markdown_cells_with_math(STUDENT_DIR / f"{page_path.stem}.ipynb")
            assert formulas >= notebook_math > 0, (formulas, notebook_math)
            closed = page.locator("div.cell > details.hide.above-input:not([open])")
            assert closed.count() == collapsed_cells(STUDENT_DIR / f"{page_path.stem}.ipynb") > 0
            assert not closed.locator("pre").first.is_visible()  # the source, hidden
            assert page.locator("a.left-prev").count() == 1  # previous: index or notebook
            is_last = page_path.stem == STUDENT[-1].stem
            assert page.locator("a.right-next").count() == (0 if is_last else 1)
            launch = page.locator(f"a[href*='{BADGE_HOST}/github/']").first
            assert f"/blob/main/student/{page_path.stem}.ipynb" in launch.get_attribute("href")
        print(f"{page_path.name}: {len(images)} images, {formulas} formulas")
        if page_path.name == "index.html" or page_path.stem[:2].isdigit():
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"site_{page_path.stem}.png"))
    finally:
        page.close()


@pytest.mark.parametrize("notebook", STUDENT, ids=lambda p: p.name)
def test_no_code_block_scrolls_sideways_at_1280_px(browser, notebook):
    page, _, _ = open_offline(browser, (SITE / f"{notebook.stem}.html").as_uri())
    try:
        blocks = page.evaluate(
            """() => [...document.querySelectorAll('div.highlight pre')].map(pre => ({
                over: pre.scrollWidth - pre.clientWidth,
                split: pre.dataset.lines === 'split',
                lines: pre.querySelectorAll('.code-line').length,
                wraps: pre.querySelectorAll('.code-line.wraps').length,
                text: pre.innerText}))"""
        )
        assert blocks, "no code on the page"
        for block in blocks:
            assert block["over"] <= 0, (
                f"scrolls sideways by {block['over']} px: {block['text'][:80]}"
            )
            assert block["split"] and block["lines"] >= 1, block["text"][:80]
        wrapped = sum(block["wraps"] for block in blocks)  # each marked ↪ where it goes on
        print(f"{notebook.name}: {len(blocks)} code and output blocks, {wrapped} lines wrapped")
    finally:
        page.close()


def test_search_finds_every_notebook_that_uses_autograd(browser):
    expected = {
        notebook.stem
        for notebook in STUDENT
        if "autograd" in notebook.read_text(encoding="utf-8").lower()
    }
    assert expected
    page, left_file, _ = open_offline(browser, (SITE / "search.html").as_uri() + "?q=autograd")
    try:
        page.wait_for_selector("#search-results ul li", timeout=30_000)
        page.wait_for_function(
            "() => document.querySelector('#search-results').innerText.includes('Search finished')"
            " || document.querySelectorAll('#search-results ul li').length >= 5",
            timeout=30_000,
        )
        links = page.locator("#search-results ul li a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        found = {Path(link.split("#")[0].split("?")[0]).stem for link in links}
        assert expected <= found, f"search missed {sorted(expected - found)}"
        assert not left_file, left_file
    finally:
        page.close()


@pytest.mark.parametrize(
    "notebook", [n for n in STUDENT if stored_viewers(n)], ids=lambda p: p.name
)
def test_backward_viewers_step_to_the_printed_gradients_offline(browser, notebook):
    page, left_file, failed = open_offline(browser, (SITE / f"{notebook.stem}.html").as_uri())
    try:
        page.set_viewport_size({"width": 1280, "height": 1600})  # a whole viewer in view
        viewers = page.locator(VIEWER)
        assert viewers.count() == stored_viewers(notebook)
        SCREENSHOTS.mkdir(exist_ok=True)
        for index in range(viewers.count()):
            stem = SCREENSHOTS / f"site_{notebook.stem}_viewer{index + 1}"
            assert_same_gradients(*walk_to_the_last_step(viewers.nth(index), stem))
        assert not left_file, left_file
        assert not failed, f"files the page needs are missing from the site: {failed}"
    finally:
        page.close()
