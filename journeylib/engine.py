"""Results of engine queries as plain pandas: the one place where engine numbers become floats.

An engine's SUM of integers is wider than int64 (DuckDB's HUGEINT, Spark's decimal), so it comes
back as ``decimal.Decimal`` objects, and as ``None`` when nothing was summed; pandas arithmetic
on those raises ``TypeError``. Every analysis executes its queries through :func:`to_pandas` and
:func:`scalar`, which return numeric columns as numbers (floats where a value was missing).

Timestamps come back in UTC from every engine: DuckDB's are zoned, but Spark's TIMESTAMP reaches
Ibis without a zone (its values are UTC under the session time zone the app and tests set), and
pandas refuses to compare or subtract zoned and naive times.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Callable
from typing import TypeVar

import ibis.common.exceptions as com
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from journeylib.errors import EngineError

T = TypeVar("T")


def _engine_run(expr: ir.Expr, run: Callable[[], T]) -> T:
    """``run()``, with an engine's missing operation raised as :class:`EngineError` naming the
    engine and the operation."""
    try:
        return run()
    except (com.OperationNotDefinedError, com.UnsupportedOperationError) as exc:
        found = re.search(r"(?:rule for|operation) '?(\w+)'?", str(exc))
        try:
            engine = expr._find_backend().name
        except com.IbisError:
            engine = "unknown"
        raise EngineError(engine, found.group(1) if found else str(exc)) from exc


def to_pandas(expr: ir.Table) -> pd.DataFrame:
    """Execute ``expr`` and return its rows with every numeric column as numbers.

    Raises :class:`~journeylib.errors.EngineError` when the engine lacks an operation of
    ``expr``.

    A column that the engine types as numeric but that arrives as Python objects (decimals,
    ``None``) becomes ``float64`` with NaN for missing values; a timestamp column is zoned UTC
    (see the module docstring); other columns are as the engine returned them.
    """
    frame = _engine_run(expr, expr.to_pandas)
    schema = expr.schema()
    for name, dtype in schema.items():
        if name not in frame:
            continue
        if dtype.is_timestamp():
            frame[name] = utc_times(frame[name])
        elif dtype.is_numeric() and frame[name].dtype == object:
            frame[name] = plain_floats(frame[name])
    return frame


def to_arrow(expr: ir.Expr) -> pa.Table:
    """Execute ``expr`` and return its rows as Arrow, as the engine typed them (for results
    too large to pass through Python objects). Raises
    :class:`~journeylib.errors.EngineError` like :func:`to_pandas`."""
    return _engine_run(expr, expr.to_pyarrow)


def scalar(expr: ir.Scalar) -> object:
    """Execute a scalar ``expr``: a decimal comes back as a float and a missing number as NaN;
    other values (text, booleans, timestamps) as the engine returned them."""
    value = _engine_run(expr, expr.execute)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if value is None and expr.type().is_numeric():
        return math.nan
    if isinstance(value, pd.Timestamp | dt.datetime) and expr.type().is_timestamp():
        value = pd.Timestamp(value)
        return value.tz_localize("UTC") if value.tzinfo is None else value.tz_convert("UTC")
    return value


def utc_times(values: pd.Series) -> pd.Series:
    """Timestamps as zoned UTC: naive ones (Spark's) are read as UTC, zoned ones converted."""
    values = pd.to_datetime(values)
    if values.dt.tz is None:
        return values.dt.tz_localize("UTC")
    return values.dt.tz_convert("UTC")


def plain_floats(values: pd.Series) -> pd.Series:
    """``values`` (decimals, ints, floats, ``None``) as a float64 Series, NaN where missing."""
    return values.map(lambda v: math.nan if pd.isna(v) else float(v)).astype("float64")
