"""The workshop handout: a cover (data, filters, date, conversion rule, language), then the
journey map and the key charts, one analysis a page under its one-line reading, with page
numbers, on A4 or Letter landscape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import altair as alt

from journeylib import i18n
from journeylib.attribution import attribution, describe_disagreement
from journeylib.charts.attribution import attribution_chart
from journeylib.charts.emotion import emotion_curve_chart, moments_chart
from journeylib.charts.funnel import funnel_chart
from journeylib.dataset import Dataset
from journeylib.emotion import describe_curve, emotion_curve
from journeylib.errors import DataError
from journeylib.export import Page, footnote, handout_pdf
from journeylib.funnel import describe_funnel, funnel
from journeylib.i18n import filters_text, t
from journeylib.i18n.formats import date
from journeylib.journeys import conversion_rule
from journeylib.moments import describe_moment, moments_of_truth

HANDOUT_MODELS = ("last_touch", "linear", "markov", "shapley")
# Bootstrap resamples of the attribution page: as many as the Attribution page draws.
HANDOUT_BOOTSTRAP = 200
PAGES = ("journey_map", "funnel", "emotion_curve", "moments", "attribution")


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


def analysis_pages(ds: Dataset, journey_map: alt.TopLevelMixin, map_reading: str | None = None
                   ) -> list[tuple[str, Page]]:
    """``(kind, page)`` for the journey map and each analysis of :data:`PAGES` the data can
    support (no stages, no emotions, no conversions: that page is left out), each chart with
    its one-line reading in the current language. ``map_reading``: the sentence the Journey
    map page shows for ``journey_map`` (default: that of the map built with default
    settings)."""
    if map_reading is None:
        from journeylib.journey_map import build_journey_map, describe_map

        try:
            map_reading = describe_map(build_journey_map(ds))
        except (DataError, ValueError):
            map_reading = ""
    pages = [("journey_map", Page(chart=journey_map, reading=map_reading))]
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


def handout_pages(ds: Dataset, journey_map: alt.TopLevelMixin, *,
                  map_reading: str | None = None, today: dt.date | None = None) -> list[Page]:
    """The handout's pages: :func:`cover`, then :func:`analysis_pages`."""
    analyses = analysis_pages(ds, journey_map, map_reading)
    return [cover(ds, [kind for kind, _ in analyses], today), *(p for _, p in analyses)]


def handout_charts(ds: Dataset, journey_map: alt.TopLevelMixin) -> list[alt.TopLevelMixin]:
    """The charts of the handout, in page order (the journey map first)."""
    return [page.chart for _, page in analysis_pages(ds, journey_map, "")]


def workshop_handout(ds: Dataset, journey_map: alt.TopLevelMixin, *, paper: str = "a4",
                     map_reading: str | None = None, lang: str | None = None) -> bytes:
    """The handout as PDF bytes on ``paper`` (``"a4"`` or ``"letter"``, landscape), worded
    in ``lang`` (default: the current language), every page naming the data and its filters
    and carrying its number."""
    with i18n.language(lang or i18n.get_language()):
        pages = handout_pages(ds, journey_map, map_reading=map_reading)
        return handout_pdf(pages, footnote=footnote(ds.name, filters_text(ds.filters)),
                           paper=paper)
