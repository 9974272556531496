"""Altair chart builders: aggregated DataFrame in, chart out (no Streamlit, no raw rows)."""

from __future__ import annotations

import altair as alt
import pandas as pd

# Colour-blind-safe categorical palette (Okabe-Ito), readable on a projector.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MAX_CHART_ROWS = 5000


def _check_small(frame: pd.DataFrame) -> None:
    if len(frame) > MAX_CHART_ROWS:
        raise ValueError(
            f"chart input has {len(frame):,} rows; aggregate before charting "
            f"(limit {MAX_CHART_ROWS:,})"
        )


def touchpoints_over_time_chart(frame: pd.DataFrame, stages: list[str], freq: str = "week"):
    """Stacked bars of touchpoints per period, coloured by stage in journey order.

    ``frame`` is the output of :func:`journeylib.quality.touchpoints_over_time`.
    """
    _check_small(frame)
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
