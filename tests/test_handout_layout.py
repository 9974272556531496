"""The handout as printed: A4 or Letter landscape, a cover that says what the data is, then
one analysis a page under its reading, numbered, every text on its page and apart."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

import journeylib as jl
from journeylib import i18n
from journeylib.charts.journey_map import journey_map_chart
from journeylib.export import PAPERS, page_layouts
from journeylib.funnel import describe_funnel
from journeylib.handout import handout_pages, workshop_handout
from journeylib.moments import moments_of_truth
from tests.layout_check import outside, overlapping, text_boxes


@pytest.fixture(scope="module")
def business(sample_dataset: jl.Dataset) -> jl.Dataset:
    return jl.apply_filters(sample_dataset, jl.Filters(segments=("Business",)))


def _map(ds: jl.Dataset):
    jmap = jl.build_journey_map(ds)
    return journey_map_chart(jmap.stages, jmap.touchpoints)


def _page_boxes(laid):
    boxes, _ = text_boxes(laid.frame)
    if laid.chart is not None:
        x, y = laid.origin
        chart, size = text_boxes(laid.chart.spec, laid.chart.scale,
                                 (x + laid.chart.offset[0], y + laid.chart.offset[1]))
        assert x + laid.chart.offset[0] + size[0] <= laid.size[0] - 30  # inside the margins
        assert y + laid.chart.offset[1] + size[1] <= laid.size[1] - 30
        boxes += chart
    return boxes


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_every_page_of_the_handout_is_legible(business, lang) -> None:
    with i18n.language(lang):
        pages = handout_pages(business, _map(business), today=dt.date(2026, 3, 9))
        laid = page_layouts(pages, footnote=jl.footnote(business.name, "segment: Business"))
    assert len(laid) == 6
    for number, page in enumerate(laid, start=1):
        boxes = _page_boxes(page)
        assert overlapping(boxes) == [], number
        assert outside(boxes, *page.size) == [], number
        assert f"{number} / 6" in {b.text for b in boxes}


@pytest.mark.parametrize(("paper", "size"), [("a4", (842, 595)), ("letter", (792, 612))])
def test_pages_have_the_paper_size(business, paper, size) -> None:
    pdf = PdfReader(io.BytesIO(workshop_handout(business, _map(business), paper=paper)))
    assert PAPERS[paper] == size
    assert [(float(p.mediabox.width), float(p.mediabox.height)) for p in pdf.pages] == [size] * 6


def test_cover_names_data_filters_date_rule_and_language(business) -> None:
    with i18n.language("ru"):
        cover = handout_pages(business, _map(business), today=dt.date(2026, 3, 9))[0]
    text = " ".join(line for _, line in cover.lines)
    assert business.name in text
    assert "Фильтры: сегмент: Business" in text
    assert "Создан 09.03.2026" in text
    assert "Конверсии считаются так:" in text
    assert "Язык: Русский" in text
    assert "6. Атрибуция" in text


def test_each_analysis_page_has_its_reading_in_the_handout_language(business) -> None:
    with i18n.language("pl"):
        pages = handout_pages(business, _map(business), map_reading="Mapa: zdanie.")
        expected = describe_funnel(jl.funnel(business))
    assert pages[1].reading == "Mapa: zdanie."
    assert pages[2].reading == expected
    assert all(p.reading for p in pages[1:])


def test_attribution_page_draws_the_intervals_it_mentions(business) -> None:
    pages = handout_pages(business, _map(business), map_reading="")
    spec = pages[-1].chart.to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert any(r["ci_low"] is not None and r["ci_high"] > r["ci_low"] for r in rows)
    assert "bootstrap" in spec["title"]["subtitle"]


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_moments_page_has_a_dot_for_every_touchpoint_in_every_language(business, lang) -> None:
    # Russian handouts showed this page as an empty chart; the dots must not depend on the
    # interface language.
    with i18n.language(lang):
        pages = handout_pages(business, _map(business), map_reading="")
        page = page_layouts(pages)[4]
    expected = moments_of_truth(business, "purchase").query("status == 'ok'")["touchpoint"]
    boxes = _page_boxes(page)
    labels = {b.text for b in boxes if b.role == "axis-label"}
    assert set(expected) <= labels and len(expected) > 3


def test_a_long_reading_is_printed_whole() -> None:
    import altair as alt
    import pandas as pd

    from journeylib.export import Page

    reading = " ".join(["Клиенты с плохим опытом покупают реже."] * 8) + " Конец."
    chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_bar().encode(x="x:Q")
    page = page_layouts([Page(chart=chart, reading=reading)])[0]
    boxes = _page_boxes(page)
    assert "Конец." in " ".join(b.text for b in boxes)
    assert overlapping(boxes) == [] and outside(boxes, *page.size) == []
