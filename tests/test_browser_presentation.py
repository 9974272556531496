"""End-to-end: a facilitator drives presentation mode with the keyboard (or a clicker, which
sends the same keys), reloads on a step, and reads the focused stage from the back of a room.

Saves ``test-output/presentation-step-3.png`` (1920×1080, not committed) to look at.
"""

from __future__ import annotations

import os
import re

import pytest
from e2e import ROOT, browser_page, chromium_path, running_app, wait_idle

pytestmark = pytest.mark.browser

if chromium_path() is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install chromium); under CI this test runs.",
                allow_module_level=True)

OUTPUT = ROOT / "test-output"
STAGES = ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]


@pytest.fixture(scope="module")
def app_url():
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    with running_app() as url:
        yield url


def _step_in_link(page) -> int:
    found = re.search(r"[?&]step=(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def _on_step(page, step: int) -> None:
    """Wait until the page shows ``step`` (0 = whole journey) and its link says so."""
    focus = f'"{STAGES[step - 1]}"' if step else "null"
    page.wait_for_function(
        f"""() => {{
            const strip = document.querySelector(".jm-strip");
            const focus = document.querySelector(".jm-stage.is-focus");
            return strip !== null && (focus ? focus.dataset.stage : null) === {focus}
                && /[?&]step={step}(&|$)/.test(location.search);
        }}""", timeout=30_000)
    wait_idle(page)
    assert _step_in_link(page) == step


def _px(page, selector: str) -> float:
    return page.eval_on_selector(
        selector, "e => parseFloat(getComputedStyle(e).fontSize)")


def test_keys_move_the_step_and_a_reload_keeps_it(app_url: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    with browser_page(width=1920, height=1080) as page:
        page.goto(f"{app_url}/journey_map")
        wait_idle(page)
        page.get_by_text("Presentation mode").first.click()  # the toggle on the page
        _on_step(page, 0)
        assert not page.get_by_test_id("stSidebar").is_visible()

        for key, step in [("ArrowRight", 1), ("PageDown", 2), ("Space", 3), ("ArrowLeft", 2),
                          ("PageUp", 1), ("Shift+Space", 0), ("ArrowLeft", 0),
                          ("ArrowRight", 1), ("ArrowRight", 2), ("ArrowRight", 3)]:
            page.keyboard.press(key)
            _on_step(page, step)

        # A reload (a new session from the link) opens on the same step.
        page.goto(page.url)
        _on_step(page, 3)
        assert "Purchase" in page.locator(".jm-stage.is-focus").inner_text()
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUTPUT / "presentation-step-3.png"))

        # Legible from the back of a room: the focused stage's card titles and details.
        focus = ".jm-stage.is-focus"
        assert _px(page, f"{focus} .jm-card-title") >= 32
        assert _px(page, f"{focus} .jm-card-line") >= 24
        assert _px(page, f"{focus} .jm-head") >= 32
        sizes = page.eval_on_selector_all(
            f"{focus} .jm-card-title, {focus} .jm-card-line, {focus} .jm-line",
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
        assert sizes and min(sizes) >= 24
        faded = page.eval_on_selector_all(
            ".jm-stage.is-faded", "els => els.map(e => parseFloat(getComputedStyle(e).opacity))")
        assert len(faded) == len(STAGES) - 1 and max(faded) < 0.5
        # Nothing of the page is cut off sideways, and the key script adds no visible box.
        strip = page.locator(".jm-strip").bounding_box()
        assert strip is not None and strip["x"] >= 0 and strip["x"] + strip["width"] <= 1920
        assert page.locator("#jm-keys").is_hidden()
        assert page.get_by_test_id("stException").count() == 0

        # Keys typed into a field do not turn the page (the field keeps them).
        page.keyboard.press("End")
        assert _step_in_link(page) == 3


def test_keys_do_nothing_outside_presentation(app_url: str) -> None:
    with browser_page(width=1440, height=900) as page:
        page.goto(f"{app_url}/journey_map")
        wait_idle(page)
        page.locator(".vega-embed").first.wait_for(timeout=30_000)
        page.keyboard.press("ArrowRight")
        page.keyboard.press("PageDown")
        wait_idle(page)
        assert page.locator(".jm-strip").count() == 0
        assert "present=1" not in page.url
