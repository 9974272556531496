"""End-to-end (issue 14): what a Russian or Polish user reads in the browser: tables with
decimal commas and local percent signs, and the file uploader's own words in the language."""

from __future__ import annotations

import os
import re

import pytest
from e2e import browser_page, chromium_path, running_app, wait_idle

pytestmark = pytest.mark.browser

if chromium_path() is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install chromium); under CI this test runs.",
                allow_module_level=True)

UPLOADER = {"ru": ("Загрузить", "До 1 024 МБ на файл"),
            "pl": ("Prześlij", "Do 1024 MB na plik")}
PERCENT = {"ru": "\u00a0%", "pl": "%"}


@pytest.fixture(scope="module")
def app_url():
    with running_app() as url:
        yield url


def _cells(page) -> list[str]:
    grid = page.locator('[data-testid="stDataFrame"] [role=gridcell]')
    grid.first.wait_for(state="attached")  # the accessible copy of the canvas grid
    return [grid.nth(i).text_content() for i in range(min(grid.count(), 120))]


def _after(page, selector: str) -> str:
    return page.locator(selector).first.evaluate(
        "e => getComputedStyle(e, '::after').content")


@pytest.mark.parametrize("lang", ["ru", "pl"])
def test_tables_and_uploader_speak_the_language(app_url, lang):
    with browser_page() as page:
        page.goto(f"{app_url}/?lang={lang}")
        wait_idle(page)
        button, limit = UPLOADER[lang]
        assert button in _after(page, '[data-testid="stFileUploaderDropzone"] button p')
        limit_css = _after(page, '[data-testid="stFileUploaderDropzoneInstructions"] span')
        assert limit in limit_css.replace("\u00a0", " ")  # the grouping space, as drawn
        # the English words are drawn at size zero
        size = page.locator('[data-testid="stFileUploaderDropzoneInstructions"] span').first \
            .evaluate("e => getComputedStyle(e).fontSize")
        assert size == "0px"

        page.goto(f"{app_url}/touchpoints?lang={lang}")
        wait_idle(page)
        cells = _cells(page)
        shares = [c for c in cells if c.endswith("%")]
        assert shares and all(re.fullmatch(r"\d+,\d" + PERCENT[lang], c) or c == "100" +
                              PERCENT[lang] for c in shares if "celu" not in c)
        assert not any(re.fullmatch(r"[+-]?\d+\.\d+%?", c) for c in cells)
        assert "None" not in cells

        page.goto(f"{app_url}/emotions?lang={lang}")
        wait_idle(page)
        cells = _cells(page)
        intervals = [c for c in cells if "…" in c]
        assert intervals and all("," in c and "." not in c for c in intervals)
