"""Start the app on a free port and drive it in Debian's headless Chromium through Playwright.

Used by the browser tests, and by ``make screenshot`` to refresh ``docs/screenshot.png``:
``python tests/e2e.py docs/screenshot.png``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def chromium_path() -> str | None:
    """Path of the system Chromium (Debian package ``chromium``), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(timeout: float = 60.0) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free port; yields its URL, stops it afterwards."""
    port = _free_port()
    log = open(ROOT / ".pytest_cache" / f"streamlit-{port}.log", "w")  # noqa: SIM115
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not answer within {timeout:.0f}s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def browser_page(width: int = 1440, height: int = 1000):
    """A Playwright page in the system Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the app has finished running its script (no sleeping)."""
    page.wait_for_selector(APP_IDLE, timeout=timeout)


def screenshot(path: str, tab: str | None = None, height: int = 1000, page_path: str = "") -> None:
    """Save a screenshot of the app on the sample data: ``page_path`` (e.g. ``"funnel"``; the
    Data page by default), ``tab`` a tab to open on it."""
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    with running_app() as url, browser_page(height=height) as page:
        page.goto(f"{url}/{page_path}")
        wait_idle(page)
        if not page_path:
            page.get_by_test_id("stDataFrame").first.wait_for()
        page.wait_for_timeout(2000)  # let Vega finish drawing
        if tab:
            page.get_by_role("tab", name=tab).click()
            wait_idle(page)
            page.wait_for_timeout(1500)  # let Vega finish drawing
        page.screenshot(path=path, full_page=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    screenshot(args[0] if args else "docs/screenshot.png", (args[1] or None) if len(args) > 1
               else None, int(args[2]) if len(args) > 2 else 1000,
               args[3] if len(args) > 3 else "")
