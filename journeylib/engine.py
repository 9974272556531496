"""Results of engine queries as plain pandas: the one place where engine numbers become floats.

An engine's SUM of integers is wider than int64 (DuckDB's HUGEINT, Spark's decimal), so it comes
back as ``decimal.Decimal`` objects, and as ``None`` when nothing was summed; pandas arithmetic
on those raises ``TypeError``. Every analysis executes its queries through :func:`to_pandas` and
:func:`scalar`, which return numeric columns as numbers (floats where a value was missing).
"""

from __future__ import annotations

import decimal
import math

import ibis.expr.types as ir
import pandas as pd


def to_pandas(expr: ir.Table) -> pd.DataFrame:
    """Execute ``expr`` and return its rows with every numeric column as numbers.

    A column that the engine types as numeric but that arrives as Python objects (decimals,
    ``None``) becomes ``float64`` with NaN for missing values; other columns are as the engine
    returned them.
    """
    frame = expr.to_pandas()
    schema = expr.schema()
    for name, dtype in schema.items():
        if name not in frame or frame[name].dtype != object:
            continue
        if dtype.is_numeric():
            frame[name] = plain_floats(frame[name])
    return frame


def scalar(expr: ir.Scalar) -> object:
    """Execute a scalar ``expr``: a decimal comes back as a float and a missing number as NaN;
    other values (text, booleans, timestamps) as the engine returned them."""
    value = expr.execute()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if value is None and expr.type().is_numeric():
        return math.nan
    return value


def plain_floats(values: pd.Series) -> pd.Series:
    """``values`` (decimals, ints, floats, ``None``) as a float64 Series, NaN where missing."""
    return values.map(lambda v: math.nan if pd.isna(v) else float(v)).astype("float64")
