"""The handout as a facilitator prints it: the journey map drawn for its page (not the screen
chart shrunk to 0.56), no text on any page smaller than MIN_PRINTED_PT on A4 and Letter, card
names wrapped, and a line saying how many touchpoints the page leaves out."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest
import vl_convert as vlc

import journeylib as jl
from journeylib import i18n
from journeylib.charts.journey_map import journey_map_chart
from journeylib.export import Page, page_layouts
from journeylib.handout import (
    MAP_MIN_PT,
    MIN_PRINTED_PT,
    _map_box,
    _page_touchpoints,
    handout_pages,
    journey_map_page,
    workshop_handout,
)
from journeylib.i18n import filters_text
from journeylib.journey_map import describe_map
from journeylib.touchpoints import KPIS, scorecard
from tests.layout_check import outside, overlapping, text_boxes


def printed_sizes(laid) -> list[tuple[float, str]]:
    """``(size in pt as printed, text)`` of every text of a laid-out handout page: the
    scenegraph's font sizes times the scale the page draws the chart at."""
    out: list[tuple[float, str]] = []

    def walk(mark: dict, scale: float) -> None:
        for item in mark.get("items", []):
            if mark.get("marktype") == "text":
                text = item.get("text")
                if text not in (None, "", []) and item.get("opacity", 1) != 0:
                    out.append((float(item.get("fontSize", 11)) * scale, str(text)))
            elif "items" in item:
                for child in item["items"]:
                    walk(child, scale)

    for spec, scale in [(laid.frame, 1.0),
                        *([(laid.chart.spec, laid.chart.scale)] if laid.chart else [])]:
        walk(vlc.vegalite_to_scenegraph(json.dumps(spec))["scenegraph"], scale)
    return out


@pytest.fixture(scope="module")
def business(sample_dataset: jl.Dataset) -> jl.Dataset:
    return jl.apply_filters(sample_dataset, jl.Filters(segments=("Business",)))


def _targets(ds: jl.Dataset) -> pd.DataFrame:
    # Owners and KPI targets on every touchpoint: the cards' smallest lines (12 px at scale 1).
    card = scorecard(ds)
    return pd.DataFrame({"touchpoint": card["touchpoint"], "kpi": next(iter(KPIS)), "target": 0.3,
                         "owner": "Anna Kowalska"})


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_no_text_in_the_handout_is_printed_below_the_minimum(business, lang, paper) -> None:
    with i18n.language(lang):
        jmap = jl.build_journey_map(business, _targets(business))
        pages = handout_pages(business, jmap, paper=paper)
        laid = page_layouts(pages, footnote=jl.footnote(business.name,
                                                        filters_text(business.filters)),
                            paper=paper)
        owner = i18n.t("journey_map.chart.owner", owner="Anna Kowalska")
    assert len(laid) == 6
    for number, page in enumerate(laid, start=1):
        sizes = printed_sizes(page)
        smallest = min(sizes)
        assert smallest[0] >= MIN_PRINTED_PT - 1e-6, (number, smallest)
    # The map is drawn for its page: at its own size, its owner/KPI lines present and 8 pt.
    map_page = laid[1]
    assert map_page.chart.scale == 1.0
    sizes = printed_sizes(map_page)
    assert owner in {text for _, text in sizes}
    assert min(sizes)[0] == MAP_MIN_PT


