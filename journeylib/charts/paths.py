"""Charts of the Journeys page: the stage-to-stage flow as a heat map."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.charts.base import check_small


def transitions_heatmap(frame: pd.DataFrame, stages: list[str]):
    """Heat map of customers moving from one stage (rows) to another (columns), with counts.

    Cells right of the diagonal are moves forward (skips further right), cells left of it are
    moves back. ``frame`` is the output of :func:`journeylib.paths.stage_transitions`.
    """
    check_small(frame)
    seen = set(frame["from_stage"]) | set(frame["to_stage"])
    order = [s for s in stages if s in seen] + sorted(seen - set(stages))
    base = alt.Chart(frame).encode(
        x=alt.X(
            "to_stage:N",
            sort=order,
            title="To stage",
            scale=alt.Scale(domain=order),
            axis=alt.Axis(labelAngle=0),
        ),
        y=alt.Y("from_stage:N", sort=order, title="From stage", scale=alt.Scale(domain=order)),
        tooltip=[
            alt.Tooltip("from_stage:N", title="From"),
            alt.Tooltip("to_stage:N", title="To"),
            alt.Tooltip("direction:N", title="Direction"),
            alt.Tooltip("customers:Q", title="Customers", format=","),
            alt.Tooltip("moves:Q", title="Moves", format=","),
        ],
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "customers:Q",
            title="Customers (count)",
            scale=alt.Scale(scheme="blues", type="log"),
        )
    )
    # Dark text on pale cells, white on dark ones.
    middle = float(frame["customers"].max()) ** 0.5 if len(frame) else 1.0
    text = base.mark_text(fontSize=13).encode(
        text=alt.Text("customers:Q", format=","),
        color=alt.condition(alt.datum.customers > middle, alt.value("white"), alt.value("black")),
    )
    title = alt.Title(
        "Moves between stages",
        subtitle="Customers who went from the row's stage straight to the column's stage.",
    )
    return alt.layer(cells, text).properties(height=320, title=title)
