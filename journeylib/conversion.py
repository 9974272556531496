"""Conversion between funnel steps: how long it takes, and how it changes over time.

Both functions use the funnel rules of :mod:`journeylib.funnel` (entry, modes, window) and run
one Ibis query each; cohorts are calendar periods in the dataset's time zone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

import ibis
import numpy as np
import pandas as pd

from journeylib.dataset import Dataset
from journeylib.durations import window_seconds
from journeylib.engine import to_pandas
from journeylib.epoch import epoch_seconds
from journeylib.funnel import customer_steps, funnel_stages
from journeylib.funnel_spec import Exclusion, Step
from journeylib.i18n import say
from journeylib.messages import Message
from journeylib.timezones import local_time

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
# Bin choices of :func:`time_to_convert`: the fixed TIME_BINS, or edges from the data's spread.
BIN_RULES = ("standard", "auto")
# Durations (hours) that automatic bins and user-chosen edges are drawn from: a minute to a year.
DURATION_LADDER: tuple[float, ...] = (
    1 / 60, 5 / 60, 15 / 60, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 48.0, 72.0, 120.0, 168.0,
    336.0, 504.0, 720.0, 1440.0, 2160.0, 4320.0, 8760.0,
)
# Automatic bins: at most this many; where the ladder allows, the first and last hold at most
# the fastest and slowest 5%.
MAX_AUTO_BINS = 10
AUTO_TAIL = 0.05
# User-chosen edges: at most this many bins.
MAX_BINS = 30


def time_to_convert(
    ds: Dataset,
    from_stage: str | Step,
    to_stage: str | Step,
    *,
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
    bins: str | Sequence[float] = "standard",
    entry: str = "best",
    exclude: Iterable[Exclusion] | None = None,
) -> pd.DataFrame:
    """How long customers took from ``from_stage`` to ``to_stage`` (a two-step funnel).

    ``mode``: ``"ordered"`` or ``"strict"``; ``entry`` and ``exclude`` as for
    :func:`journeylib.funnel.funnel` (see :mod:`journeylib.funnel`). ``bins``:
    ``"standard"`` (the fixed bins of :data:`TIME_BINS`), ``"auto"`` (edges from the data's
    spread, see :func:`auto_edges`) or increasing bin edges in hours (``[1, 24, 168]`` gives
    under 1 h, 1–24 h, 24–168 h, 168 h or more; at most :data:`MAX_BINS` bins).

    Returns one row per bin, empty bins included: ``bin`` (a code: the :data:`TIME_BINS` label
    for standard bins, else ``"<start>-<end>h"``; :func:`bin_name` words any bin),
    ``bin_start_hours``, ``bin_end_hours`` (end exclusive; inf for the last bin),
    ``customers``, ``share`` (of converted customers, 0..1); and, the same on every row, the
    distribution's ``converted_customers``, ``median_hours``, ``p05_hours``, ``p25_hours``,
    ``p75_hours``, ``p90_hours`` and ``p95_hours`` (NaN when nobody converted).
    """
    if mode not in ("ordered", "strict"):
        raise ValueError(f"mode must be 'ordered' or 'strict', not {mode!r}")
    edges = _edges(bins)
    per = customer_steps(ds, [from_stage, to_stage], window=window, mode=mode, entry=entry,
                         exclude=exclude)
    per = per.filter(per.t2.notnull())
    hours = (epoch_seconds(per.t2) - epoch_seconds(per.t1)).cast("float64") / 3600.0
    per = per.mutate(
        hours=hours,
        bin=ibis.cases(*((hours < end, i) for i, end in enumerate(edges)), else_=len(edges)),
    )
    counts = per.group_by("bin").agg(customers=per.count())
    stats = per.aggregate(converted_customers=per.count(), q=per.hours.quantile(list(_QUANTILES)))
    rows = to_pandas(counts.cross_join(stats))
    found = dict(zip(rows["bin"], rows["customers"], strict=True))
    fine = [int(found.get(i, 0)) for i in range(len(edges) + 1)]
    q = dict(zip(_QUANTILES.values(), rows["q"].iloc[0], strict=True)) if len(rows) else {}
    q = {name: float(v) if v is not None else math.nan for name, v in q.items()}
    if bins == "auto":
        chosen = auto_edges(q.get("p05_hours", math.nan), q.get("p95_hours", math.nan))
        fine = _merge(fine, edges, chosen)
        edges = chosen
    frame = _bin_frame(edges, standard=isinstance(bins, str) and bins == "standard")
    frame["customers"] = fine
    total = int(frame["customers"].sum())
    frame["share"] = frame["customers"] / total if total else 0.0
    frame["converted_customers"] = total
    for name in _QUANTILES.values():
        frame[name] = q.get(name, math.nan)
    return frame


_QUANTILES = {0.05: "p05_hours", 0.25: "p25_hours", 0.5: "median_hours", 0.75: "p75_hours",
              0.9: "p90_hours", 0.95: "p95_hours"}


def _edges(bins: str | Sequence[float]) -> list[float]:
    """Inner bin edges (hours) the engine counts by; auto bins count by the whole ladder."""
    if isinstance(bins, str):
        if bins not in BIN_RULES:
            raise ValueError(f"bins must be one of {', '.join(BIN_RULES)} or edges in hours")
        return list(DURATION_LADDER) if bins == "auto" else [end for _, _, end in TIME_BINS[:-1]]
    edges = [float(e) for e in bins]
    if not edges or len(edges) >= MAX_BINS:
        raise ValueError(f"give between 1 and {MAX_BINS - 1} bin edges")
    if any(not math.isfinite(e) or e <= 0 for e in edges) or edges != sorted(set(edges)):
        raise ValueError("bin edges must be positive hours in increasing order")
    return edges


def auto_edges(p05_hours: float, p95_hours: float) -> list[float]:
    """Inner bin edges (hours) for converters whose 5th and 95th percentiles are given.

    The rule: the durations of :data:`DURATION_LADDER` from the last one at or below the 5th
    percentile to the first one at or above the 95th (so, where the ladder allows, the first
    bin holds at most the fastest 5% and the last at most the slowest 5%: with a 5th
    percentile under a minute, the ladder's first duration, the first bin holds more, and
    likewise the last with a 95th percentile over a year), thinned evenly to at most
    :data:`MAX_AUTO_BINS` bins. The ladder grows about geometrically, so the bins are close to
    logarithmic in the units people use. Nobody converted (NaN): the standard edges.
    """
    if math.isnan(p05_hours) or math.isnan(p95_hours):
        return [end for _, _, end in TIME_BINS[:-1]]
    ladder = list(DURATION_LADDER)
    low = max([i for i, e in enumerate(ladder) if e <= p05_hours], default=0)
    high = min([i for i, e in enumerate(ladder) if e >= p95_hours], default=len(ladder) - 1)
    chosen = ladder[low : max(high, low + 1) + 1]
    if len(chosen) > MAX_AUTO_BINS - 1:
        picks = np.linspace(0, len(chosen) - 1, MAX_AUTO_BINS - 1).round().astype(int)
        chosen = [chosen[i] for i in sorted(set(picks))]
    return chosen


def _merge(counts: list[int], fine: list[float], coarse: list[float]) -> list[int]:
    """Counts per bin of ``fine`` edges added up into the bins of ``coarse`` (a subset)."""
    out = [0] * (len(coarse) + 1)
    for i, n in enumerate(counts):
        start = fine[i - 1] if i else 0.0
        out[sum(1 for e in coarse if e <= start)] += n
    return out


def _bin_frame(edges: list[float], *, standard: bool) -> pd.DataFrame:
    if standard:
        return pd.DataFrame(TIME_BINS, columns=["bin", "bin_start_hours", "bin_end_hours"])
    starts, ends = [0.0, *edges], [*edges, math.inf]
    return pd.DataFrame({
        "bin": [f"{a:g}-{b:g}h" for a, b in zip(starts, ends, strict=True)],
        "bin_start_hours": starts,
        "bin_end_hours": ends,
    })


def bin_name(start_hours: float, end_hours: float) -> Message:
    """A time-to-convert bin in words (``"under 1 hour"``, ``"1 hour – 6 hours"``,
    ``"13 weeks or more"``), as a message for :func:`journeylib.i18n.say`."""
    if start_hours <= 0:
        return Message("funnel_sections.bin.under", {"end": _duration(end_hours)})
    if math.isinf(end_hours):
        return Message("funnel_sections.bin.over", {"start": _duration(start_hours)})
    return Message("funnel_sections.bin.between",
                   {"start": _duration(start_hours), "end": _duration(end_hours)})


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
    from_step: int = 1,
    to_step: int | None = None,
    entry: str = "best",
    exclude: Iterable[Exclusion] | None = None,
) -> pd.DataFrame:
    """Conversion from step ``from_step`` to step ``to_step`` of the funnel, by cohort.

    Steps are numbered from 1 (default: the first to the last step; the same step twice gives
    a conversion of 1, as a one-step funnel does); the funnel is the one of
    :func:`journeylib.funnel.funnel` with these ``stages``, ``window``, ``mode``, ``entry``
    and ``exclude``, so the
    counts over all cohorts are the funnel's customers at the two steps. A customer belongs to
    the week (weeks start on Monday) or month in which they reached step ``from_step``,
    counted in the dataset's time zone (``ds.timezone``). Returns one row per cohort:
    ``period_start``, ``period_end`` (local dates, end exclusive), ``entered`` (customers who
    reached step ``from_step``), ``converted`` (of them, those who reached step ``to_step``),
    ``conversion`` (0..1), ``complete`` (True when the data run on past the cohort's end by
    the conversion window, or without a window by the time 90% of converters needed; later
    cohorts are still converting); in time order.
    """
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, not {freq!r}")
    steps = funnel_stages(ds, stages)
    to_step = len(steps) if to_step is None else to_step
    if not 1 <= from_step <= to_step <= len(steps):
        raise ValueError(f"need 1 <= from_step <= to_step <= {len(steps)}, "
                         f"not {from_step} and {to_step}")
    per = customer_steps(ds, steps, window=window, mode=mode, entry=entry, exclude=exclude)
    first, last = per[f"t{from_step}"], per[f"t{to_step}"]
    per = per.filter(first.notnull()).mutate(
        period_start=local_time(ds, first).truncate(FREQS[freq]).date(),
        reached=last,
        seconds=(epoch_seconds(last) - epoch_seconds(first)).cast("float64"),
    )
    cohorts = per.group_by("period_start").agg(entered=per.count(), converted=per.reached.count())
    horizon = per.aggregate(p90_seconds=per.seconds.quantile(0.9))
    end = ds.table.aggregate(data_end=local_time(ds, ds.table.timestamp.max()))
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
    data_end = pd.to_datetime(out["data_end"])
    if data_end.dt.tz is not None:
        data_end = data_end.dt.tz_convert(None)
    out["complete"] = out["period_end"] + wait <= data_end
    return out.drop(columns=["p90_seconds", "data_end"])


MIN_COHORT = 30
"""Cohorts with fewer entering customers are too small to read: drawn faded and left out of the
trend's headline range."""


def describe_trend(
    frame: pd.DataFrame, first: str, last: str, min_entered: int = MIN_COHORT
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
    small = int((frame["entered"] < min_entered).sum())
    if small:
        reading.append(Message("funnel.describe.small_cohorts", {"n": small, "min": min_entered}))
    young = int((~frame["complete"]).sum())
    if young == 1:
        reading.append(Message("funnel.describe.young_cohort"))
    elif young > 1:
        reading.append(Message("funnel.describe.young_cohorts", {"n": young}))
    return reading
