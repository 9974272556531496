"""Chart exports: real PNG, SVG and PDF files that name the filters they were drawn with."""

from __future__ import annotations

import pytest

import journeylib as jl
from journeylib.charts import touchpoints_over_time_chart
from journeylib.export import export_chart
from journeylib.quality import touchpoints_over_time


@pytest.fixture(scope="module")
def chart(sample_dataset: jl.Dataset):
    ds = sample_dataset
    return touchpoints_over_time_chart(touchpoints_over_time(ds), ds.stages)


def test_png_is_an_image_at_twice_the_size(chart) -> None:
    png = export_chart(chart, "png", scale=2)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width > 2 * 400  # the chart is several hundred pixels wide at scale 1


def test_svg_carries_title_and_footnote(chart) -> None:
    svg = export_chart(chart, "svg", footnote="Filters: segment: Business").decode()
    assert svg.startswith("<svg")
    assert "Touchpoints per week" in svg
    assert "Filters: segment: Business" in svg


def test_pdf_and_bad_format(chart) -> None:
    assert export_chart(chart, "pdf")[:5] == b"%PDF-"
    with pytest.raises(ValueError, match="format must be one of png, svg, pdf"):
        export_chart(chart, "gif")
