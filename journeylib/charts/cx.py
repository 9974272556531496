"""Chart of a CX metric (NPS, CSAT or CES) by group or by period, with its 95% intervals."""

from __future__ import annotations

import altair as alt
import pandas as pd

from journeylib.charts.base import check_small, localized, period_dates, period_tooltip, period_x
from journeylib.cx_metrics import ALL, MIN_RESPONDENTS, NO_VALUE
from journeylib.i18n import label, t

COLOUR = "#0072B2"
# Axis labels signed on both sides of zero, none on zero ("+20", "0", "−20").
_SIGNED = "datum.value > 0 ? '+' + format(datum.value, 'd') : format(datum.value, 'd')"


def group_names(groups: pd.Series) -> pd.Series:
    """The ``group`` column of :func:`journeylib.cx_metrics.cx_metric` as shown: the user's own
    names as they are, "(none)" and "(all)" in the language."""
    return groups.map(lambda g: t("cx.page.all") if g == ALL else label(g) if g == NO_VALUE
                      else str(g))


BOUNDS = {"nps": (-100.0, 100.0), "csat": (0.0, 1.0)}
# The least margin around the data on the value axis, in the metric's units.
_MARGIN = {"nps": 5.0, "csat": 0.02, "ces": 0.1}


def value_domain(frame: pd.DataFrame, metric: str, scale: tuple[float, float] | None = None
                 ) -> list[float]:
    """The value axis of ``frame``: every value and interval shown with a margin, inside the
    metric's range (NPS −100..100, CSAT 0..1, CES the scale), so close groups stay apart."""
    low, high = BOUNDS.get(metric) or tuple(map(float, scale or (1, 7)))
    shown = pd.concat([frame[c] for c in ("value", "ci_low", "ci_high")]).dropna()
    if shown.empty:
        return [low, high]
    lo, hi = float(shown.min()), float(shown.max())
    margin = max((hi - lo) * 0.1, _MARGIN[metric])
    return [max(low, lo - margin), min(high, hi + margin)]


def _value_axis(metric: str, scale: tuple[float, float] | None, domain: list[float]
                ) -> tuple[alt.Scale, alt.Axis, str]:
    if metric == "nps":
        return (alt.Scale(domain=domain, nice=True),
                alt.Axis(title=t("cx.chart.axis_nps"), labelExpr=_SIGNED, tickCount=8,
                         tickMinStep=1), "+.0f")
    if metric == "csat":
        return (alt.Scale(domain=domain, nice=True),
                alt.Axis(title=t("cx.chart.axis_csat"), format=".0%", tickCount=8,
                         tickMinStep=0.01), ".1%")
    low, high = scale or (1, 7)
    return (alt.Scale(domain=domain, nice=True),
            alt.Axis(title=t("cx.chart.axis_ces", low=float(low), high=float(high)),
                     format=".1f", tickMinStep=0.1, tickCount=8), ".2f")


def cx_metric_chart(frame: pd.DataFrame, metric: str, by: str = "stage", *,
                    scale: tuple[float, float] | None = None, width: int = 640,
                    height: int | None = None) -> alt.LayerChart:
    """``metric`` per group (a :func:`journeylib.cx_metrics.cx_metric` frame; ``by`` names the
    grouping) or per month (a :func:`journeylib.cx_metrics.cx_metric_over_time` frame with
    ``freq="month"``, charted with ``by="month"``): a point at the metric, a rule over its 95%
    interval, hollow where there are fewer than :data:`MIN_RESPONDENTS` answers.

    ``scale``: the score scale ``(low, high)``, the CES axis; ``width``: pixels (an explicit
    width, so exports and the page draw the same chart); ``height``: pixels (default by the
    number of groups). The value axis spans the values and intervals shown
    (:func:`value_domain`), inside the metric's range.
    """
    check_small(frame)
    metric_name = t(f"cx.metric.{metric}")
    scale_x, axis, fmt = _value_axis(metric, scale, value_domain(frame, metric, scale))
    over_time = "period_start" in frame.columns
    data = frame.assign(few=~frame["enough_data"].astype(bool))
    tooltip = [
        alt.Tooltip("value:Q", title=metric_name, format=fmt),
        alt.Tooltip("ci_low:Q", title=t("cx.chart.ci_from"), format=fmt),
        alt.Tooltip("ci_high:Q", title=t("cx.chart.ci_to"), format=fmt),
        alt.Tooltip("respondents:Q", title=t("cx.chart.answers"), format=","),
    ]
    if over_time:
        if by != "month":
            raise ValueError(f"a frame over time is charted by month, not {by!r}")
        data = data.assign(period_start=period_dates(frame["period_start"]))
        date_fmt = "%b %Y"
        position = period_x("period_start", frame["period_start"], t("cx.by.month"), date_fmt,
                            labelAngle=-35)
        value = alt.Y("value:Q", scale=scale_x, axis=axis)
        ends = {"y": alt.Y("ci_low:Q", scale=scale_x, axis=axis), "y2": "ci_high:Q"}
        tooltip.insert(0, period_tooltip("period_start", t("cx.by.month"), date_fmt))
        size = {"width": width, "height": height or 300}
        key = {"x": position}
    else:
        data = data.assign(group=group_names(frame["group"]))
        order = data["group"].tolist()
        position = alt.Y("group:N", sort=order, title=t(f"cx.by.{by}"),
                         axis=alt.Axis(labelLimit=220))
        value = alt.X("value:Q", scale=scale_x, axis=axis)
        ends = {"x": alt.X("ci_low:Q", scale=scale_x, axis=axis), "x2": "ci_high:Q"}
        tooltip.insert(0, alt.Tooltip("group:N", title=t(f"cx.by.{by}")))
        size = {"width": width, "height": height or max(120, 34 * len(order))}
        key = {"y": position}
    base = alt.Chart(data)
    rules = base.mark_rule(color=COLOUR, strokeWidth=2, opacity=0.6).encode(**key, **ends)
    points = base.mark_point(color=COLOUR, size=90, strokeWidth=2).encode(
        **key,
        **({"y": value} if over_time else {"x": value}),
        fill=alt.condition("datum.few", alt.value("white"), alt.value(COLOUR)),
        tooltip=tooltip,
    )
    layers = [rules, points]
    if metric == "nps":
        zero = alt.Chart(pd.DataFrame({"v": [0]})).mark_rule(color="#888", strokeDash=[4, 4])
        layers.insert(0, zero.encode(**({"y": "v:Q"} if over_time else {"x": "v:Q"})))
    title = alt.Title(t(f"cx.chart.title_{by}", metric=metric_name),
                      subtitle=t("cx.chart.subtitle", n=MIN_RESPONDENTS))
    return localized(alt.layer(*layers).properties(title=title, **size))
