"""Shared look of every chart: palette and the guard against charting raw rows."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from journeylib.i18n.formats import vega_locale

# Colour-blind-safe categorical palette (Okabe-Ito), readable on a projector.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MAX_CHART_ROWS = 5000


def check_small(frame: pd.DataFrame) -> None:
    """Refuse chart input above :data:`MAX_CHART_ROWS` rows: aggregate before charting."""
    if len(frame) > MAX_CHART_ROWS:
        raise ValueError(
            f"chart input has {len(frame):,} rows; aggregate before charting "
            f"(limit {MAX_CHART_ROWS:,})"
        )


def localized(chart: alt.TopLevelMixin, lang: str | None = None) -> alt.TopLevelMixin:
    """``chart`` with the language's number and date formats for axes, labels and tooltips
    (Vega-Lite ``config.locale``), keeping any other configuration it already has."""
    out = chart.copy(deep=False)
    config = out.config if out.config is not alt.Undefined else alt.Config()
    config = config.copy(deep=False)
    config.locale = vega_locale(lang)
    out.config = config
    return out


def wrap_words(text: str, chars: int) -> list[str]:
    """``text`` cut into lines of at most ``chars`` characters at spaces (a longer word keeps
    its own line); ``[text]`` when it fits."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [str(text)]


def wrapped_labels(labels: list[str], chars: int | None = None) -> str:
    """A Vega-Lite ``labelExpr`` printing each of ``labels`` on lines of at most ``chars``
    characters (by default more lines the more labels share the axis), so neighbouring labels
    of a band axis sit side by side instead of on top of each other. Other values print as
    they are."""
    if chars is None:
        chars = max(10, min(24, 110 // max(len(labels), 1)))
    expr = "datum.label"
    for name in dict.fromkeys(str(v) for v in labels):
        lines = wrap_words(name, chars)
        if len(lines) > 1:
            expr = (f"datum.label === {json.dumps(name, ensure_ascii=False)} ? "
                    f"{json.dumps(lines, ensure_ascii=False)} : {expr}")
    return expr


# Period axes (weeks starting on Monday, months) of dates that are local dates of the dataset's
# time zone. Vega would put its own week ticks on Sundays and would shift the dates by the
# browser's zone, so the dates are written as "YYYY-MM-DD" (read by Vega as midnight UTC), the
# scale is UTC and the ticks are the data's own period starts.
MAX_PERIOD_TICKS = 8


def period_dates(starts: pd.Series) -> list[str]:
    """``starts`` (dates or datetimes, local dates of the data) as ``"YYYY-MM-DD"`` strings,
    the form a period axis (:func:`period_x`) charts them in."""
    return [pd.Timestamp(v).strftime("%Y-%m-%d") for v in starts]


def period_ticks(starts: pd.Series, max_ticks: int = MAX_PERIOD_TICKS) -> list[str]:
    """The period starts to label on the axis: every one of ``starts`` (sorted, distinct) when
    at most ``max_ticks``, else every k-th from the first so that at most ``max_ticks`` remain;
    as ``"YYYY-MM-DD"`` strings."""
    dates = sorted(set(period_dates(starts)))
    step = max(1, -(-len(dates) // max(max_ticks, 1)))
    return dates[::step]


def _utc_millis(day: str) -> int:
    return int(pd.Timestamp(day, tz="UTC").value // 1_000_000)


def period_x(field: str, starts: pd.Series, title: str, fmt: str, *,
             max_ticks: int = MAX_PERIOD_TICKS, **axis: object) -> alt.X:
    """An x encoding of the period starts in ``field`` (charted as :func:`period_dates`
    strings): a UTC time scale whose ticks are the data's own period starts
    (:func:`period_ticks`), labelled with the time format ``fmt`` and showing the same dates
    in every browser time zone; ``axis``: further ``alt.Axis`` settings."""
    values = [_utc_millis(day) for day in period_ticks(starts, max_ticks)]
    return alt.X(f"{field}:T", title=title, scale=alt.Scale(type="utc"),
                 axis=alt.Axis(values=values, format=fmt, **axis))


def period_tooltip(field: str, title: str, fmt: str) -> alt.Tooltip:
    """A tooltip of the period start in ``field`` (a :func:`period_x` axis) formatted with
    ``fmt`` in UTC, so it shows the data's date whatever the browser's zone."""
    return alt.Tooltip(f"utcyearmonthdate({field}):T", title=title, format=fmt)
