"""Chart of the funnel correlation: odds ratios with their intervals, on a log scale."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.charts.base import PALETTE, check_small, localized
from journeylib.i18n import t

# Rows drawn: the most significant; the table beside the chart has the rest.
SHOWN = 20
DIRECTION_COLOURS = {"over": PALETTE[2], "under": PALETTE[5], "even": "#999999"}


def correlation_chart(frame: pd.DataFrame, shown: int = SHOWN):
    """Odds ratio of converting per value (point) with its 95% interval (rule), log scale,
    a line at 1 (no association); values over-represented among converters in green, under-
    represented in orange, not significant (q ≥ 0.05) faded. Texts in the current language.

    ``frame`` is the output of :func:`journeylib.correlation.funnel_correlation`; its first
    ``shown`` rows are drawn, in its order.
    """
    check_small(frame)
    data = frame.head(shown).copy()
    data["item"] = [
        f"{t(f'correlation.property.{p}')}: {v}"
        for p, v in zip(data["property"], data["value"], strict=True)
    ]
    data["direction_label"] = [t(f"correlation.direction.{d}") for d in data["direction"]]
    order = data["item"].tolist()
    scale = alt.Scale(type="log")
    y = alt.Y("item:N", sort=order, title=None, axis=alt.Axis(labelLimit=240))
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
            height=max(120, 22 * len(data)),
            title=alt.Title(t("correlation.chart.title"), subtitle=t("correlation.chart.subtitle")),
        )
    )
