"""The Excel report opens with openpyxl and holds the same numbers, formatted."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from journeylib.i18n import filters_text
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
    assert sheet["A3"].value == "Made 23 Nov 2026 08:00 UTC"
    assert [c.value for c in sheet[5]] == ["Step", "Stage", "Customers",
                                           "Conversion from first step",
                                           "Median hours from previous step"]
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


def test_report_of_the_sample_holds_the_pages_numbers(sample_dataset) -> None:
    import journeylib as jl
    from journeylib.report import analysis_sheets

    ds = jl.apply_filters(sample_dataset, jl.Filters(segments=("Business", "Returning")))
    sheets = analysis_sheets(ds)
    assert list(sheets) == ["About", "Funnel", "Attribution", "Emotion curve",
                            "Moments of truth", "Scorecard", "Data quality"]
    data = excel_report(sheets, title=ds.name, filters=filters_text(ds.filters))
    book = openpyxl.load_workbook(io.BytesIO(data))
    funnel = book["Funnel"]
    # the filters as the sidebar describes them (journeylib.i18n.filters_text)
    assert funnel["A2"].value == f"Filters: {filters_text(ds.filters)}"
    assert "Business, Returning" in filters_text(ds.filters)
    header = [c.value for c in funnel[5]]
    customers = [row[header.index("Customers")].value for row in funnel.iter_rows(min_row=6)]
    assert customers == jl.funnel(ds)["customers"].tolist()
    attribution = book["Attribution"]
    header = [c.value for c in attribution[5]]
    rows = [[c.value for c in row] for row in attribution.iter_rows(min_row=6)]
    markov = sum(r[header.index("Conversions")] for r in rows if r[0] == "markov")
    assert markov == pytest.approx(jl.attribution(ds, ["markov"], n_boot=0)["conversions"].sum())


def test_analyses_the_data_cannot_support_are_listed() -> None:
    import journeylib as jl
    from journeylib.report import analysis_sheets

    frame = pd.DataFrame({"customer": ["a", "a", "b"], "date": ["2026-03-01", "2026-03-02",
                                                                  "2026-03-01"],
                          "touchpoint": ["Ad", "Visit", "Ad"]})
    sheets = analysis_sheets(jl.load(frame))
    assert "Left out" in sheets
    assert "Funnel" in set(sheets["Left out"]["sheet"])
