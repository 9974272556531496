"""Charts of the Funnel page: the funnel, time to convert and conversion by entry cohort."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.charts.base import PALETTE, check_small
from journeylib.funnel import BUYER_JOURNEY, CUSTOMER_JOURNEY

JOURNEY_COLOURS = {BUYER_JOURNEY: PALETTE[0], CUSTOMER_JOURNEY: PALETTE[2]}
LOST_COLOUR = "#BBBBBB"


def _step_labels(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        step_label=[f"{s}. {n}" for s, n in zip(frame["step"], frame["stage"], strict=True)]
    )


def funnel_chart(frame: pd.DataFrame):
    """Bars of customers per step, coloured by part of the journey (buyer / customer), with
    the customers lost at each step shaded on top and the conversion from the previous step
    written above. With a ``breakdown`` column, grouped bars per breakdown value instead.

    ``frame`` is the output of :func:`journeylib.funnel.funnel`.
    """
    check_small(frame)
    data = _step_labels(frame)
    order = list(dict.fromkeys(data["step_label"]))
    x = alt.X(
        "step_label:N", sort=order, title="Funnel step", axis=alt.Axis(labelAngle=0, labelLimit=160)
    )
    y_title = "Customers (count)"
    tooltip = [
        alt.Tooltip("stage:N", title="Stage"),
        alt.Tooltip("customers:Q", title="Customers", format=","),
        alt.Tooltip("conversion_from_previous:Q", title="From previous step", format=".1%"),
        alt.Tooltip("conversion_from_start:Q", title="From step 1", format=".1%"),
        alt.Tooltip("drop_off:Q", title="Lost at this step", format=","),
        alt.Tooltip(
            "median_hours_from_previous:Q", title="Median hours from previous", format=",.1f"
        ),
    ]
    if "breakdown" in data.columns:
        groups = list(dict.fromkeys(data["breakdown"]))
        return (
            alt.Chart(
                data,
                title=alt.Title(
                    "Customers reaching each step, by group",
                    subtitle="Bars of one colour are one group.",
                ),
            )
            .mark_bar()
            .encode(
                x=x,
                xOffset=alt.XOffset("breakdown:N", sort=groups),
                y=alt.Y("customers:Q", title=y_title),
                color=alt.Color(
                    "breakdown:N",
                    title="Group",
                    sort=groups,
                    scale=alt.Scale(range=[*PALETTE, "#999999"]),
                ),
                tooltip=[alt.Tooltip("breakdown:N", title="Group"), *tooltip],
            )
            .properties(height=340)
        )
    data = data.assign(
        top=data["customers"] + data["drop_off"],
        label=[
            "" if s == 1 else f"{c:.0%} of previous"
            for s, c in zip(data["step"], data["conversion_from_previous"], strict=True)
        ],
    )
    parts = [p for p in JOURNEY_COLOURS if p in set(data["journey"])]
    base = alt.Chart(data).encode(x=x)
    kept = base.mark_bar().encode(
        y=alt.Y("customers:Q", title=y_title),
        color=alt.Color(
            "journey:N",
            title="Part of the journey",
            sort=parts,
            scale=alt.Scale(domain=parts, range=[JOURNEY_COLOURS[p] for p in parts]),
        ),
        tooltip=tooltip,
    )
    lost = base.mark_bar(color=LOST_COLOUR, opacity=0.5).encode(
        y="customers:Q", y2="top:Q", tooltip=tooltip
    )
    labels = base.mark_text(dy=-8, fontSize=13, fontWeight="bold").encode(y="top:Q", text="label:N")
    return alt.layer(kept, lost, labels).properties(
        height=340,
        title=alt.Title(
            "Customers reaching each step",
            subtitle="Grey: customers lost at that step. Labels: share of the previous step "
            "who went on.",
        ),
    )


def time_to_convert_chart(frame: pd.DataFrame, from_stage: str, to_stage: str):
    """Bars of customers per time bin between two steps.

    ``frame`` is the output of :func:`journeylib.conversion.time_to_convert`.
    """
    check_small(frame)
    order = frame["bin"].tolist()
    return (
        alt.Chart(
            frame,
            title=alt.Title(
                f"Time from {from_stage} to {to_stage}",
                subtitle="Customers who made the step, by time taken.",
            ),
        )
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X(
                "bin:N",
                sort=order,
                title="Time taken (hours, days, weeks)",
                axis=alt.Axis(labelAngle=-30),
            ),
            y=alt.Y("customers:Q", title="Customers (count)"),
            tooltip=[
                alt.Tooltip("bin:N", title="Time taken"),
                alt.Tooltip("customers:Q", title="Customers", format=","),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
        .properties(height=280)
    )


def conversion_trend_chart(frame: pd.DataFrame, first: str, last: str, freq: str = "week"):
    """Conversion by entry cohort (line) above the customers entering each cohort (bars).

    ``frame`` is the output of :func:`journeylib.conversion.conversion_trend`.
    """
    check_small(frame)
    x = alt.X(
        "period_start:T",
        title=f"{freq.capitalize()} of entry (UTC)",
        axis=alt.Axis(format="%d %b %Y", labelAngle=-30),
    )
    tooltip = [
        alt.Tooltip("period_start:T", title=f"{freq.capitalize()} starting", format="%d %b %Y"),
        alt.Tooltip("entered:Q", title="Customers entering", format=","),
        alt.Tooltip("converted:Q", title=f"Reached {last}", format=","),
        alt.Tooltip("conversion:Q", title="Conversion", format=".1%"),
    ]
    line = (
        alt.Chart(
            frame,
            title=alt.Title(
                f"Conversion from {first} to {last} by entry {freq}",
                subtitle="Faded points: recent cohorts, still converting.",
            ),
        )
        .mark_line(point=True, color=PALETTE[0])
        .encode(
            x=x,
            y=alt.Y("conversion:Q", title="Conversion (% of entering)", axis=alt.Axis(format="%")),
            opacity=alt.condition(alt.datum.complete, alt.value(1.0), alt.value(0.35)),
            tooltip=[*tooltip, alt.Tooltip("complete:N", title="Had time to convert")],
        )
        .properties(height=220)
    )
    bars = (
        alt.Chart(frame, title=alt.Title(f"Customers entering at {first}"))
        .mark_bar(color=PALETTE[4], size=12 if freq == "week" else 40)
        .encode(x=x, y=alt.Y("entered:Q", title="Customers (count)"), tooltip=tooltip)
        .properties(height=110)
    )
    return alt.vconcat(line, bars).resolve_scale(x="shared")
