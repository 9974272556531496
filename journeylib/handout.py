"""The workshop handout: a cover (data, filters, date, conversion rule, language), then the
journey map and the key charts, one analysis a page under its one-line reading, with page
numbers, on A4 or Letter landscape."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import altair as alt
import pandas as pd

from journeylib import i18n
from journeylib.attribution import attribution, describe_disagreement
from journeylib.charts.attribution import attribution_chart
from journeylib.charts.emotion import emotion_curve_chart, moments_chart
from journeylib.charts.funnel import funnel_chart
from journeylib.charts.journey_map import journey_map_chart
from journeylib.dataset import Dataset
from journeylib.emotion import describe_curve, emotion_curve
from journeylib.errors import DataError
from journeylib.export import (
    TYPE,
    Page,
    content_box,
    fit,
    footnote,
    handout_pdf,
    wrap_text,
)
from journeylib.funnel import describe_funnel, funnel
from journeylib.i18n import filters_text, t
from journeylib.i18n.formats import date
from journeylib.journey_map import JourneyMap, build_journey_map, describe_map, map_note
from journeylib.journeys import conversion_rule
from journeylib.moments import describe_moment, moments_of_truth

HANDOUT_MODELS = ("last_touch", "linear", "markov", "shapley")
# Bootstrap resamples of the attribution page: as many as the Attribution page draws.
HANDOUT_BOOTSTRAP = 200
PAGES = ("journey_map", "funnel", "emotion_curve", "moments", "attribution")
# The journey map page: its type scale, chosen so that the smallest card text (the owner and
# KPI lines, 12 px at scale 1) prints at MAP_MIN_PT; the map is drawn at its size (never
# shrunk), so it prints at these sizes.
MAP_SCALE = 0.7
MAP_MIN_PT = 8
# A handout page's smallest text (pt), printed: the footer's 9 pt, axis labels 10 pt.
MIN_PRINTED_PT = 8
# The map page's rows at scale 1: the feeling row's height, at most so many quote lines and
# lines of a card's name (shorter than on screen: a page has no room to scroll).
MAP_CURVE_HEIGHT = 70
# A flatter feeling row, when that makes room for one more card in each stage.
MAP_CURVE_LOW = 45
MAP_QUOTE_LINES = 2
MAP_NAME_LINES = 2


def _page_touchpoints(touchpoints: pd.DataFrame, per_stage: int) -> pd.DataFrame:
    """At most ``per_stage`` cards of each stage: moments of truth first, then pain points,
    delight points and the rest, each by customers (the map's ``rank``); kept in the map's
    order and ranked anew."""
    weight = (touchpoints["moment_of_truth"].eq("").astype(int) * 4
              + touchpoints["flag"].map({"pain": 0, "delight": 1}).fillna(2).astype(int))
    order = touchpoints.assign(_weight=weight).sort_values(["stage", "_weight", "rank"],
                                                           kind="stable")
    keep = order.groupby("stage").head(per_stage).index
    out = touchpoints.loc[touchpoints.index.isin(keep)].copy()
    out["rank"] = out.groupby("stage", sort=False).cumcount()
    return out


def _left_out_note(touchpoints: pd.DataFrame, shown: pd.DataFrame, stages: list[str]) -> str:
    """The legend line naming how many touchpoints (in which stages) the page leaves out."""
    missing = touchpoints.loc[~touchpoints.index.isin(shown.index), "stage"].value_counts()
    if missing.empty:
        return ""
    where = ", ".join(f"{s} {int(missing[s])}" for s in stages if s in missing)
    return t("handout.map_left_out", n=int(missing.sum()), stages=where)


def journey_map_page(jmap: JourneyMap, box: tuple[float, float]
                     ) -> tuple[alt.TopLevelMixin, int]:
    """The journey map drawn for a handout page's content ``box`` (pt), not shrunk to it: type
    of :data:`MAP_SCALE` (cards' smallest text :data:`MAP_MIN_PT` pt), the stages' columns
    sharing the box's width, card names on up to two lines, and in each stage as many cards as
    the box's height holds (★, pain and delight first; the feeling row flatter when that
    makes room for one more); a legend line says how many
    touchpoints are left out. Returns the chart and that number."""
    stages = jmap.stages["stage"].tolist()
    n = max(len(stages), 1)
    per_stage_max = int(jmap.touchpoints.groupby("stage").size().max()) \
        if len(jmap.touchpoints) else 0
    sample = map_note(jmap)

    def build(column_width: int, per_stage: int, quote_lines: int,
              curve: int = MAP_CURVE_HEIGHT) -> tuple[alt.TopLevelMixin, pd.DataFrame]:
        shown = _page_touchpoints(jmap.touchpoints, per_stage)
        note = " ".join(filter(None, [_left_out_note(jmap.touchpoints, shown, stages),
                                      sample]))
        chart = journey_map_chart(jmap.stages, shown, column_width=column_width,
                                  scale=MAP_SCALE, note=note, name_lines=MAP_NAME_LINES,
                                  quote_lines=quote_lines, curve_height=curve)
        return chart, shown

    def size(chart: alt.TopLevelMixin) -> tuple[float, float]:
        return fit(chart, box).chart_size

    # The plot's width grows by n px for each px of column width: one drawing, wide enough
    # for the plot (not the legend, wrapped to the box) to set the canvas, finds it.
    probe = max(40, int((box[0] - 140) / n))
    column, quote_lines = probe, MAP_QUOTE_LINES
    # Texts wider than their column (a long word) may widen the canvas: a few drawings more.
    for _ in range(4):
        width = size(build(column, min(per_stage_max, 1), quote_lines)[0])[0]
        if box[0] - 2 * n <= width <= box[0]:
            break
        column = max(40, column + math.floor((box[0] - width) / n))
    # The height grows by a card row for each card more a stage shows: two drawings find how
    # many fit; fewer quote lines when not even one row does.
    per_stage = max(per_stage_max, 1)
    one = size(build(column, min(per_stage_max, 1), quote_lines)[0])[1]
    while one > box[1] and quote_lines > 1:
        quote_lines -= 1
        one = size(build(column, min(per_stage_max, 1), quote_lines)[0])[1]
    if per_stage_max > 1:
        two = size(build(column, 2, quote_lines)[0])[1]
        row = max(two - one, 1.0)
        per_stage = min(per_stage_max, max(1, 1 + int((box[1] - one) // row)))
    while True:
        chart, shown = build(column, per_stage, quote_lines)
        drawn = size(chart)
        if (drawn[0] <= box[0] and drawn[1] <= box[1]) or per_stage <= 1:
            break
        per_stage -= 1
    if per_stage < per_stage_max and drawn[1] <= box[1]:
        flatter = build(column, per_stage + 1, quote_lines, MAP_CURVE_LOW)
        low = size(flatter[0])
        if low[0] <= box[0] and low[1] <= box[1]:
            chart, shown = flatter
    return chart, len(jmap.touchpoints) - len(shown)


def _map_box(paper: str, reading: str) -> tuple[float, float]:
    """The content box of a handout page of ``paper`` under ``reading`` (as the page wraps
    it)."""
    inner = content_box(paper)[0]
    lines = len(wrap_text(reading, TYPE["reading"], inner, True)) if reading else 0
    return content_box(paper, lines)


def _funnel(ds: Dataset):
    frame = funnel(ds)
    return funnel_chart(frame), describe_funnel(frame)


def _emotion_curve(ds: Dataset):
    curve = emotion_curve(ds, "stage")
    return emotion_curve_chart(curve, "stage"), describe_curve(curve, "stage")


def _moments(ds: Dataset):
    moments = moments_of_truth(ds, "purchase")
    return moments_chart(moments, "purchase"), describe_moment(moments, "purchase")


def _attribution(ds: Dataset):
    result = attribution(ds, HANDOUT_MODELS, n_boot=HANDOUT_BOOTSTRAP)
    if result.empty:
        raise ValueError("nothing to attribute")
    return attribution_chart(result, "conversions"), describe_disagreement(result)


MAKERS: dict[str, Callable[[Dataset], tuple[alt.TopLevelMixin, str]]] = {
    "funnel": _funnel,
    "emotion_curve": _emotion_curve,
    "moments": _moments,
    "attribution": _attribution,
}


MapInput = JourneyMap | alt.TopLevelMixin | None


def analysis_pages(ds: Dataset, journey_map: MapInput = None, map_reading: str | None = None,
                   paper: str = "a4") -> list[tuple[str, Page]]:
    """``(kind, page)`` for the journey map and each analysis of :data:`PAGES` the data can
    support (no stages, no emotions, no conversions: that page is left out), each chart with
    its one-line reading in the current language.

    ``journey_map``: the :class:`JourneyMap` the Journey map page shows (None: the map built
    with default settings), drawn for the page of ``paper`` by :func:`journey_map_page`; a
    chart given instead is printed as it is, shrunk to the page as a whole. ``map_reading``:
    the sentence the Journey map page shows for that map (default: :func:`describe_map` of
    the map, or of the default map for a chart)."""
    if journey_map is None:
        try:
            journey_map = build_journey_map(ds)
        except (DataError, ValueError):
            journey_map = None
    if map_reading is None:
        try:
            map_reading = describe_map(journey_map if isinstance(journey_map, JourneyMap)
                                       else build_journey_map(ds))
        except (DataError, ValueError):
            map_reading = ""
    pages = []
    if isinstance(journey_map, JourneyMap):
        if len(journey_map.stages):
            chart, _ = journey_map_page(journey_map, _map_box(paper, map_reading))
            pages.append(("journey_map", Page(chart=chart, reading=map_reading)))
    elif journey_map is not None:
        pages.append(("journey_map", Page(chart=journey_map, reading=map_reading)))
    for kind, make in MAKERS.items():
        try:
            chart, reading = make(ds)
        except (DataError, ValueError):
            continue
        pages.append((kind, Page(chart=chart, reading=reading)))
    return pages


def cover(ds: Dataset, kinds: list[str], today: dt.date | None = None) -> Page:
    """The cover page: the data's name, its filters, the date, the conversion rule and the
    language, then what the following pages show, in the current language."""
    lang = i18n.get_language()
    rule = conversion_rule(ds)
    lines = (
        ("title", t("handout.title")),
        ("heading", ds.name),
        ("gap", ""),
        ("body", t("report.filters", filters=filters_text(ds.filters) or t("report.no_filters"))),
        ("body", t("handout.made", day=date(today or dt.date.today()))),
        ("body", t("handout.conversion", rule=t(f"data.conversion.rule.{rule}"))),
        ("body", t("handout.language", language=i18n.LANGUAGES[lang])),
        ("gap", ""),
        ("heading", t("handout.contents")),
        *(("body", t("handout.contents_line", page=n, name=t(f"handout.page.{kind}")))
          for n, kind in enumerate(kinds, start=2)),
    )
    return Page(lines=lines)


def handout_pages(ds: Dataset, journey_map: MapInput = None, *,
                  map_reading: str | None = None, today: dt.date | None = None,
                  paper: str = "a4") -> list[Page]:
    """The handout's pages for ``paper``: :func:`cover`, then :func:`analysis_pages`."""
    analyses = analysis_pages(ds, journey_map, map_reading, paper)
    return [cover(ds, [kind for kind, _ in analyses], today), *(p for _, p in analyses)]


def handout_charts(ds: Dataset, journey_map: MapInput = None, paper: str = "a4"
                   ) -> list[alt.TopLevelMixin]:
    """The charts of the handout, in page order (the journey map first)."""
    return [page.chart for _, page in analysis_pages(ds, journey_map, "", paper)]


def workshop_handout(ds: Dataset, journey_map: MapInput = None, *, paper: str = "a4",
                     map_reading: str | None = None, lang: str | None = None) -> bytes:
    """The handout as PDF bytes on ``paper`` (``"a4"`` or ``"letter"``, landscape), worded
    in ``lang`` (default: the current language), every page naming the data and its filters
    and carrying its number. ``journey_map``: the page's :class:`JourneyMap` (drawn for the
    paper), None for the default one, or a chart (printed shrunk to the page)."""
    with i18n.language(lang or i18n.get_language()):
        pages = handout_pages(ds, journey_map, map_reading=map_reading, paper=paper)
        return handout_pdf(pages, footnote=footnote(ds.name, filters_text(ds.filters)),
                           paper=paper)
