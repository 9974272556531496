"""The Excel report opens with openpyxl and holds the same numbers, formatted."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd

from journeylib.report import excel_report, number_format


def test_sheets_hold_the_numbers_with_formats() -> None:
    funnel = pd.DataFrame({"step": [1, 2], "stage": ["Awareness", "Purchase"],
                           "customers": [5000, 1067], "conversion_from_start": [1.0, 0.2134],
                           "median_hours_from_previous": [None, 52.25]})
    quality = pd.DataFrame({"field": ["customer id"], "share_filled": [1.0],
                            "first": [pd.Timestamp("2026-03-01 10:00", tz="UTC")]})
    data = excel_report({"Funnel": funnel, "Data quality": quality}, title="Sample journeys",
                        filters="segment: Business",
                        generated=dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Funnel", "Data quality"]
    sheet = book["Funnel"]
    assert sheet["A1"].value == "Sample journeys"
    assert sheet["A2"].value == "Filters: segment: Business"
    assert sheet["A3"].value == "Made 2026-11-23 08:00 UTC"
    assert [c.value for c in sheet[5]] == ["step", "stage", "customers",
                                           "conversion_from_start",
                                           "median_hours_from_previous"]
    assert [c.value for c in sheet[7]] == [2, "Purchase", 1067, 0.2134, 52.25]
    assert sheet["C7"].number_format == "#,##0"
    assert sheet["D7"].number_format == "0.0%"
    assert sheet["E6"].value is None and sheet["E7"].number_format == "0.00"
    assert sheet.freeze_panes == "A6"
    assert book["Data quality"]["C6"].value == dt.datetime(2026, 3, 1, 10, 0)


def test_formats_follow_column_names() -> None:
    assert number_format("share") == "0.0%"
    assert number_format("revenue") == "#,##0.00"
    assert number_format("ci_low") == "0.00"
    assert number_format("channel") is None


def test_long_and_clashing_sheet_names_are_made_valid() -> None:
    frame = pd.DataFrame({"a": [1]})
    data = excel_report({"Attribution: by model / channel [all]": frame,
                         "Attribution: by model / channel [all]!": frame}, title="t")
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 2 and all(len(n) <= 31 for n in names)
    assert len(set(names)) == 2
