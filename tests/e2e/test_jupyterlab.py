"""JupyterLab in a real browser, the way a student uses it: `make e2e`.

Starts `jupyter lab` (this environment's, so its kernel is this environment's Python) on a free
localhost port with a token, opens notebook 01 in Debian's headless Chromium through Playwright,
runs all cells from the Run menu, waits until every cell has run, and checks that no cell shows
an error and that the figure appears. The notebook is a copy without outputs in a temporary
folder, so the stored notebook is never touched. A screenshot goes to `.e2e/` (git-ignored).
The server is stopped in every case. No browser is ever downloaded: Chromium comes from apt.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = "01_polynomial_gradient.ipynb"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / ".e2e"
# User settings for this run only: no news toast, no autosave, every cell kept in the page.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="run `make e2e`: it installs Playwright"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited early with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"jupyter lab did not answer at {url} within {timeout:.0f} s")


@pytest.fixture
def lab_server(tmp_path):
    """A JupyterLab server on a copy of notebook 01 without outputs; yields (base url, token)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} not found: install Debian's Chromium (apt-get install chromium)")
    root = tmp_path / "lab"
    (root / "notebooks").mkdir(parents=True)
    notebook = nbformat.read(REPO / "notebooks" / NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, root / "notebooks" / NOTEBOOK)
    settings = tmp_path / "settings"
    for relative, values in LAB_SETTINGS.items():
        (settings / relative).parent.mkdir(parents=True, exist_ok=True)
        (settings / relative).write_text(json.dumps(values))

    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "FIGURES_DIR": str(tmp_path / "figures"),  # leave the repository's figures/ alone
    }
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]
    log = open(tmp_path / "jupyter-lab.log", "w")  # noqa: SIM115  (closed in finally)
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_server(f"{base}/api/status?token={token}", process)
        yield base, token
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        assert process.poll() is not None, "the server must be stopped"


def dismiss_news_toast(page) -> None:
    """Answer JupyterLab's 'receive official Jupyter news?' toast if it shows up anyway."""
    button = page.locator(".jp-toast-button", has_text="No")
    if button.count():
        button.first.click()


def wait_for_idle_kernel(page) -> None:
    """The status bar reads 'Python 3 (ipykernel) | Idle' once the kernel has started."""
    page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for(timeout=90_000)


def run_all_cells(page, attempts: int = 3) -> None:
    """Run > Run All Cells, until a prompt shows that execution started ([*] or [n]).

    On a cold start the first click can land before the notebook's session is wired up and is
    then ignored; clicking again is what a student would do too.
    """
    started = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-InputPrompt')]
        .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""
    for attempt in range(1, attempts + 1):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_function(started, timeout=20_000)
            return
        except playwright_api.TimeoutError:
            if attempt == attempts:
                raise


def test_notebook_01_runs_in_jupyterlab_in_a_real_browser(lab_server):
    base, token = lab_server
    SCREENSHOTS.mkdir(exist_ok=True)
    screenshot = SCREENSHOTS / "jupyterlab_01_polynomial_gradient.png"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{base}/lab/tree/notebooks/{NOTEBOOK}?token={token}")
            page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=60_000)
            wait_for_idle_kernel(page)
            dismiss_news_toast(page)
            run_all_cells(page)

            code_cells = page.locator(".jp-NotebookPanel .jp-CodeCell")
            n_cells = code_cells.count()
            # Done when the last cell's output is there and no cell is still queued ([*]), or
            # as soon as a cell shows an error (Run All stops there). Collapsed cells show no
            # prompt at all.
            error_outputs = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            page.wait_for_function(
                """errorSelector => {
                    const panel = document.querySelector('.jp-NotebookPanel');
                    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                    const finished = panel.innerText.includes('✓ exercise 3')
                        && !prompts.some(p => p.textContent.includes('*'));
                    return finished || panel.querySelector(errorSelector) !== null;
                }""",
                arg=error_outputs,
                timeout=90_000,
            )
            errors = page.locator(error_outputs)
            assert errors.count() == 0, f"a cell shows an error: {errors.first.inner_text()[:1000]}"
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=30_000
            )
            dismiss_news_toast(page)
            figure = page.locator(".jp-RenderedImage img").first
            figure.scroll_into_view_if_needed()
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=figure.element_handle()
            )
            page.screenshot(path=str(screenshot))

            prompts = code_cells.locator(".jp-InputPrompt").all_inner_texts()
            numbers = [int(p.strip()[1:-2]) for p in prompts if p.strip()]
            assert numbers == sorted(set(numbers)) and numbers[0] == 1, prompts  # in order, once
            assert max(numbers) >= n_cells - 1  # the last cell's input is collapsed
            assert page.locator(".jp-RenderedImage img").count() == 1
            assert "✓ exercise 3" in page.locator(".jp-NotebookPanel").inner_text()
        except Exception:
            page.screenshot(path=str(SCREENSHOTS / "jupyterlab_failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    assert screenshot.is_file()
