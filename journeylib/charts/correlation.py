"""Chart of the funnel correlation: odds ratios with their intervals, on a log scale."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from journeylib.charts.base import PALETTE, check_small, localized
from journeylib.i18n import t

# Rows drawn: the most significant; the table beside the chart has the rest.
SHOWN = 20
DIRECTION_COLOURS = {"over": PALETTE[2], "under": PALETTE[5], "even": "#999999"}
# Height of one row (px) and the width its label may take before it is cut with an ellipsis.
ROW_PX = 24
LABEL_PX = 260


def correlation_chart(frame: pd.DataFrame, shown: int = SHOWN):
    """Odds ratio of converting per value (point) with its 95% interval (rule), log scale,
    a line at 1 (no association); values over-represented among converters in green, under-
    represented in orange, not significant (q ≥ 0.05) faded. Texts in the current language.

    ``frame`` is the output of :func:`journeylib.correlation.funnel_correlation`; its first
    ``shown`` rows are drawn, in its order, one row of :data:`ROW_PX` px per property and value,
    each labelled "Property: value" (the y field is the row's rank, unique even when two labels
    read alike; the axis prints each rank's label, every label, none thinned out).
    """
    check_small(frame)
    data = frame.head(shown).reset_index(drop=True)
    data["rank"] = range(len(data))
    data["item"] = [
        f"{t(f'correlation.property.{p}')}: {v}"
        for p, v in zip(data["property"], data["value"], strict=True)
    ]
    data["direction_label"] = [t(f"correlation.direction.{d}") for d in data["direction"]]
    scale = alt.Scale(type="log")
    y = alt.Y("rank:O", sort="ascending", title=None, axis=alt.Axis(
        labelExpr=f"{json.dumps(data['item'].tolist())}[datum.value]", labelLimit=LABEL_PX,
        labelOverlap=False, labelFontSize=11, ticks=False, domain=False))
    colour = alt.Color(
        "direction:N",
        scale=alt.Scale(domain=list(DIRECTION_COLOURS), range=list(DIRECTION_COLOURS.values())),
        legend=None,
    )
    opacity = alt.condition(alt.datum.significant, alt.value(1.0), alt.value(0.35))
    tooltip = [
        alt.Tooltip("item:N", title=t("correlation.chart.value")),
        alt.Tooltip("odds_ratio:Q", title=t("correlation.chart.odds_ratio"), format=".2f"),
        alt.Tooltip("ci_low:Q", title=t("correlation.chart.ci_low"), format=".2f"),
        alt.Tooltip("ci_high:Q", title=t("correlation.chart.ci_high"), format=".2f"),
        alt.Tooltip("share_of_converters:Q", title=t("correlation.chart.converters"),
                    format=".1%"),
        alt.Tooltip("share_of_non_converters:Q", title=t("correlation.chart.non_converters"),
                    format=".1%"),
        alt.Tooltip("q_value:Q", title=t("correlation.chart.q_value"), format=".4f"),
        alt.Tooltip("direction_label:N", title=t("correlation.chart.direction")),
    ]
    base = alt.Chart(data)
    rules = base.mark_rule(strokeWidth=2).encode(
        y=y, x=alt.X("ci_low:Q", scale=scale, title=t("correlation.chart.axis")), x2="ci_high:Q",
        color=colour, opacity=opacity, tooltip=tooltip,
    )
    points = base.mark_point(filled=True, size=70).encode(
        y=y, x=alt.X("odds_ratio:Q", scale=scale), color=colour, opacity=opacity, tooltip=tooltip,
    )
    one = alt.Chart(pd.DataFrame({"one": [1.0]})).mark_rule(strokeDash=[4, 4], color="#666666")
    return localized(
        alt.layer(rules, points, one.encode(x="one:Q")).properties(
            height=alt.Step(ROW_PX),
            title=alt.Title(t("correlation.chart.title"), subtitle=t("correlation.chart.subtitle")),
        )
    )
