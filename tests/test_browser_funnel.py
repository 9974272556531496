"""End-to-end: the Funnel and Journeys pages in headless Chromium draw their charts."""

from __future__ import annotations

import os

import pytest
from e2e import ROOT, browser_page, chromium_path, running_app, wait_idle

pytestmark = pytest.mark.browser

if chromium_path() is None and not os.environ.get("CI"):
    pytest.skip(
        "Chromium is not installed (apt-get install chromium); under CI this test runs.",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def app_url():
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    with running_app() as url:
        yield url


def _charts_drawn(page, count: int) -> None:
    charts = page.get_by_test_id("stVegaLiteChart")
    charts.first.locator("canvas, svg").first.wait_for(timeout=30_000)
    assert charts.count() == count
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200


def _no_errors(page) -> str:
    body = page.inner_text("body")
    assert page.get_by_test_id("stException").count() == 0
    assert "Traceback" not in body
    return body


def test_funnel_page_draws_the_funnel(app_url: str) -> None:
    with browser_page() as page:
        page.goto(f"{app_url}/funnel?window=90d")
        wait_idle(page)
        # The funnel; time to convert, the trend and the correlation sit in tabs but are drawn
        # too.
        _charts_drawn(page, 4)
        body = _no_errors(page)
        assert "the largest drop is Consideration → Purchase" in body
        assert "window=90d" in page.url
        page.get_by_role("tab", name="Drop-offs").click()
        wait_idle(page)
        assert page.get_by_role("button", name="Download Excel").is_visible()


def test_journeys_page_draws_the_heat_map(app_url: str) -> None:
    with browser_page() as page:
        page.goto(f"{app_url}/journeys")
        wait_idle(page)
        _charts_drawn(page, 2)  # the heat map, then the intended path against the real one
        body = _no_errors(page)
        assert "The most common move is Awareness → Consideration" in body
        assert page.get_by_test_id("stDataFrame").count() == 2  # paths, the intended path
