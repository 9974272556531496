"""Charts of the Funnel page: the funnel, time to convert and conversion by entry cohort."""

from __future__ import annotations

import json
import math

import altair as alt
import pandas as pd

from journeylib.charts.base import (
    PALETTE,
    check_small,
    localized,
    period_dates,
    period_tooltip,
    period_x,
    wrap_words,
    wrapped_labels,
)
from journeylib.funnel import breakdown_label
from journeylib.i18n import formats, label, t
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
        data = data.assign(
            group=[breakdown_label(v) for v in data["breakdown"]],
            # Each group's conversion from its own first step, by the one share rule.
            share_label=[
                "" if s == 1 else formats.share(float(c))
                for s, c in zip(data["step"], data["conversion_from_start"], strict=True)
            ],
        )
        groups = list(dict.fromkeys(data["group"]))
        top = float(data["customers"].max()) if len(data) else 0.0
        base = alt.Chart(data).encode(
            x=x,
            xOffset=alt.XOffset("group:N", sort=groups),
            tooltip=[alt.Tooltip("group:N", title=t("funnel.chart.group")), *tooltip],
        )
        bars = base.mark_bar().encode(
            y=alt.Y("customers:Q", title=y_title,
                    scale=alt.Scale(domainMax=top * 1.18 if top else alt.Undefined)),
            color=alt.Color(
                "group:N",
                title=t("funnel.chart.group"),
                sort=groups,
                scale=alt.Scale(range=[*PALETTE, "#999999"]),
                legend=alt.Legend(labelLimit=260),
            ),
        )
        # Narrow bars (many groups) carry their share upright so neighbours never overlap.
        upright = len(groups) > 3
        shares = base.mark_text(
            fontSize=10 if upright else 11, angle=270 if upright else 0,
            align="left" if upright else "center", baseline="middle" if upright else "bottom",
            dx=3 if upright else 0, dy=0 if upright else -3,
        ).encode(y="customers:Q", text=alt.Text("share_label:N"))
        return localized(
            alt.layer(bars, shares).properties(
                height=380,
                title=alt.Title(
                    t("funnel.chart.by_group_title"), subtitle=t("funnel.chart.by_group_subtitle")
                ),
            )
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


def _bin_position(hours: float, starts: list[float], ends: list[float]) -> float | None:
    """Where ``hours`` falls on the bin axis: bin ``i`` spans ``[i, i + 1)``, the value placed
    linearly inside its bin (the middle of the open last bin). None for a missing value."""
    if hours is None or math.isnan(hours):
        return None
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        if hours < b or i == len(starts) - 1:
            if math.isinf(b):
                return i + 0.5
            return i + min(max((hours - a) / (b - a), 0.0), 1.0) if b > a else i + 0.5
    return None


def time_to_convert_chart(frame: pd.DataFrame, from_stage: str, to_stage: str):
    """Bars of customers per time bin between two steps, with the median and the 90th
    percentile marked where they fall, texts in the current language.

    ``frame`` is the output of :func:`journeylib.conversion.time_to_convert` (its ``bin``
    column holds codes or words; :func:`journeylib.i18n.label` words the codes).
    """
    from journeylib.conversion import format_hours

    check_small(frame)
    data = frame.reset_index(drop=True)
    names = [label(b) for b in data["bin"]]
    data = data.assign(bin_label=names, x0=data.index + 0.08, x1=data.index + 0.92)
    lines = [wrap_words(name, 14) for name in names]
    axis = alt.Axis(
        values=[i + 0.5 for i in range(len(data))],
        labelExpr=f"{json.dumps(lines, ensure_ascii=False)}[floor(datum.value)] || ''",
        labelAngle=0, grid=False, labelLimit=200,
    )
    scale = alt.Scale(domain=[0, max(len(data), 1)], nice=False, zero=False)
    y_top = float(data["customers"].max()) if len(data) else 0.0
    bars = alt.Chart(data).mark_rect(color=PALETTE[0]).encode(
        x=alt.X("x0:Q", title=t("funnel.chart.time_axis"), axis=axis, scale=scale),
        x2="x1:Q",
        y=alt.Y("customers:Q", title=t("funnel.chart.customers_count"),
                scale=alt.Scale(domainMin=0,
                                domainMax=y_top * 1.25 if y_top else alt.Undefined)),
        y2=alt.datum(0),
        tooltip=[
            alt.Tooltip("bin_label:N", title=t("funnel.chart.time_taken")),
            alt.Tooltip("customers:Q", title=t("funnel.chart.customers"), format=","),
            alt.Tooltip("share:Q", title=t("funnel.chart.share"), format=".1%"),
        ],
    )
    starts = [float(v) for v in data["bin_start_hours"]]
    ends = [float(v) for v in data["bin_end_hours"]]
    marks = []
    for column, key, colour, dy in (("median_hours", "median_marker", "#333333", 0),
                                    ("p90_hours", "p90_marker", "#D55E00", 16)):
        if column not in data.columns or not len(data):
            continue
        hours = float(data[column].iloc[0])
        where = _bin_position(hours, starts, ends)
        if where is None:
            continue
        marks.append({"x": where, "text": t(f"funnel.chart.{key}", duration=format_hours(hours)),
                      "colour": colour, "dy": dy})
    layers = [bars]
    if marks:
        marker_data = pd.DataFrame(marks)
        base = alt.Chart(marker_data)
        layers.append(base.mark_rule(strokeDash=[5, 3], strokeWidth=2).encode(
            x=alt.X("x:Q", scale=scale), color=alt.Color("colour:N", scale=None),
            tooltip=alt.Tooltip("text:N", title=t("funnel.chart.marker"))))
        # Labels at the top of the plot, to the right of their rule (left of it past the
        # middle, so the slow tail's label stays inside the plot).
        for row in marks:
            right = row["x"] < len(data) * 0.6
            layers.append(alt.Chart(pd.DataFrame([row])).mark_text(
                align="left" if right else "right", dx=5 if right else -5, dy=row["dy"],
                baseline="top", fontSize=11, fontWeight="bold", color=row["colour"],
            ).encode(x=alt.X("x:Q", scale=scale), y=alt.value(2), text=alt.Text("text:N")))
    return localized(
        alt.layer(*layers).properties(
            height=380,
            title=alt.Title(
                t("funnel.chart.time_title", first=from_stage, last=to_stage),
                subtitle=t("funnel.chart.time_subtitle"),
            ),
        )
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
    from journeylib.conversion import MIN_COHORT

    complete, young = t("funnel.chart.cohort_complete"), t("funnel.chart.cohort_young")
    small = t("funnel.chart.cohort_small", n=MIN_COHORT)
    big = frame["entered"] >= MIN_COHORT
    # A cohort too small to read is drawn faded and off the line, whatever its age.
    data = frame.assign(
        period_start=period_dates(frame["period_start"]),
        had_time=[t("funnel.chart.yes") if c else t("funnel.chart.no") for c in frame["complete"]],
        cohort=[complete if c and b else young if b else small
                for c, b in zip(frame["complete"], big, strict=True)],
        on_line=frame["complete"] & big,
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
        base.transform_filter(alt.datum.on_line)
        .mark_line(color=PALETTE[0])
        .encode(x=x, y=y)
    )
    points = base.mark_point(size=45, strokeWidth=1.5, color=PALETTE[0]).encode(
        x=x,
        y=y,
        fill=alt.Fill(
            "cohort:N", title=t("funnel.chart.cohort"),
            scale=alt.Scale(domain=[complete, young, small],
                            range=[PALETTE[0], "#FFFFFF", "#DDDDDD"]),
            legend=alt.Legend(symbolStrokeColor=PALETTE[0], labelLimit=320),
        ),
        opacity=alt.condition(alt.datum.on_line, alt.value(1.0),
                              alt.value(0.6) if big.all() else alt.value(0.45)),
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
