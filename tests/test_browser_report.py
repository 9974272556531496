"""End-to-end: the Excel report and the workshop handout download in one click, in the
interface language; the report holds the numbers of the filtered data."""

from __future__ import annotations

import os
import re

import openpyxl
import pytest
from e2e import ROOT, browser_page, chromium_path, running_app, wait_idle

import journeylib as jl
from journeylib import i18n

pytestmark = pytest.mark.browser

if chromium_path() is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install chromium); under CI this test runs.",
                allow_module_level=True)


def test_one_click_report_in_russian_with_the_filters(tmp_path) -> None:
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    with running_app() as url, browser_page() as page:
        page.goto(f"{url}/funnel?segment=Business&lang=ru")
        wait_idle(page)
        page.get_by_text(i18n.t("sidebar.report", "ru")).click()
        with page.expect_download(timeout=120_000) as download:
            page.get_by_text(i18n.t("sidebar.report_download", "ru")).click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        assert page.get_by_test_id("stException").count() == 0

    book = openpyxl.load_workbook(target)
    assert all(re.search("[а-яА-Я]", name) for name in book.sheetnames), book.sheetnames
    sample = jl.apply_filters(jl.load(ROOT / "sample_data/journeys.csv"),
                              jl.Filters(segments=("Business",)))
    expected = jl.funnel(sample)["customers"].tolist()
    sheet = book[i18n.t("report.sheet.funnel", "ru")]
    assert "Business" in str(sheet["A2"].value)  # the active filter is printed on the sheet
    columns = [[c.value for c in col][5:5 + len(expected)] for col in sheet.iter_cols()]
    assert expected in columns


def test_one_click_workshop_handout(tmp_path) -> None:
    from pypdf import PdfReader

    with running_app() as url, browser_page() as page:
        page.goto(f"{url}/journey_map?lang=pl")
        wait_idle(page)
        with page.expect_download(timeout=120_000) as download:
            label = i18n.t("journey_map.page.handout_download", "pl")
            page.get_by_role("button", name=label).click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        assert page.get_by_test_id("stException").count() == 0
    assert target.name == "workshop-handout.pdf"
    reader = PdfReader(target)
    assert len(reader.pages) == 6  # cover, map, funnel, emotions, moments of truth, attribution
