"""Charts of the Emotions page: emotion curve, emotion timeline and moments of truth."""

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
    wrap_words,
    wrapped_labels,
)
from journeylib.i18n import t
from journeylib.moments import OUTCOMES, sample_note
from journeylib.timezones import axis_title

NEGATIVE, POSITIVE, NEUTRAL = "#D55E00", "#009E73", "#0072B2"
# Axis labels with a sign on both sides of zero and none on zero itself ("+0,1", "0,0", "−0,1").
UNSIGNED_ZERO = "datum.value > 0 ? '+' + format(datum.value, '{0}') : format(datum.value, '{0}')"


def _valence_axis() -> alt.Axis:
    # Two lines, so the title fits beside the plot in every language.
    # Ticks at least 0.1 apart: with one decimal, closer ticks print the same label twice.
    return alt.Axis(format="+.1f", tickMinStep=0.1, labelExpr=UNSIGNED_ZERO.format(".1f"),
                    title=[t("emotions.chart.valence_axis"), t("emotions.chart.valence_scale")])


def _interval_tooltips(fmt: str) -> list[alt.Tooltip]:
    return [alt.Tooltip("ci_low:Q", title=t("emotions.chart.ci_from"), format=fmt),
            alt.Tooltip("ci_high:Q", title=t("emotions.chart.ci_to"), format=fmt)]


