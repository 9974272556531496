"""End-to-end: the real app in headless Chromium (Debian's browser, driven by Playwright)."""

from __future__ import annotations

import os

import pytest
from e2e import ROOT, browser_page, chromium_path, running_app, wait_idle

pytestmark = pytest.mark.browser

if chromium_path() is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install chromium); under CI this test runs.",
                allow_module_level=True)

RU_CSV = (
    "ID клиента;Дата;Этап;Канал;Оценка;Выручка\n"
    "1001;01.03.2026 10:15;Awareness;поиск;4,5;\n"
    "1001;02.03.2026 11:00;Purchase;сайт;5;1 234,50\n"
    "1002;нет даты;Purchase;сайт;2;10\n"
).encode("cp1251")


@pytest.fixture(scope="module")
def app_url():
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    with running_app() as url:
        yield url


def test_upload_shows_preview_without_errors(app_url: str, tmp_path) -> None:
    upload = tmp_path / "клиенты.csv"
    upload.write_bytes(RU_CSV)
    with browser_page() as page:
        page.goto(app_url)
        wait_idle(page)
        page.get_by_test_id("stDataFrame").first.wait_for()
        assert "45,066" in page.get_by_test_id("stSidebar").inner_text()

        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
        page.get_by_role("heading", name="клиенты.csv").wait_for(timeout=30_000)
        wait_idle(page)
        page.get_by_test_id("stDataFrame").first.wait_for()

        body = page.inner_text("body")
        assert "2 touchpoints loaded, 1 row rejected." in body
        assert "Rejected rows (1)" in body
        assert page.get_by_test_id("stException").count() == 0
        assert "Traceback" not in body
        sidebar = page.get_by_test_id("stSidebar").inner_text()
        assert "1 row rejected" in sidebar


def test_chart_downloads_as_png(app_url: str) -> None:
    with browser_page(height=1600) as page:
        page.goto(app_url)
        wait_idle(page)
        page.get_by_role("tab", name="Data quality").click()
        wait_idle(page)
        button = page.get_by_test_id("stDownloadButton").filter(has_text="PNG").first
        button.wait_for()
        with page.expect_download(timeout=60_000) as download_info:
            button.click()
        path = download_info.value.path()
        with open(path, "rb") as handle:
            assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
        assert download_info.value.suggested_filename == "touchpoints-per-week.png"
        assert page.get_by_test_id("stException").count() == 0
