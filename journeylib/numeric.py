"""Numbers and yes/no flags as people type them in spreadsheets (decimal commas, currencies)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY = re.compile(r"(?i)(руб\.?|р\.|₽|zł|pln|usd|eur|rub|\$|€|£|%)")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d*,\d+$|^[+-]?\d{1,3}(\.\d{3})+,\d+$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$|^[+-]?\d{1,3}(,\d{3})+\.\d+$")

TRUE_WORDS = {
    "1",
    "true",
    "yes",
    "y",
    "t",
    "x",
    "+",
    "✓",
    "✔",
    "converted",
    "purchased",
    "bought",
    "да",
    "д",
    "истина",
    "купил",
    "купила",
    "tak",
    "prawda",
    "kupił",
    "kupiła",
}
FALSE_WORDS = {
    "0",
    "false",
    "no",
    "n",
    "f",
    "-",
    "none",
    "нет",
    "н",
    "ложь",
    "nie",
    "fałsz",
}


def parse_numbers(values: pd.Series) -> tuple[pd.Series, str]:
    """Parse a column of numbers typed by people.

    Handles decimal commas (``4,5``), thousands separators (``1 234,50``, ``1,234.50``) and
    currency marks (``₽``, ``zł``, ``$``). Returns ``(floats, decimal)`` where ``floats`` is a
    float Series (NaN where a value is not a number or empty) and ``decimal`` is ``","`` when the
    column uses decimal commas, else ``"."``.
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float), "."
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float), "."
    numeric = values.map(
        lambda v: (
            float(v)
            if isinstance(v, int | float | np.number) and not isinstance(v, bool)
            else np.nan
        )
    )
    text = values.where(values.map(lambda v: isinstance(v, str)), None).dropna().astype(str)
    text = text.str.replace(_CURRENCY, "", regex=True).str.replace(_SPACES, "", regex=True)
    commas = int(text.str.match(_COMMA_DECIMAL).sum())
    dots = int(text.str.match(_DOT_DECIMAL).sum())
    decimal = "," if commas > dots else "."
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False)
    parsed = pd.to_numeric(text, errors="coerce")
    numeric.loc[parsed.index] = parsed.astype(float)
    return numeric.astype(float), decimal


def parse_flags(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse yes/no flags (``1/0``, ``true/false``, ``да/нет``, ``tak/nie``, ``x``).

    Returns ``(flags, unknown)``: ``flags`` is a nullable boolean Series (NA where the cell is
    empty or not understood) and ``unknown`` a boolean mask of filled cells that were not
    understood.
    """

    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return pd.NA
        if isinstance(v, bool | np.bool_):
            return bool(v)
        if isinstance(v, int | float | np.number):
            return bool(v > 0)
        word = str(v).strip().lower()
        if word == "":
            return pd.NA
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        number, _ = parse_numbers(pd.Series([word], dtype=object))
        if not np.isnan(number.iloc[0]):
            return bool(number.iloc[0] > 0)
        return "?"

    parsed = values.map(one)
    unknown = parsed.map(lambda v: isinstance(v, str))
    flags = parsed.where(~unknown, pd.NA).astype("boolean")
    return flags, unknown
