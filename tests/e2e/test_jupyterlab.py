"""JupyterLab in a real browser, the way a student uses it: `make e2e`.

Starts `jupyter lab` (this environment's, so its kernel is this environment's Python, and the
settings `make` wrote into .venv apply) on a free localhost port with a token, on a copy of the
student edition with its stored outputs, trusted as `make lab` trusts it. For every student
notebook it clears the outputs, runs all cells from the Run menu in Debian's headless Chromium
through Playwright, waits until every cell has run, and checks that no cell shows an error and
that every figure of the stored notebook appears again. Each step-through viewer of the backward
pass is clicked to its last step, and the leaf gradients it shows must equal what its cell
printed (screenshots at its first, a middle and its last step). The server's log must not warn about
unencrypted TCP or untrusted notebooks, and JupyterLab must not fetch news. Screenshots go to
`.e2e/` (git-ignored). The server runs in a process group of its own and is stopped with its
kernels on any exit, SIGTERM from a time limit included (tests/lab_server.py). No browser is ever
downloaded: Chromium comes from apt.
"""

import json
import os
import urllib.request
from pathlib import Path

import nbformat
import pytest

from helpers.paths import repo_root
from tests.backward_viewer_in_browser import (
    VIEWER,
    assert_same_gradients,
    stored_viewers,
    walk_to_the_last_step,
)
from tests.lab_server import running_jupyter_lab

STUDENT_NOTEBOOKS = sorted((repo_root() / "student").glob("[0-9][0-9]_*.ipynb"))
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = repo_root() / ".e2e"
# User settings for this run only: no autosave, every cell kept in the page. (No news: that comes
# from the overrides `make` writes into .venv, and is checked.)
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="run `make e2e`: it installs Playwright"
)


def image_outputs(path: Path) -> int:
    notebook = nbformat.read(path, as_version=4)
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """A JupyterLab server on a trusted copy of student/; yields (base url, token, log path)."""
    from tools.editions import course_bytes
    from tools.run_notebooks import sign_as_trusted

    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} not found: install Debian's Chromium (apt-get install chromium)")
    tmp_path = tmp_path_factory.mktemp("lab")
    root = tmp_path / "lab"
    (root / "student").mkdir(parents=True)
    for path in STUDENT_NOTEBOOKS:
        copy = root / "student" / path.name
        copy.write_bytes(course_bytes(path))  # the course's copy, never a student's answers
        sign_as_trusted(copy)  # what `make lab` does with `jupyter trust`
    settings = tmp_path / "settings"
    for relative, values in LAB_SETTINGS.items():
        (settings / relative).parent.mkdir(parents=True, exist_ok=True)
        (settings / relative).write_text(json.dumps(values))

    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "FIGURES_DIR": str(tmp_path / "figures"),  # leave the repository's figures/ alone
        "TQDM_DISABLE": "1",
    }
    log_path = tmp_path / "jupyter-lab.log"
    with running_jupyter_lab(root, env, log_path) as (base, token, process):
        yield base, token, log_path
    assert process.poll() is not None, "the server must be stopped"


def wait_for_idle_kernel(page) -> None:
    """The status bar reads 'Python 3 (ipykernel) | Idle' once the kernel has started."""
    page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(timeout=90_000)


def click_menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def run_all_cells(page, attempts: int = 3) -> None:
    """Edit > Clear Outputs of All Cells, then Run > Run All Cells, until a prompt shows that
    execution started ([*] or [n]).

    On a cold start the first click can land before the notebook's session is wired up and is
    then ignored; clicking again is what a student would do too.
    """
    click_menu(page, "Edit", "Clear Outputs of All Cells")
    started = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-InputPrompt')]
        .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""
    for attempt in range(1, attempts + 1):
        click_menu(page, "Run", "Run All Cells")
        try:
            page.wait_for_function(started, timeout=20_000)
            return
        except playwright_api.TimeoutError:
            if attempt == attempts:
                raise


ERROR_OUTPUTS = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
# Done when every prompt shows a number (collapsed inputs show an empty one), or as soon as a
# cell shows an error (Run All stops there).
ALL_CELLS_RAN = """errorSelector => {
    const panel = document.querySelector('.jp-NotebookPanel');
    if (panel.querySelector(errorSelector) !== null) return true;
    // A collapsed input shows a placeholder whose prompt stays empty: skip those.
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .filter(p => p.offsetParent !== null && p.textContent.trim() !== '');
    return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""


def test_jupyterlab_reads_the_quiet_settings_from_the_venv(lab_server):
    base, token, _ = lab_server
    url = f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}"
    with urllib.request.urlopen(url, timeout=10) as response:
        schema = json.load(response)["schema"]
    # JupyterLab applies overrides.json as the schema's defaults; no user setting is involved.
    defaults = {name: spec.get("default") for name, spec in schema["properties"].items()}
    assert defaults["fetchNews"] == "false", defaults
    assert defaults["checkForUpdates"] is False, defaults


@pytest.mark.parametrize("notebook", STUDENT_NOTEBOOKS, ids=lambda p: p.name)
def test_each_student_notebook_runs_in_jupyterlab_in_a_real_browser(lab_server, notebook):
    base, token, log_path = lab_server
    SCREENSHOTS.mkdir(exist_ok=True)
    screenshot = SCREENSHOTS / f"jupyterlab_{notebook.stem}.png"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            # A workspace of its own: no tab of an earlier test is restored beside it.
            workspace = notebook.stem.replace("_", "-")
            page.goto(
                f"{base}/lab/workspaces/{workspace}/tree/student/{notebook.name}?token={token}"
            )
            page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=60_000)
            wait_for_idle_kernel(page)
            run_all_cells(page)
            page.wait_for_function(ALL_CELLS_RAN, arg=ERROR_OUTPUTS, timeout=240_000)
            errors = page.locator(ERROR_OUTPUTS)
            assert errors.count() == 0, f"a cell shows an error: {errors.first.inner_text()[:1000]}"
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000
            )
            figures = page.locator(".jp-RenderedImage img")
            assert figures.count() == image_outputs(notebook)  # every stored figure, redrawn
            for index in range(figures.count()):
                page.wait_for_function(
                    "img => img.complete && img.naturalWidth > 0",
                    arg=figures.nth(index).element_handle(),
                )
            viewers = page.locator(f".jp-NotebookPanel {VIEWER}")
            assert viewers.count() == stored_viewers(notebook)  # every viewer, drawn again
            for index in range(viewers.count()):
                stem = SCREENSHOTS / f"jupyterlab_{notebook.stem}_viewer{index + 1}"
                assert_same_gradients(*walk_to_the_last_step(viewers.nth(index), stem))
            text = page.locator(".jp-NotebookPanel").inner_text()
            assert "not answered yet" in text and "✓ exercise" not in text  # no solutions here
            page.screenshot(path=str(screenshot))
        except Exception:
            page.screenshot(path=str(SCREENSHOTS / f"failure_{notebook.stem}.png"), full_page=True)
            raise
        finally:
            browser.close()
    assert screenshot.is_file()
    log = log_path.read_text()
    assert "without encryption" not in log  # kernels on IPC sockets (.venv's server config)
    assert "is not trusted" not in log
