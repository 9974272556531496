"""End-to-end: the journey map in presentation mode at 1920x1080, as a projector shows it.

Saves ``test-output/journey-map-presentation.png`` (not committed) for a human to look at.
"""

from __future__ import annotations

import os

import pytest
from e2e import ROOT, browser_page, chromium_path, running_app, wait_idle

pytestmark = pytest.mark.browser

if chromium_path() is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install chromium); under CI this test runs.",
                allow_module_level=True)

OUTPUT = ROOT / "test-output"


@pytest.fixture(scope="module")
def app_url():
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    with running_app() as url:
        yield url


def test_presentation_mode_screenshot(app_url: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    with browser_page(width=1920, height=1080) as page:
        # A shared link opens the map straight in presentation mode at the first stage.
        page.goto(f"{app_url}/journey_map?present=1&step=1")
        wait_idle(page)
        page.get_by_text("Awareness (buyer journey)").wait_for(timeout=30_000)
        page.get_by_role("button", name="Next ▶").click()
        page.get_by_text("Consideration (buyer journey)").wait_for(timeout=30_000)
        wait_idle(page)
        page.locator(".jm-stage.is-focus").first.wait_for(timeout=30_000)
        page.screenshot(path=str(OUTPUT / "journey-map-presentation.png"))

        body = page.inner_text("body")
        assert page.get_by_test_id("stException").count() == 0
        assert "Traceback" not in body and "Error" not in body
        assert not page.get_by_test_id("stSidebar").is_visible()
        assert "moment of truth: Checkout (drives purchase)" in body
        assert "2 of 5" in body
        strip = page.locator(".jm-strip").first.bounding_box()
        assert strip is not None and strip["width"] <= 1920
