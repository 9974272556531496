"""Timestamps as integer microseconds since the Unix epoch, computed by the query engine.

Ibis's ``epoch_seconds()`` compiles on DuckDB to ``EPOCH(CAST(ts AS TIMESTAMP))``: on a
zoned timestamp that cast goes through the time-zone library for every row and costs about
twenty times a plain scan. The microsecond count is the value a timestamp is stored as, so
``EPOCH_US`` (DuckDB) and ``UNIX_MICROS`` (Spark 3.1+) read it for free. The function is
declared under its Spark name; sqlglot writes it as ``EPOCH_US`` for DuckDB.
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import pandas as pd

MICROS_PER_DAY = 86_400_000_000


@ibis.udf.scalar.builtin(name="unix_micros")
def epoch_micros(timestamp: dt.timestamp) -> dt.int64:  # type: ignore[empty-body]
    """Microseconds since 1970-01-01 00:00 UTC (negative before), as an engine expression."""


def epoch_day(timestamp: ibis.TimestampValue) -> ibis.IntegerValue:
    """UTC day number since 1970-01-01 (day 0), floored for times before 1970."""
    return epoch_micros(timestamp) // MICROS_PER_DAY


def epoch_seconds(timestamp: ibis.TimestampValue) -> ibis.FloatingValue:
    """Seconds since 1970-01-01 00:00 UTC with the fraction (what DuckDB's ``EPOCH`` gives),
    without the slow time-zone cast of Ibis's ``epoch_seconds()``."""
    return epoch_micros(timestamp).cast("float64") / 1_000_000


def period_starts(days: pd.Series, freq: str) -> pd.Series:
    """Day numbers (:func:`epoch_day` of local times) as the start of their period: the day
    itself (``"day"``), its week's Monday (``"week"``) or its month's first day (``"month"``),
    as midnight timestamps without zone."""
    date = pd.to_datetime(days.astype("int64"), unit="D")
    if freq == "week":
        return date - pd.to_timedelta(date.dt.weekday, unit="D")
    if freq == "month":
        return date.dt.to_period("M").dt.to_timestamp()
    return date
