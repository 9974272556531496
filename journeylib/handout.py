"""The workshop handout: the journey map and the key charts, one per page of a PDF."""

from __future__ import annotations

import altair as alt

from journeylib.attribution import attribution
from journeylib.charts.attribution import attribution_chart
from journeylib.charts.emotion import emotion_curve_chart, moments_chart
from journeylib.charts.funnel import funnel_chart
from journeylib.dataset import Dataset
from journeylib.emotion import emotion_curve
from journeylib.errors import DataError
from journeylib.export import footnote, handout_pdf
from journeylib.funnel import funnel
from journeylib.i18n import filters_text
from journeylib.moments import moments_of_truth

HANDOUT_MODELS = ("last_touch", "linear", "markov", "shapley")


def handout_charts(ds: Dataset, journey_map: alt.TopLevelMixin) -> list[alt.TopLevelMixin]:
    """The journey map, then the funnel, the emotion curve by stage, moments of truth for
    purchase and attribution (last touch, linear, Markov, Shapley); a chart the data cannot
    support (no stages, no emotions, no conversions) is left out."""
    charts = [journey_map]
    makers = (
        lambda: funnel_chart(funnel(ds)),
        lambda: emotion_curve_chart(emotion_curve(ds, "stage"), "stage"),
        lambda: moments_chart(moments_of_truth(ds, "purchase"), "purchase"),
        lambda: attribution_chart(attribution(ds, HANDOUT_MODELS, n_boot=0), "conversions"),
    )
    for make in makers:
        try:
            charts.append(make())
        except (DataError, ValueError):
            continue
    return charts


def workshop_handout(ds: Dataset, journey_map: alt.TopLevelMixin) -> bytes:
    """The handout as PDF bytes, every page naming the data and its filters."""
    return handout_pdf(
        handout_charts(ds, journey_map), footnote=footnote(ds.name, filters_text(ds.filters))
    )
