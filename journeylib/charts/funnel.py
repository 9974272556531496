"""Charts of the Funnel page: the funnel, time to convert and conversion by entry cohort."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.charts.base import (
    PALETTE,
    check_small,
    localized,
    period_dates,
    period_tooltip,
    period_x,
    wrapped_labels,
)
from journeylib.funnel import breakdown_label
from journeylib.i18n import label, t
from journeylib.journeys import BUYER_JOURNEY, CUSTOMER_JOURNEY
from journeylib.timezones import axis_title

JOURNEY_COLOURS = {BUYER_JOURNEY: PALETTE[0], CUSTOMER_JOURNEY: PALETTE[2]}
LOST_COLOUR = "#BBBBBB"


def _step_labels(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        step_label=[f"{s}. {n}" for s, n in zip(frame["step"], frame["stage"], strict=True)]
    )


def _share_and_words(text: str) -> tuple[str, str]:
    """``"79% of previous"`` as ``("79%", "of previous")``: the share, then the words."""
    share, _, words = text.partition(" ")
    return share, words


def funnel_chart(frame: pd.DataFrame):
    """Bars of customers per step, coloured by part of the journey (buyer / customer), with
    the customers lost at each step shaded on top and the conversion from the previous step
    written above. With a ``breakdown`` column, grouped bars per breakdown value instead.
    Texts are in the current language.

    ``frame`` is the output of :func:`journeylib.funnel.funnel`.
    """
    check_small(frame)
    data = _step_labels(frame)
    order = list(dict.fromkeys(data["step_label"]))
    x = alt.X(
        "step_label:N",
        sort=order,
        title=t("funnel.chart.step"),
        axis=alt.Axis(labelAngle=0, labelLimit=220, labelExpr=wrapped_labels(order)),
    )
    y_title = t("funnel.chart.customers_count")
    tooltip = [
        alt.Tooltip("stage:N", title=t("funnel.chart.stage")),
        alt.Tooltip("customers:Q", title=t("funnel.chart.customers"), format=","),
        alt.Tooltip(
            "conversion_from_previous:Q", title=t("funnel.chart.from_previous"), format=".1%"
        ),
        alt.Tooltip("conversion_from_start:Q", title=t("funnel.chart.from_start"), format=".1%"),
        alt.Tooltip("drop_off:Q", title=t("funnel.chart.lost_here"), format=","),
        alt.Tooltip(
            "median_hours_from_previous:Q", title=t("funnel.chart.median_hours"), format=",.1f"
        ),
    ]
    if "breakdown" in data.columns:
        data = data.assign(group=[breakdown_label(v) for v in data["breakdown"]])
        groups = list(dict.fromkeys(data["group"]))
        return localized(
            alt.Chart(
                data,
                title=alt.Title(
                    t("funnel.chart.by_group_title"), subtitle=t("funnel.chart.by_group_subtitle")
                ),
            )
            .mark_bar()
            .encode(
                x=x,
                xOffset=alt.XOffset("group:N", sort=groups),
                y=alt.Y("customers:Q", title=y_title),
                color=alt.Color(
                    "group:N",
                    title=t("funnel.chart.group"),
                    sort=groups,
                    scale=alt.Scale(range=[*PALETTE, "#999999"]),
                ),
                tooltip=[alt.Tooltip("group:N", title=t("funnel.chart.group")), *tooltip],
            )
            .properties(height=340)
        )
    labels = [
        ("", "") if s == 1 else _share_and_words(t("funnel.chart.of_previous", share=float(c)))
        for s, c in zip(data["step"], data["conversion_from_previous"], strict=True)
    ]
    data = data.assign(
        top=data["customers"] + data["drop_off"],
        share_label=[share for share, _ in labels],
        words_label=[words for _, words in labels],
        part=[label(j) for j in data["journey"]],
    )
    present = set(data["journey"])
    parts = [p for p in JOURNEY_COLOURS if p in present]
    base = alt.Chart(data).encode(x=x)
    # Room above the tallest bar for its two-line label.
    room = alt.Scale(domainMax=float(data["top"].max()) * 1.12 if len(data) else alt.Undefined)
    kept = base.mark_bar().encode(
        y=alt.Y("customers:Q", title=y_title, scale=room),
        color=alt.Color(
            "part:N",
            title=t("funnel.chart.part"),
            legend=alt.Legend(labelLimit=260),
            sort=[label(p) for p in parts],
            scale=alt.Scale(
                domain=[label(p) for p in parts], range=[JOURNEY_COLOURS[p] for p in parts]
            ),
        ),
        tooltip=tooltip,
    )
    lost = base.mark_bar(color=LOST_COLOUR, opacity=0.5).encode(
        y="customers:Q", y2="top:Q", tooltip=tooltip
    )
    # Two lines, the share in bold over the words in small type ("79%" over "of previous"),
    # so neighbouring labels stay apart on narrow bars.
    labels = alt.layer(
        base.mark_text(dy=-19, fontSize=13, fontWeight="bold", baseline="bottom").encode(
            y="top:Q", text=alt.Text("share_label:N")),
        base.mark_text(dy=-5, fontSize=10, baseline="bottom").encode(
            y="top:Q", text=alt.Text("words_label:N")),
    )
    return localized(
        alt.layer(kept, lost, labels).properties(
            height=340,
            title=alt.Title(t("funnel.chart.title"), subtitle=t("funnel.chart.subtitle")),
        )
    )


def time_to_convert_chart(frame: pd.DataFrame, from_stage: str, to_stage: str):
    """Bars of customers per time bin between two steps, texts in the current language.

    ``frame`` is the output of :func:`journeylib.conversion.time_to_convert`.
    """
    check_small(frame)
    data = frame.assign(bin_label=[label(b) for b in frame["bin"]])
    order = data["bin_label"].tolist()
    return localized(
        alt.Chart(
            data,
            title=alt.Title(
                t("funnel.chart.time_title", first=from_stage, last=to_stage),
                subtitle=t("funnel.chart.time_subtitle"),
            ),
        )
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X(
                "bin_label:N",
                sort=order,
                title=t("funnel.chart.time_axis"),
                axis=alt.Axis(labelAngle=-30, labelLimit=160),
            ),
            y=alt.Y("customers:Q", title=t("funnel.chart.customers_count")),
            tooltip=[
                alt.Tooltip("bin_label:N", title=t("funnel.chart.time_taken")),
                alt.Tooltip("customers:Q", title=t("funnel.chart.customers"), format=","),
                alt.Tooltip("share:Q", title=t("funnel.chart.share"), format=".1%"),
            ],
        )
        .properties(height=280)
    )


def conversion_trend_chart(
    frame: pd.DataFrame, first: str, last: str, freq: str = "week", zone: str = "UTC"
):
    """Conversion by entry cohort above the customers entering each cohort (bars), texts in
    the current language; ``freq`` is ``"week"`` or ``"month"``; ``zone``: the time zone the
    cohorts were counted in, named on the date axis.

    The line joins only the cohorts that had time to convert (``complete``); the cohorts still
    converting are hollow points off the line (their conversion will still rise), and the
    legend and subtitle say so. The date axis is labelled at the cohorts' own starts (Mondays
    for weeks), the same dates in every browser time zone.

    ``frame`` is the output of :func:`journeylib.conversion.conversion_trend`.
    """
    check_small(frame)
    if freq not in ("week", "month"):
        raise ValueError(f"freq must be 'week' or 'month', not {freq!r}")
    complete, young = t("funnel.chart.cohort_complete"), t("funnel.chart.cohort_young")
    data = frame.assign(
        period_start=period_dates(frame["period_start"]),
        had_time=[t("funnel.chart.yes") if c else t("funnel.chart.no") for c in frame["complete"]],
        cohort=[complete if c else young for c in frame["complete"]],
    )
    fmt = "%d %b %Y" if freq == "week" else "%b %Y"
    x = period_x("period_start", frame["period_start"],
                 axis_title(t(f"funnel.chart.{freq}_of_entry"), zone), fmt, labelAngle=-30)
    tooltip = [
        period_tooltip("period_start", t(f"funnel.chart.{freq}_starting"), "%d %b %Y"),
        alt.Tooltip("entered:Q", title=t("funnel.chart.entering"), format=","),
        alt.Tooltip("converted:Q", title=t("funnel.chart.reached", stage=last), format=","),
        alt.Tooltip("conversion:Q", title=t("funnel.chart.conversion"), format=".1%"),
    ]
    y = alt.Y("conversion:Q", title=t("funnel.chart.conversion_axis"), axis=alt.Axis(format="%"))
    base = alt.Chart(data)
    line = (
        base.transform_filter(alt.datum.complete)
        .mark_line(color=PALETTE[0])
        .encode(x=x, y=y)
    )
    points = base.mark_point(size=45, strokeWidth=1.5, color=PALETTE[0]).encode(
        x=x,
        y=y,
        fill=alt.Fill(
            "cohort:N", title=t("funnel.chart.cohort"),
            scale=alt.Scale(domain=[complete, young], range=[PALETTE[0], "#FFFFFF"]),
            legend=alt.Legend(symbolStrokeColor=PALETTE[0]),
        ),
        opacity=alt.condition(alt.datum.complete, alt.value(1.0), alt.value(0.6)),
        tooltip=[*tooltip, alt.Tooltip("had_time:N", title=t("funnel.chart.had_time"))],
    )
    trend = alt.layer(line, points).properties(
        height=220,
        title=alt.Title(
            t(f"funnel.chart.trend_title_{freq}", first=first, last=last),
            subtitle=t("funnel.chart.trend_subtitle"),
        ),
    )
    bars = (
        alt.Chart(data, title=alt.Title(t("funnel.chart.entering_at", stage=first)))
        .mark_bar(color=PALETTE[4], size=12 if freq == "week" else 40)
        .encode(x=x, y=alt.Y("entered:Q", title=t("funnel.chart.customers_count")), tooltip=tooltip)
        .properties(height=110)
    )
    return localized(alt.vconcat(trend, bars).resolve_scale(x="shared"))
