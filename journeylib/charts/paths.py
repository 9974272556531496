"""Charts of the Journeys page: the stage-to-stage flow as a heat map."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.charts.base import check_small, localized, wrapped_labels
from journeylib.i18n import label, t


def transitions_heatmap(frame: pd.DataFrame, stages: list[str]):
    """Heat map of customers moving from one stage (rows) to another (columns), with counts.

    Cells right of the diagonal are moves forward (skips further right), cells left of it are
    moves back. Texts are in the current language. ``frame`` is the output of
    :func:`journeylib.paths.stage_transitions`.
    """
    check_small(frame)
    frame = frame.assign(direction_label=[label(d) for d in frame["direction"]])
    seen = set(frame["from_stage"]) | set(frame["to_stage"])
    order = [s for s in stages if s in seen] + sorted(seen - set(stages))
    base = alt.Chart(frame).encode(
        x=alt.X(
            "to_stage:N",
            sort=order,
            title=t("journeys.chart.to_stage"),
            scale=alt.Scale(domain=order),
            axis=alt.Axis(labelAngle=0, labelExpr=wrapped_labels(order), labelLimit=200),
        ),
        y=alt.Y(
            "from_stage:N",
            sort=order,
            title=t("journeys.chart.from_stage"),
            scale=alt.Scale(domain=order),
        ),
        tooltip=[
            alt.Tooltip("from_stage:N", title=t("journeys.chart.from")),
            alt.Tooltip("to_stage:N", title=t("journeys.chart.to")),
            alt.Tooltip("direction_label:N", title=t("journeys.chart.direction")),
            alt.Tooltip("customers:Q", title=t("journeys.chart.customers"), format=","),
            alt.Tooltip("moves:Q", title=t("journeys.chart.moves"), format=","),
        ],
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "customers:Q",
            title=t("journeys.chart.customers_count"),
            scale=alt.Scale(scheme="blues", type="log"),
        )
    )
    # Dark text on pale cells, white on dark ones.
    middle = float(frame["customers"].max()) ** 0.5 if len(frame) else 1.0
    text = base.mark_text(fontSize=13).encode(
        text=alt.Text("customers:Q", format=","),
        color=alt.condition(alt.datum.customers > middle, alt.value("white"), alt.value("black")),
    )
    title = alt.Title(t("journeys.chart.title"), subtitle=t("journeys.chart.subtitle"))
    return localized(alt.layer(cells, text).properties(height=320, title=title))
