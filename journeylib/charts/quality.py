"""Charts of the Data page: touchpoints over time."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.charts.base import PALETTE, check_small


def touchpoints_over_time_chart(frame: pd.DataFrame, stages: list[str], freq: str = "week"):
    """Stacked bars of touchpoints per period, coloured by stage in journey order.

    ``frame`` is the output of :func:`journeylib.quality.touchpoints_over_time`.
    """
    check_small(frame)
    order = list(stages) + sorted(set(frame["stage"]) - set(stages))
    return (
        alt.Chart(
            frame,
            title=alt.Title(
                f"Touchpoints per {freq}",
                subtitle="Gaps or spikes here usually mean missing or duplicated exports.",
            ),
        )
        .mark_bar()
        .encode(
            x=alt.X(
                "period_start:O",
                title=f"{freq.capitalize()} starting (UTC)",
                timeUnit="yearmonthdate",
                axis=alt.Axis(format="%d %b %Y", labelAngle=-45, labelOverlap=True),
            ),
            y=alt.Y("touchpoints:Q", title="Touchpoints (rows)", stack=True),
            color=alt.Color(
                "stage:N",
                title="Stage",
                sort=order,
                scale=alt.Scale(domain=order, range=PALETTE[: len(order)] or None),
            ),
            order=alt.Order("stage_rank:Q"),
            tooltip=[
                alt.Tooltip("period_start:T", title=f"{freq.capitalize()} starting"),
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("touchpoints:Q", title="Touchpoints", format=","),
                alt.Tooltip("customers:Q", title="Customers", format=","),
            ],
        )
        .transform_calculate(stage_rank=f"indexof({order!r}, datum.stage)")
        .properties(height=280)
    )
