"""Conversion between funnel steps: how long it takes, and how it changes over time.

Both functions use the funnel rules of :mod:`journeylib.funnel` (entry, modes, window) and run
one Ibis query each.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import ibis
import pandas as pd

from journeylib.dataset import Dataset
from journeylib.durations import window_seconds
from journeylib.engine import to_pandas
from journeylib.epoch import epoch_seconds
from journeylib.funnel import customer_steps, funnel_stages
from journeylib.i18n import say
from journeylib.messages import Message

# Histogram bins in hours, in the units people think in: an hour, a day, a week, a month.
# The labels are codes in the results; charts show them with journeylib.i18n.label.
TIME_BINS: tuple[tuple[str, float, float], ...] = (
    ("under 1 hour", 0.0, 1.0),
    ("1–6 hours", 1.0, 6.0),
    ("6–24 hours", 6.0, 24.0),
    ("1–3 days", 24.0, 72.0),
    ("3–7 days", 72.0, 168.0),
    ("1–2 weeks", 168.0, 336.0),
    ("2–4 weeks", 336.0, 672.0),
    ("4–13 weeks", 672.0, 2184.0),
    ("13 weeks or more", 2184.0, math.inf),
)
FREQS = {"week": "W", "month": "M"}


def time_to_convert(
    ds: Dataset,
    from_stage: str,
    to_stage: str,
    *,
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
) -> pd.DataFrame:
    """How long customers took from ``from_stage`` to ``to_stage`` (a two-step funnel).

    ``mode``: ``"ordered"`` or ``"strict"`` (see :mod:`journeylib.funnel`). Returns one row
    per histogram bin of :data:`TIME_BINS`, empty bins included: ``bin`` (label),
    ``bin_start_hours``, ``bin_end_hours`` (end exclusive; inf for the last bin),
    ``customers``, ``share`` (of converted customers, 0..1); and, the same on every row, the
    distribution's ``converted_customers``, ``median_hours``, ``p25_hours``, ``p75_hours`` and
    ``p90_hours`` (NaN when nobody converted).
    """
    if mode not in ("ordered", "strict"):
        raise ValueError(f"mode must be 'ordered' or 'strict', not {mode!r}")
    per = customer_steps(ds, [from_stage, to_stage], window=window, mode=mode)
    per = per.filter(per.t2.notnull())
    hours = (epoch_seconds(per.t2) - epoch_seconds(per.t1)).cast("float64") / 3600.0
    per = per.mutate(
        hours=hours,
        bin=ibis.cases(
            *((hours < end, i) for i, (_, _, end) in enumerate(TIME_BINS[:-1])),
            else_=len(TIME_BINS) - 1,
        ),
    )
    counts = per.group_by("bin").agg(customers=per.count())
    stats = per.aggregate(
        converted_customers=per.count(), q=per.hours.quantile([0.25, 0.5, 0.75, 0.9])
    )
    rows = to_pandas(counts.cross_join(stats))
    frame = pd.DataFrame(TIME_BINS, columns=["bin", "bin_start_hours", "bin_end_hours"])
    found = dict(zip(rows["bin"], rows["customers"], strict=True))
    frame["customers"] = [int(found.get(i, 0)) for i in range(len(TIME_BINS))]
    total = int(frame["customers"].sum())
    frame["share"] = frame["customers"] / total if total else 0.0
    frame["converted_customers"] = total
    q = rows["q"].iloc[0] if len(rows) else [math.nan] * 4
    for name, value in zip(("p25_hours", "median_hours", "p75_hours", "p90_hours"), q, strict=True):
        frame[name] = float(value) if value is not None else math.nan
    return frame


def format_hours(hours: float) -> str:
    """A duration in words people use, in the current language: "45 minutes", "5.5 hours",
    "3.2 days", "6 weeks" (in Russian and Polish in the form that follows "in"/"within")."""
    return say(_duration(hours))


def _duration(hours: float) -> Message:
    """A duration as :func:`format_hours` words it, as a message."""
    if math.isnan(hours):
        return Message("funnel.duration.unknown")
    if hours < 1:
        return Message("funnel.duration.minutes", {"n": round(float(hours) * 60)})
    if hours < 48:
        return Message("funnel.duration.hours", {"n": round(float(hours), 1)})
    if hours < 24 * 21:
        return Message("funnel.duration.days", {"n": round(float(hours) / 24, 1)})
    return Message("funnel.duration.weeks", {"n": round(float(hours) / 168)})


def describe_time_to_convert(frame: pd.DataFrame, from_stage: str, to_stage: str) -> Message:
    """The reading of :func:`time_to_convert` (the median and the slow tail) as a message, worded
    by :func:`journeylib.i18n.say`."""
    n = int(frame["converted_customers"].iloc[0]) if len(frame) else 0
    if n == 0:
        return Message("funnel.describe.no_conversion", {"first": from_stage, "last": to_stage})
    median, p90 = frame["median_hours"].iloc[0], frame["p90_hours"].iloc[0]
    return Message("funnel.describe.time_to_convert", {
        "n": n, "first": from_stage, "last": to_stage,
        "median": _duration(median), "p90": _duration(p90),
    })


def conversion_trend(
    ds: Dataset,
    stages: Sequence[str] | None = None,
    freq: str = "week",
    *,
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
) -> pd.DataFrame:
    """Conversion from the first step to the last, by entry cohort.

    A customer belongs to the week (weeks start on Monday) or month of their entry (first
    event in step 1, UTC). Returns one row per cohort with entries: ``period_start``,
    ``period_end`` (UTC dates, end exclusive), ``entered`` (customers), ``converted``
    (customers who reached the last step), ``conversion`` (0..1), ``complete`` (True when the
    data run on past the cohort's end by the conversion window, or without a window by the
    time 90% of converters needed; later cohorts are still converting); in time order.
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, not {freq!r}")
    steps = funnel_stages(ds, stages)
    per = customer_steps(ds, steps, window=window, mode=mode)
    last = per[f"t{len(steps)}"]
    per = per.mutate(
        period_start=per.t1.truncate(FREQS[freq]).date(),
        seconds=(epoch_seconds(last) - epoch_seconds(per.t1)).cast("float64"),
    )
    cohorts = per.group_by("period_start").agg(entered=per.count(), converted=last.count())
    horizon = per.aggregate(p90_seconds=per.seconds.quantile(0.9))
    end = ds.table.aggregate(data_end=ds.table.timestamp.max())
    out = to_pandas(cohorts.cross_join(horizon).cross_join(end).order_by("period_start"))
    out["period_start"] = pd.to_datetime(out["period_start"])
    step = pd.DateOffset(weeks=1) if freq == "week" else pd.DateOffset(months=1)
    out.insert(1, "period_end", out["period_start"] + step)
    out[["entered", "converted"]] = out[["entered", "converted"]].astype("int64")
    out["conversion"] = out["converted"] / out["entered"]
    seconds = window_seconds(window)
    if seconds is None:
        seconds = out["p90_seconds"].fillna(0.0)
    wait = pd.to_timedelta(seconds, unit="s")
    data_end = pd.to_datetime(out["data_end"]).dt.tz_convert(None)
    out["complete"] = out["period_end"] + wait <= data_end
    return out.drop(columns=["p90_seconds", "data_end"])


def describe_trend(
    frame: pd.DataFrame, first: str, last: str, min_entered: int = 30
) -> list[Message]:
    """The reading of :func:`conversion_trend` as messages (worded by
    :func:`journeylib.i18n.say`): the range of conversion across complete cohorts with at least
    ``min_entered`` customers, then how many cohorts are still young (when any)."""
    big = frame[(frame["entered"] >= min_entered) & frame["complete"]]
    if big.empty:
        return [Message("funnel.describe.no_cohort", {"n": min_entered, "first": first})]
    low, high = big.loc[big["conversion"].idxmin()], big.loc[big["conversion"].idxmax()]
    reading = [Message("funnel.describe.trend", {
        "first": first, "last": last,
        "low": float(low["conversion"]), "low_cohort": low["period_start"].date(),
        "high": float(high["conversion"]), "high_cohort": high["period_start"].date(),
    })]
    young = int((~frame["complete"]).sum())
    if young == 1:
        reading.append(Message("funnel.describe.young_cohort"))
    elif young > 1:
        reading.append(Message("funnel.describe.young_cohorts", {"n": young}))
    return reading
