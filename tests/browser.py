"""A real headless Chromium (Debian's) for tests: pages opened over file://, every request
recorded and any that is not file: refused, every console error kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

MISSING_CHROMIUM = (f"Debian's Chromium ({CHROMIUM}) is not installed: run `make test`, which "
                    "installs it, or `sudo apt-get install -y chromium`")


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium; a test that needs it fails without it (never skips)."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    return CHROMIUM


needs_chromium = pytest.mark.usefixtures("chromium")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# What a page may load without anything leaving the machine: files, and the blob: and data:
# URLs a page makes itself (a table's CSV download is a blob).
LOCAL_SCHEMES = ("file:", "blob:", "data:")


class Visit:
    """A browser page that records every request and every error while it is used."""

    def __init__(self, context):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, path: Path, fragment: str = "") -> None:
        self.page.goto(path.as_uri() + (f"#{fragment}" if fragment else ""), wait_until="load")

    def off_machine(self) -> list[str]:
        """Requests that were not for the disk or for the page's own blob:/data: URLs."""
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]

    def links_off_machine(self) -> list[str]:
        """Links and forms of the open page that would lead off the machine."""
        return self.page.evaluate(
            """schemes => [...document.querySelectorAll('a[href], area[href], form[action]')]
                 .map(e => e.href || e.action)
                 .filter(url => !schemes.some(s => url.startsWith(s)))""",
            list(LOCAL_SCHEMES),
        )

    def draw_time_ms(self) -> float:
        """Milliseconds from navigation to the figures drawn (site.js marks that moment)."""
        self.page.wait_for_function(
            "performance.getEntriesByName('bangfu:figures-drawn').length > 0", timeout=30_000
        )
        return self.page.evaluate(
            "performance.getEntriesByName('bangfu:figures-drawn')[0].startTime"
        )

    def wait_for_plots(self, count: int) -> None:
        self.page.wait_for_function(
            "n => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0 &&"
            " document.querySelectorAll('.js-plotly-plot').length === n",
            arg=count,
            timeout=15_000,
        )

    def drawn_plots(self) -> int:
        """Plot elements that plotly turned into SVG charts."""
        return self.page.locator(".js-plotly-plot:has(.main-svg)").count()


@contextmanager
def offline_browser() -> Iterator[object]:
    """A browser context in which anything not from the disk is refused, so a stray request
    fails fast instead of waiting on a network that is not there; it is still recorded."""
    if not CHROMIUM.exists():
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def refuse_network(route):
            if route.request.url.startswith(LOCAL_SCHEMES):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", refuse_network)
        try:
            yield context
        finally:
            browser.close()
