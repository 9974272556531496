"""The workshop handout: a PDF with the journey map and the key charts, one per page."""

from __future__ import annotations

import io

import pandas as pd
from pypdf import PdfReader

import journeylib as jl
from journeylib.charts.journey_map import journey_map_chart
from journeylib.handout import handout_charts, workshop_handout


def test_handout_has_a_cover_and_five_pages_with_the_filters(sample_dataset: jl.Dataset) -> None:
    ds = jl.apply_filters(sample_dataset, jl.Filters(segments=("Business",)))
    jmap = jl.build_journey_map(ds)
    chart = journey_map_chart(jmap.stages, jmap.touchpoints)
    pdf = PdfReader(io.BytesIO(workshop_handout(ds, chart)))
    assert len(pdf.pages) == 6  # the cover, then the map and four analyses
    text = pdf.pages[2].extract_text()
    assert "filters: segment: Business" in text
    assert "Customers reaching each step" in text


def test_charts_the_data_cannot_support_are_left_out() -> None:
    frame = pd.DataFrame({"customer": ["a", "a", "b"],
                          "date": ["2026-03-01", "2026-03-02", "2026-03-01"],
                          "stage": ["Awareness", "Purchase", "Awareness"]})
    ds = jl.load(frame)
    jmap = jl.build_journey_map(ds)
    charts = handout_charts(ds, journey_map_chart(jmap.stages, jmap.touchpoints))
    assert 2 <= len(charts) < 5  # the map and the funnel; no emotions to draw


def test_journey_map_page_offers_the_handout_in_one_click() -> None:
    # The PDF is drawn when the button is pressed (tests/test_browser_report.py downloads it).
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"),
                           default_timeout=120)
    at.switch_page("app_pages/journey_map.py")
    at.run()
    assert not at.exception
    assert "Workshop handout (PDF)" in [b.label for b in at.main.get("download_button")]