def emotion_curve_chart(curve: pd.DataFrame, by: str = "stage", height: int = 300):
    """The emotion curve: mean valence per stage/touchpoint/channel in journey order, with its
    95% interval as a band and points sized by the number of ratings.

    ``curve`` is the output of :func:`journeylib.emotion.emotion_curve`.
    """
    check_small(curve)
    data = curve.dropna(subset=["valence_mean"])
    order = data[by].tolist()
    x = alt.X(f"{by}:N", sort=order, title=t(f"emotions.by.{by}"),
              axis=alt.Axis(labelAngle=0 if len(order) <= 6 else -35, labelLimit=160,
                            labelExpr=wrapped_labels(order) if len(order) <= 6 else "datum.label"))
    tooltip = [
        alt.Tooltip(f"{by}:N", title=t(f"emotions.by.{by}")),
        alt.Tooltip("valence_mean:Q", title=t("emotions.chart.valence"), format="+.2f"),
        *_interval_tooltips("+.2f"),
        alt.Tooltip("n:Q", title=t("emotions.chart.ratings"), format=","),
        alt.Tooltip("share_negative:Q", title=t("emotions.chart.negative"), format=".0%"),
        alt.Tooltip("share_positive:Q", title=t("emotions.chart.positive"), format=".0%"),
    ]
    base = alt.Chart(data)
    band = base.mark_area(opacity=0.18, color=NEUTRAL).encode(
        x=x, y=alt.Y("ci_low:Q", axis=_valence_axis()), y2="ci_high:Q"
    )
    line = base.mark_line(color=NEUTRAL, strokeWidth=3).encode(x=x, y="valence_mean:Q")
    points = base.mark_circle(color=NEUTRAL, opacity=1).encode(
        x=x,
        y="valence_mean:Q",
        size=alt.Size("n:Q", title=t("emotions.chart.ratings"), scale=alt.Scale(range=[40, 600])),
        tooltip=tooltip,
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#888", strokeDash=[4, 4])
    zero = zero.encode(y="y:Q")
    return localized(alt.layer(band, zero, line, points).properties(
        height=height,
        title=alt.Title(t(f"emotions.chart.curve_title.{by}"),
                        subtitle=t("emotions.chart.curve_subtitle")),
    ))


def emotion_timeline_chart(
    timeline: pd.DataFrame, freq: str = "week", height: int = 300, zone: str = "UTC"
):
    """Mean valence per period with its 95% interval; one line per stage when the timeline has
    a ``stage`` column. Hollow dots: fewer ratings than the minimum; red dots: a dip whose
    interval lies below the other periods' mean. ``zone``: the time zone of the periods,
    named on the date axis.

    ``timeline`` is the output of :func:`journeylib.emotion.emotion_timeline`.
    """
    check_small(timeline)
    usual, below, few = (t(f"emotions.chart.marker.{m}") for m in ("usual", "below", "few"))
    data = timeline.assign(
        period_start=period_dates(timeline["period_start"]),
        marker=timeline["below_usual"].map({True: below, False: usual})
        .where(~timeline["low_count"], few)
    )
    markers = [usual, below, few]
    by_stage = "stage" in data.columns
    # Month names ("%b") come from the chart's locale (config.locale), so they are translated.
    # Ticks at the data's own period starts (Mondays for weeks), the same dates in every
    # browser time zone (see journeylib.charts.base.period_x).
    fmt = "%d %b %Y" if freq != "month" else "%b %Y"
    x = period_x("period_start", timeline["period_start"],
                 axis_title(t(f"emotions.chart.period_axis.{freq}"), zone), fmt, labelAngle=-35)
    y = alt.Y("valence_mean:Q", axis=_valence_axis())
    tooltip = [
        period_tooltip("period_start", t(f"emotions.chart.period.{freq}"), fmt),
        *([alt.Tooltip("stage:N", title=t("emotions.by.stage"))] if by_stage else []),
        alt.Tooltip("valence_mean:Q", title=t("emotions.chart.valence"), format="+.2f"),
        *_interval_tooltips("+.2f"),
        alt.Tooltip("n:Q", title=t("emotions.chart.ratings"), format=","),
        alt.Tooltip("marker:N", title=t("emotions.chart.note")),
    ]
    base = alt.Chart(data)
    if by_stage:
        stages = list(dict.fromkeys(data["stage"]))
        color = alt.Color("stage:N", title=t("emotions.by.stage"), sort=stages,
                          scale=alt.Scale(domain=stages, range=PALETTE[: len(stages)] or None))
        band = base.mark_area(opacity=0.12).encode(x=x, y="ci_low:Q", y2="ci_high:Q",
                                                   color=color)
        line = base.mark_line(strokeWidth=2).encode(x=x, y=y, color=color)
        points = base.mark_point(filled=True, size=45).encode(
            x=x, y=y, color=color, tooltip=tooltip,
            shape=alt.Shape("marker:N", title=t("emotions.chart.period_legend"),
                            scale=alt.Scale(domain=markers,
                                            range=["circle", "triangle-down", "diamond"])),
        )
    else:
        band = base.mark_area(opacity=0.18, color=NEUTRAL).encode(x=x, y="ci_low:Q",
                                                                 y2="ci_high:Q")
        line = base.mark_line(color=NEUTRAL, strokeWidth=2).encode(x=x, y=y)
        points = base.mark_point(filled=True, size=70).encode(
            x=x, y=y, tooltip=tooltip,
            color=alt.Color("marker:N", title=t("emotions.chart.period_legend"),
                            scale=alt.Scale(domain=markers, range=[NEUTRAL, NEGATIVE, "#BBBBBB"])),
        )
    return localized(alt.layer(band, line, points).properties(
        height=height,
        title=alt.Title(t(f"emotions.chart.timeline_title.{freq}"),
                        subtitle=t("emotions.chart.timeline_subtitle")),
    ))


def moments_chart(moments: pd.DataFrame, outcome: str = "purchase", height: int | None = None):
    """Effect of a good rather than bad experience at each touchpoint on the outcome rate, as a
    dot with its 95% interval; touchpoints without enough data are left out (the table lists
    them).

    ``moments`` is the output of :func:`journeylib.moments.moments_of_truth`; when it was
    computed on a sample of customers (its ``attrs``), the subtitle says so.
    """
    check_small(moments)
    data = moments[moments["status"] == "ok"].copy()
    helps, hurts = t("emotions.chart.helps"), t("emotions.chart.hurts")
    data["direction"] = (data["effect"] >= 0).map({True: helps, False: hurts})
    order = data["touchpoint"].tolist()
    y = alt.Y("touchpoint:N", sort=order, title=None, axis=alt.Axis(labelLimit=200))
    name = t(f"emotions.outcome_name.{outcome}") if outcome in OUTCOMES else outcome
    x_title = t("emotions.chart.effect_axis", outcome=name)
    base = alt.Chart(data)
    # The legend under the plot, so its long labels are never cut and the plot keeps its width.
    color = alt.Color("direction:N", title=None,
                      scale=alt.Scale(domain=[helps, hurts], range=[NEUTRAL, NEGATIVE]),
                      legend=alt.Legend(orient="bottom", labelLimit=0))
    bars = base.mark_rule(strokeWidth=3).encode(
        y=y, x=alt.X("ci_low:Q", title=x_title,
                     axis=alt.Axis(format="+.0%", labelExpr=UNSIGNED_ZERO.format(".0%"))),
        x2="ci_high:Q",
        color=color,
    )
    dots = base.mark_circle(size=120, opacity=1).encode(
        y=y, x="effect:Q", color=color,
        tooltip=[
            alt.Tooltip("touchpoint:N", title=t("emotions.by.touchpoint")),
            alt.Tooltip("effect:Q", title=t("emotions.chart.effect"), format="+.1%"),
            *_interval_tooltips("+.1%"),
            alt.Tooltip("outcome_rate_negative:Q", title=t("emotions.chart.rate_bad"),
                        format=".0%"),
            alt.Tooltip("outcome_rate_positive:Q", title=t("emotions.chart.rate_good"),
                        format=".0%"),
            alt.Tooltip("customers_negative:Q", title=t("emotions.chart.bad_experiences"),
                        format=","),
            alt.Tooltip("opportunity:Q", title=t("emotions.chart.opportunity"), format=",.0f"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#888").encode(x="x:Q")
    return localized(alt.layer(zero, bars, dots).properties(
        height=height or max(120, 28 * len(order)),
        title=alt.Title(t("emotions.chart.moments_title", outcome=(
                            t(f"emotions.outcome_name.{outcome}") if outcome in OUTCOMES
                            else outcome)),
                        subtitle=[*wrap_words(t("emotions.chart.moments_subtitle"), 110),
                                  *filter(None, [sample_note(moments.attrs)])]),
    ))
