"""End-to-end: the Attribution page in headless Chromium draws its charts without errors."""

from __future__ import annotations

import os

import pytest
from e2e import ROOT, browser_page, chromium_path, running_app, wait_idle

pytestmark = pytest.mark.browser

if chromium_path() is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install chromium); under CI this test runs.",
                allow_module_level=True)


@pytest.fixture(scope="module")
def app_url():
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    with running_app() as url:
        yield url


def test_attribution_page_draws_the_model_comparison(app_url: str) -> None:
    with browser_page() as page:
        page.goto(f"{app_url}/attribution?measure=revenue")
        wait_idle(page)
        chart = page.get_by_test_id("stVegaLiteChart").first
        chart.locator("canvas, svg").first.wait_for(timeout=30_000)
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 200

        body = page.inner_text("body")
        assert "The models disagree most on direct" in body
        assert page.get_by_test_id("stException").count() == 0
        assert "Traceback" not in body
        # The link keeps the chosen measure, and the page shows revenue.
        assert "measure=revenue" in page.url
        assert page.get_by_role("radio", name="Revenue").is_checked()