def test_the_screen_chart_shrunk_to_a_page_is_below_the_minimum(business) -> None:
    # What the handout printed before: the page's chart (scale 0.9, a column of the screen)
    # shrunk as a whole, its card lines near 6 pt. A chart given is still printed that way.
    jmap = jl.build_journey_map(business, _targets(business))
    chart = journey_map_chart(jmap.stages, jmap.touchpoints, scale=0.9, column_width=176)
    laid = page_layouts([Page(chart=chart, reading="x")])[0]
    assert laid.chart.scale < 0.6
    assert min(printed_sizes(laid))[0] < MIN_PRINTED_PT


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_map_page_fits_without_overlaps_and_says_what_it_leaves_out(business, lang,
                                                                        paper) -> None:
    with i18n.language(lang):
        jmap = jl.build_journey_map(business, top=6)
        reading = describe_map(jmap)
        chart, left_out = journey_map_page(jmap, _map_box(paper, reading))
        laid = page_layouts([Page(chart=chart, reading=reading)], footnote="f", paper=paper)[0]
        note = i18n.t("handout.map_left_out", n=left_out, stages="")
    assert laid.chart.scale == 1.0  # drawn for the page, not shrunk to it
    x, y = laid.origin
    boxes, size = text_boxes(laid.chart.spec, 1.0, (x + laid.chart.offset[0],
                                                    y + laid.chart.offset[1]))
    frame, _ = text_boxes(laid.frame)
    assert overlapping(boxes + frame) == []
    assert outside(boxes + frame, *laid.size) == []
    # Every stage's column shares the width: the chart is nearly as wide as the content box.
    assert laid.chart.box[0] - 40 <= size[0] <= laid.chart.box[0]
    assert 0 < left_out < len(jmap.touchpoints)
    subtitle = " ".join(laid.chart.spec["title"]["subtitle"])
    assert note.split("(")[0].strip() in subtitle  # "... 9 touchpoints" in the legend


def test_cards_on_the_page_put_moments_and_pains_first(business) -> None:
    jmap = jl.build_journey_map(business)
    shown = _page_touchpoints(jmap.touchpoints, 2)
    assert shown.groupby("stage").size().max() == 2
    for stage, group in jmap.touchpoints.groupby("stage"):
        kept = set(shown.loc[shown["stage"] == stage, "touchpoint"])
        marked = group[(group["moment_of_truth"] != "") | (group["flag"] == "pain")]
        assert set(marked["touchpoint"].head(2)) <= kept, stage
        # kept in the map's order, ranked 0, 1, ...
        ranks = shown.loc[shown["stage"] == stage, "rank"].tolist()
        assert ranks == list(range(len(ranks)))
    order = jmap.touchpoints.index.tolist()
    assert shown.index.tolist() == [i for i in order if i in shown.index]


def test_long_card_names_are_wrapped_onto_two_lines(business) -> None:
    jmap = jl.build_journey_map(business)
    long = "Very long touchpoint name for the printed journey map"
    tps = jmap.touchpoints.copy()
    tps.loc[0, "touchpoint"] = long
    jmap = dataclasses.replace(jmap, touchpoints=tps)
    chart, _ = journey_map_page(jmap, _map_box("a4", "x"))
    laid = page_layouts([Page(chart=chart, reading="x")])[0]
    boxes, _ = text_boxes(laid.chart.spec)
    first = next(b for b in boxes if b.text.startswith("Very long"))
    assert first.text != long
    rest = long[len(first.text) + 1:]
    second = next(b for b in boxes if b.text == rest)  # the rest, cut by the card's width
    assert second.y1 >= first.y2 - 1 and abs(second.x1 + second.x2 - first.x1 - first.x2) < 2
    assert overlapping(boxes) == []


def test_the_screen_chart_keeps_one_line_names(business) -> None:
    jmap = jl.build_journey_map(business)
    spec = journey_map_chart(jmap.stages, jmap.touchpoints).to_dict()
    assert "name_1" not in json.dumps(spec)


def test_workshop_handout_takes_the_map_or_builds_the_default(business) -> None:
    jmap = jl.build_journey_map(business, top=2)
    with_map = handout_pages(business, jmap)
    default = handout_pages(business)
    assert with_map[1].reading == describe_map(jmap)
    assert default[1].reading == describe_map(jl.build_journey_map(business))
    assert workshop_handout(business, jmap, paper="letter").startswith(b"%PDF")
