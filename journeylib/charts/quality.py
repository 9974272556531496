"""Charts of the Data page: touchpoints over time."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.charts.base import PALETTE, check_small, localized
from journeylib.i18n import label, t
from journeylib.quality import NO_STAGE
from journeylib.timezones import axis_title


def touchpoints_over_time_chart(
    frame: pd.DataFrame, stages: list[str], freq: str = "week", zone: str = "UTC"
):
    """Stacked bars of touchpoints per period, coloured by stage in journey order, with texts
    in the current language; ``zone``: the time zone of the periods, named on the date axis.

    ``frame`` is the output of :func:`journeylib.quality.touchpoints_over_time`; ``freq`` is the
    period it was computed for (``"day"``, ``"week"`` or ``"month"``).
    """
    check_small(frame)
    # Touchpoints without a stage get the library's label, shown in the interface language.
    frame = frame.assign(stage=frame["stage"].replace(NO_STAGE, label(NO_STAGE)))
    order = list(stages) + sorted(set(frame["stage"]) - set(stages))
    starting = t(f"quality.chart.{freq}_starting")
    chart = (
        alt.Chart(
            frame,
            title=alt.Title(
                t(f"quality.chart.title_{freq}"), subtitle=t("quality.chart.subtitle")
            ),
        )
        .mark_bar()
        .encode(
            x=alt.X(
                "period_start:O",
                title=axis_title(t("quality.chart.x_title", period=starting), zone),
                timeUnit="yearmonthdate",
                axis=alt.Axis(
                    format=t("quality.chart.date_format"), labelAngle=-45, labelOverlap=True
                ),
            ),
            y=alt.Y("touchpoints:Q", title=t("quality.chart.y_title"), stack=True),
            color=alt.Color(
                "stage:N",
                title=t("quality.chart.stage"),
                sort=order,
                scale=alt.Scale(domain=order, range=PALETTE[: len(order)] or None),
            ),
            order=alt.Order("stage_rank:Q"),
            tooltip=[
                alt.Tooltip("period_start:T", title=starting,
                            format=t("quality.chart.date_format")),
                alt.Tooltip("stage:N", title=t("quality.chart.stage")),
                alt.Tooltip("touchpoints:Q", title=t("quality.chart.touchpoints"), format=","),
                alt.Tooltip("customers:Q", title=t("quality.chart.customers"), format=","),
            ],
        )
        .transform_calculate(stage_rank=f"indexof({order!r}, datum.stage)")
        .properties(height=280)
    )
    return localized(chart)
