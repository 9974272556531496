"""Chart of the normative-path section: conversion by journey against the intended path."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.charts.base import PALETTE, check_small, localized
from journeylib.i18n import t

WIDTH = 640


def conformance_chart(frame: pd.DataFrame, width: int = WIDTH):
    """Horizontal bars of conversion (0..1) per kind, with the 95% interval as a rule; the
    customers who followed the path in the first colour, the deviations in the second. Kinds
    without customers are left out. ``frame`` is :func:`journeylib.normative.path_conformance`;
    texts are in the current language, the width explicit (``width`` pixels)."""
    check_small(frame)
    frame = frame[frame["customers"] > 0].copy()
    frame["label"] = [t(f"normative.kind.{k}") for k in frame["kind"]]
    frame["followed"] = frame["kind"] == "followed"
    order = list(frame["label"])
    y = alt.Y("label:N", sort=order, title=t("normative.chart.kind"),
              axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip("label:N", title=t("normative.chart.kind")),
        alt.Tooltip("conversion_rate:Q", title=t("normative.chart.conversion"), format=".1%"),
        alt.Tooltip("conversion_low:Q", title=t("normative.chart.low"), format=".1%"),
        alt.Tooltip("conversion_high:Q", title=t("normative.chart.high"), format=".1%"),
        alt.Tooltip("customers:Q", title=t("normative.chart.customers"), format=","),
    ]
    base = alt.Chart(frame).encode(y=y, tooltip=tooltip)
    bars = base.mark_bar().encode(
        x=alt.X("conversion_rate:Q", title=t("normative.chart.conversion"),
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("followed:N", scale=alt.Scale(domain=[True, False],
                                                      range=[PALETTE[2], PALETTE[0]]),
                        legend=None),
    )
    rules = base.mark_rule(color="black", strokeWidth=2).encode(
        x="conversion_low:Q", x2="conversion_high:Q")
    title = alt.Title(t("normative.chart.title"), subtitle=t("normative.chart.subtitle"))
    chart = alt.layer(bars, rules).properties(width=width, height=alt.Step(32), title=title)
    return localized(chart)
