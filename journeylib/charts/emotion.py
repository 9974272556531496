"""Charts of the Emotions page: emotion curve, emotion timeline and moments of truth."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.charts.base import PALETTE, check_small

NEGATIVE, POSITIVE, NEUTRAL = "#D55E00", "#009E73", "#0072B2"
_VALENCE_AXIS = alt.Axis(format="+.1f", title="Mean valence (-1 worst … +1 best)")


def emotion_curve_chart(curve: pd.DataFrame, by: str = "stage", height: int = 300):
    """The emotion curve: mean valence per stage/touchpoint/channel in journey order, with its
    95% interval as a band and points sized by the number of ratings.

    ``curve`` is the output of :func:`journeylib.emotion.emotion_curve`.
    """
    check_small(curve)
    data = curve.dropna(subset=["valence_mean"])
    order = data[by].tolist()
    x = alt.X(f"{by}:N", sort=order, title=by.capitalize(),
              axis=alt.Axis(labelAngle=0 if len(order) <= 6 else -35, labelLimit=160))
    tooltip = [
        alt.Tooltip(f"{by}:N", title=by.capitalize()),
        alt.Tooltip("valence_mean:Q", title="Mean valence", format="+.2f"),
        alt.Tooltip("ci_low:Q", title="95% CI from", format="+.2f"),
        alt.Tooltip("ci_high:Q", title="95% CI to", format="+.2f"),
        alt.Tooltip("n:Q", title="Ratings", format=","),
        alt.Tooltip("share_negative:Q", title="Negative", format=".0%"),
        alt.Tooltip("share_positive:Q", title="Positive", format=".0%"),
    ]
    base = alt.Chart(data)
    band = base.mark_area(opacity=0.18, color=NEUTRAL).encode(
        x=x, y=alt.Y("ci_low:Q", axis=_VALENCE_AXIS), y2="ci_high:Q"
    )
    line = base.mark_line(color=NEUTRAL, strokeWidth=3).encode(x=x, y="valence_mean:Q")
    points = base.mark_circle(color=NEUTRAL, opacity=1).encode(
        x=x,
        y="valence_mean:Q",
        size=alt.Size("n:Q", title="Ratings", scale=alt.Scale(range=[40, 600])),
        tooltip=tooltip,
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#888", strokeDash=[4, 4])
    zero = zero.encode(y="y:Q")
    return alt.layer(band, zero, line, points).properties(
        height=height,
        title=alt.Title(
            f"Emotion curve by {by}",
            subtitle="Line: mean valence; band: 95% interval; dot size: number of ratings.",
        ),
    )


def emotion_timeline_chart(timeline: pd.DataFrame, freq: str = "week", height: int = 300):
    """Mean valence per period with its 95% interval; one line per stage when the timeline has
    a ``stage`` column. Hollow dots: fewer ratings than the minimum; red dots: a dip whose
    interval lies below the other periods' mean.

    ``timeline`` is the output of :func:`journeylib.emotion.emotion_timeline`.
    """
    check_small(timeline)
    data = timeline.assign(
        marker=timeline["below_usual"].map({True: "below usual", False: "usual"})
        .where(~timeline["low_count"], "few ratings")
    )
    by_stage = "stage" in data.columns
    x = alt.X("period_start:T", title=f"{freq.capitalize()} starting (UTC)",
              axis=alt.Axis(format="%d %b %Y" if freq != "month" else "%b %Y", labelAngle=-35))
    y = alt.Y("valence_mean:Q", axis=_VALENCE_AXIS)
    tooltip = [
        alt.Tooltip("period_start:T", title=f"{freq.capitalize()} starting"),
        *([alt.Tooltip("stage:N", title="Stage")] if by_stage else []),
        alt.Tooltip("valence_mean:Q", title="Mean valence", format="+.2f"),
        alt.Tooltip("ci_low:Q", title="95% CI from", format="+.2f"),
        alt.Tooltip("ci_high:Q", title="95% CI to", format="+.2f"),
        alt.Tooltip("n:Q", title="Ratings", format=","),
        alt.Tooltip("marker:N", title="Note"),
    ]
    base = alt.Chart(data)
    if by_stage:
        stages = list(dict.fromkeys(data["stage"]))
        color = alt.Color("stage:N", title="Stage", sort=stages,
                          scale=alt.Scale(domain=stages, range=PALETTE[: len(stages)] or None))
        band = base.mark_area(opacity=0.12).encode(x=x, y="ci_low:Q", y2="ci_high:Q",
                                                   color=color)
        line = base.mark_line(strokeWidth=2).encode(x=x, y=y, color=color)
        points = base.mark_point(filled=True, size=45).encode(
            x=x, y=y, color=color, tooltip=tooltip,
            shape=alt.Shape("marker:N", title="Period",
                            scale=alt.Scale(domain=["usual", "below usual", "few ratings"],
                                            range=["circle", "triangle-down", "diamond"])),
        )
    else:
        band = base.mark_area(opacity=0.18, color=NEUTRAL).encode(x=x, y="ci_low:Q",
                                                                 y2="ci_high:Q")
        line = base.mark_line(color=NEUTRAL, strokeWidth=2).encode(x=x, y=y)
        points = base.mark_point(filled=True, size=70).encode(
            x=x, y=y, tooltip=tooltip,
            color=alt.Color("marker:N", title="Period",
                            scale=alt.Scale(domain=["usual", "below usual", "few ratings"],
                                            range=[NEUTRAL, NEGATIVE, "#BBBBBB"])),
        )
    return alt.layer(band, line, points).properties(
        height=height,
        title=alt.Title(
            f"Emotion per {freq}",
            subtitle="Band: 95% interval. A dip is marked only when its whole interval lies "
            "below the other periods' mean.",
        ),
    )


def moments_chart(moments: pd.DataFrame, outcome: str = "purchase", height: int | None = None):
    """Effect of a good rather than bad experience at each touchpoint on the outcome rate, as a
    dot with its 95% interval; touchpoints without enough data are left out (the table lists
    them).

    ``moments`` is the output of :func:`journeylib.moments.moments_of_truth`.
    """
    check_small(moments)
    data = moments[moments["status"] == "ok"].copy()
    data["direction"] = (data["effect"] >= 0).map(
        {True: "good experience helps", False: "good experience hurts"}
    )
    order = data["touchpoint"].tolist()
    y = alt.Y("touchpoint:N", sort=order, title=None, axis=alt.Axis(labelLimit=200))
    x_title = f"Effect on the {outcome} rate (points: good minus bad experience)"
    base = alt.Chart(data)
    color = alt.Color("direction:N", title=None,
                      scale=alt.Scale(domain=["good experience helps", "good experience hurts"],
                                      range=[NEUTRAL, NEGATIVE]))
    bars = base.mark_rule(strokeWidth=3).encode(
        y=y, x=alt.X("ci_low:Q", title=x_title, axis=alt.Axis(format="+.0%")), x2="ci_high:Q",
        color=color,
    )
    dots = base.mark_circle(size=120, opacity=1).encode(
        y=y, x="effect:Q", color=color,
        tooltip=[
            alt.Tooltip("touchpoint:N", title="Touchpoint"),
            alt.Tooltip("effect:Q", title="Effect", format="+.1%"),
            alt.Tooltip("ci_low:Q", title="95% CI from", format="+.1%"),
            alt.Tooltip("ci_high:Q", title="95% CI to", format="+.1%"),
            alt.Tooltip("outcome_rate_negative:Q", title="Rate after a bad one", format=".0%"),
            alt.Tooltip("outcome_rate_positive:Q", title="Rate after a good one", format=".0%"),
            alt.Tooltip("customers_negative:Q", title="Bad experiences", format=","),
            alt.Tooltip("opportunity:Q", title="Extra outcomes if fixed", format=",.0f"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#888").encode(x="x:Q")
    return alt.layer(zero, bars, dots).properties(
        height=height or max(120, 28 * len(order)),
        title=alt.Title(
            f"Moments of truth for {outcome}",
            subtitle="Dot: effect; line: 95% interval. Far from 0 = the experience there "
            "changes what customers do next.",
        ),
    )
