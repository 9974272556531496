"""AppTest tests of the Funnel and Journeys pages on the sample data."""

from __future__ import annotations

import io

import openpyxl

import journeylib as jl
from journeylib.funnel import drop_offs
from journeylib.report import excel_report
from tests.apptest import chart_titles, counts, open_page, table, widget

FUNNEL = "app_pages/funnel.py"
JOURNEYS = "app_pages/journeys.py"


def test_funnel_page_on_the_sample() -> None:
    at = open_page(FUNNEL)
    assert at.title[0].value == "Funnel"
    reading = at.markdown[0].value
    assert "6\\.8% of the 5,000 customers who reached Awareness went on to Advocacy" in reading
    assert "the largest drop is Consideration → Purchase" in reading
    assert [m.label for m in at.metric if "journey" in m.label] == [
        "Buyer journey: Awareness → Purchase",
        "Customer journey: Purchase → Advocacy",
    ]
    assert [m.value for m in at.metric if "journey" in m.label] == ["21.4%", "31.7%"]
    steps = table(at, "customers")
    assert counts(steps["customers"]) == [5000, 3949, 1071, 874, 340]
    assert steps["customers"].tolist()[0] == "5,000"
    assert chart_titles(at) == [
        "Customers reaching each step",
        "Time from Consideration to Purchase",
        "Conversion from Awareness to Advocacy by entry week",
        "Customers entering at Awareness",
        "What goes with converting",
    ]
    captions = " ".join(c.value for c in at.caption)
    assert "Half of the 1,071 customers who went from Consideration to Purchase" in captions
    assert "Buyer journey: 21.4% of the 5,000 customers" in captions
    # Drop-offs default to the largest drop: customers lost at Purchase.
    assert widget(at.selectbox, "dropoff_step").value == 3
    assert "2,878 customers reached Consideration but not Purchase" in captions
    # The page's own downloads (the sidebar adds the Excel report of every analysis).
    # Every chart has its PNG / SVG / PDF: funnel, time to convert, trend, correlation.
    assert [b.label for b in at.main.get("download_button")] == [
        *["PNG", "SVG", "PDF"] * 3, "Download CSV", "Download Excel", "Download CSV",
        "Download Excel", "PNG", "SVG", "PDF"]
    assert at.query_params["mode"] == "ordered"


def test_funnel_controls_change_the_funnel_and_the_link() -> None:
    at = open_page(FUNNEL)
    widget(at.multiselect, "funnel_stages").set_value(["Awareness", "Purchase"]).run()
    widget(at.selectbox, "funnel_window").set_value("7d").run()
    widget(at.selectbox, "funnel_mode").set_value("strict").run()
    assert not at.exception
    shown = counts(table(at, "customers")["customers"])
    assert shown[0] == 5000 and shown[1] < 1071  # strict: Consideration is in between
    assert shown[1] == 0
    assert at.query_params["steps"] == ["Awareness", "Purchase"]
    assert at.query_params["window"] == "7d"
    assert at.query_params["mode"] == "strict"


def test_funnel_link_sets_the_controls_and_breakdown() -> None:
    at = open_page(FUNNEL, steps=["Consideration", "Purchase", "nonsense"], by="channel")
    assert widget(at.multiselect, "funnel_stages").value == ["Consideration", "Purchase"]
    assert widget(at.selectbox, "funnel_by").value == "channel"
    frame = table(at, "customers")
    assert frame["breakdown"].iloc[0] == "display"
    assert "Highest in" in at.markdown[0].value
    assert not [m for m in at.metric if "journey" in m.label]


def test_segment_table_and_excel_download() -> None:
    at = open_page(FUNNEL, steps=["Awareness", "Purchase"])
    widget(at.selectbox, "segments_by").set_value("channel").run()
    segments = table(at, "verdict")
    verdicts = dict(zip(segments["breakdown"], segments["verdict"], strict=True))
    # Planted: email and referral raise the purchase odds; display does not.
    assert verdicts["email"] == "higher" and verdicts["referral"] == "higher"
    assert verdicts["display"] == "lower"
    lost = next(d.value for d in at.dataframe if "last_touchpoint" in d.value.columns)
    assert len(lost) == 500  # the first 500 of 3,933 on screen; all in the downloads
    xlsx = widget(at.get("download_button"), "dropoff_xlsx")
    assert xlsx.proto.label == "Download Excel"


def test_journeys_page_on_the_sample() -> None:
    at = open_page(JOURNEYS)
    assert at.title[0].value == "Journeys"
    assert at.markdown[0].value.startswith(
        "**The most common move is Awareness → Consideration (3,949 customers)"
    )
    assert chart_titles(at) == ["Moves between stages",
                                "Conversion by journey against the intended path"]
    paths = at.dataframe[0].value
    assert len(paths) == 19  # the sample has only 19 distinct stage paths
    assert paths["path"].iloc[0] == "Awareness → Consideration"
    widget(at.radio, "paths_level").set_value("channel").run()
    assert not at.exception
    channels = at.dataframe[0].value
    assert len(channels) == 20
    assert channels["path"].iloc[0] == "display"
    assert at.query_params["level"] == "channel"


def test_drop_offs_workbook_opens(sample_dataset: jl.Dataset) -> None:
    """The Excel download: drop-offs carry zoned timestamps, which Excel cannot store."""
    lost = drop_offs(sample_dataset, 3)
    book = openpyxl.load_workbook(io.BytesIO(excel_report({"Drop-offs": lost}, title="Lost")))
    sheet = book["Drop-offs"]
    assert sheet.max_row == 5 + len(lost)
    assert [c.value for c in sheet[5]][:3] == ["Customer ID", "Reached stage", "Reached at (UTC)"]


ONE_STAGE_CSV = (
    b"customer_id,timestamp,stage,channel,emotion\n"
    b"a,2026-03-01 10:00,Visit,web,4\n"
    b"b,2026-03-02 10:00,Visit,app,2\n"
    b"b,2026-03-03 10:00,Visit,web,5\n"
)


def test_every_page_copes_with_data_of_one_stage() -> None:
    """Bug: the Funnel page raised TypeError (``ibis.cases()`` with no branch) when the data
    had a single stage, so a one-step funnel had nothing to check for order."""
    at = open_page()
    at.file_uploader[0].set_value(("one-stage.csv", ONE_STAGE_CSV, "text/csv")).run()
    assert not at.exception
    for page in ("funnel", "journeys", "attribution", "emotions", "journey_map", "touchpoints"):
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert not at.exception, (page, at.exception)
        if page == "funnel":
            assert at.markdown[0].value == "**2 customers reached Visit.**"
