"""`make handout`: the whole course as one PDF, to print or to read offline, A4 and Letter.

Built from the site's own sources (tools/build_site.py: the student edition with its stored
outputs, no reference solutions, no collapsed checks cell): Sphinx's `singlehtml` builder writes
the five notebooks, in order, as one page (build/handout-html/), and the Debian Chromium of the
browser tests prints it (Playwright's `page.pdf`), after every step-through viewer of the backward
pass has been walked to its last step. `site/_static/course.css` holds the print rules: no
sidebars or buttons, each notebook on a new page, code wrapped (wrap-lines.js) and never clipped,
a code box broken across pages only between its lines (none left empty), figures at the text's
width. The footer numbers the pages; the first page lists the notebooks, linked.

    python -m tools.handout   # after the singlehtml build (make handout runs both)

It writes build/handout/beyond-least-squares-a4.pdf and beyond-least-squares-letter.pdf.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from helpers.paths import display_path, repo_root

HTML = "build/handout-html/index.html"
OUT = "build/handout"
PAPERS = {"a4": "A4", "letter": "Letter"}
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FOOTER = (
    '<div style="font-size: 8px; width: 100%; text-align: center; color: #555;">'
    'Beyond Least Squares · <span class="pageNumber"></span> / <span class="totalPages"></span>'
    "</div>"
)


def walk_viewers_to_their_last_step(page) -> int:
    """Press Next on every step-through viewer until its counter reads "step N of N"."""
    viewers = page.locator(".bv-viewer")
    for index in range(viewers.count()):
        viewer = viewers.nth(index)
        total = int(viewer.get_attribute("data-steps"))
        next_button = viewer.get_by_role("button", name="Next")
        for _ in range(total - 1):
            next_button.click()
        counter = viewer.locator(".bv-counter").inner_text()
        if counter != f"step {total} of {total}":
            raise RuntimeError(f"viewer {index + 1} stopped at {counter!r}")
    return viewers.count()


def print_handout(html: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        raise SystemExit(f"{CHROMIUM} not found: install Chromium (apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.goto(html.as_uri())
            page.wait_for_load_state("load")
            page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            viewers = walk_viewers_to_their_last_step(page)
            page.emulate_media(media="print")
            page.evaluate("() => window.dispatchEvent(new Event('resize'))")  # re-mark wraps
            for name, paper in PAPERS.items():
                path = out / f"beyond-least-squares-{name}.pdf"
                page.pdf(
                    path=str(path),
                    format=paper,
                    print_background=True,
                    display_header_footer=True,
                    header_template="<div></div>",
                    footer_template=FOOTER,
                    margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
                )
                written.append(path)
            print(f"handout: {viewers} viewers shown at their last step")
        finally:
            browser.close()
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    html = repo_root() / HTML
    if not html.is_file():
        raise SystemExit(f"{display_path(html)} is missing: run `make handout`")
    start = time.perf_counter()
    for path in print_handout(html, repo_root() / OUT):
        print(f"{display_path(path)}: {path.stat().st_size / 1e6:.1f} MB")
    print(f"printed in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
