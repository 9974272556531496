"""End-to-end: a shared link opens the same funnel in a fresh browser session."""

from __future__ import annotations

import os

import pytest
from e2e import ROOT, browser_page, chromium_path, running_app, wait_idle

pytestmark = pytest.mark.browser

if chromium_path() is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install chromium); under CI this test runs.",
                allow_module_level=True)


def _funnel_reading(page) -> str:
    reading = page.get_by_test_id("stMarkdown").filter(has_text="went on to").first
    reading.wait_for(timeout=60_000)
    return reading.inner_text()


def test_shared_link_opens_the_same_funnel() -> None:
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    with running_app() as url:
        with browser_page() as page:
            page.goto(f"{url}/funnel?mode=strict&segment=Business")
            wait_idle(page)
            reading = _funnel_reading(page)
            page.get_by_text("Share this view").click()
            link = page.get_by_test_id("stCode").first.inner_text().strip()
            assert "mode=strict" in link and "segment=Business" in link
            assert page.get_by_test_id("stException").count() == 0
        # A new browser: no cookies, no session, only the link.
        with browser_page() as fresh:
            fresh.goto(link)
            wait_idle(fresh)
            assert _funnel_reading(fresh) == reading
            assert "segment: Business" in fresh.get_by_test_id("stSidebar").inner_text()
            assert fresh.get_by_test_id("stException").count() == 0
