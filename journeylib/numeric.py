"""Numbers and yes/no flags as people type them in spreadsheets (decimal commas, currencies)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Plain pattern strings (not compiled) let pandas run them in Arrow's vectorised regex engine.
# Spaces listed one by one: "\\s" would send pandas back to Python's regex engine.
_SPACES = "[ \t\u00a0\u202f']"
_FLOAT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_CURRENCY = r"(?i)(руб\.?|р\.|₽|zł|pln|usd|eur|rub|\$|€|£|%)"
_PLAIN = r"^[+-]?\d+(\.\d+)?$"
_COMMA_DECIMAL = r"^[+-]?\d*,\d+$|^[+-]?\d{1,3}(\.\d{3})+,\d+$"
_DOT_DECIMAL = r"^[+-]?\d*\.\d+$|^[+-]?\d{1,3}(,\d{3})+\.\d+$"

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


# Currency marks people type on amounts or in a column's name, by ISO code.
_CURRENCY_CODES = {
    "RUB": re.compile(r"(?i)руб|₽|(?<![a-zа-я])р\.|(?<![a-z])rub(?![a-z])"),
    "PLN": re.compile(r"(?i)zł|złot|(?<![a-z])pln(?![a-z])"),
    "USD": re.compile(r"(?i)\$|(?<![a-z])usd(?![a-z])"),
    "EUR": re.compile(r"(?i)€|(?<![a-z])eur(?![a-z])"),
    "GBP": re.compile(r"(?i)£|(?<![a-z])gbp(?![a-z])"),
}


def currency_of(values: pd.Series, header: object = None, sample: int = 2000) -> str | None:
    """ISO code (RUB, PLN, USD, EUR, GBP) of the one currency that the amounts (the first
    ``sample`` filled values) or the column's ``header`` name; None when none is named or
    several are (never a guess)."""
    texts = [str(header)] if header is not None else []
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        texts += [str(v) for v in values.dropna().head(sample)]
    found = {code for code, mark in _CURRENCY_CODES.items() if any(mark.search(t) for t in texts)}
    return found.pop() if len(found) == 1 else None


def parse_numbers(values: pd.Series) -> tuple[pd.Series, str]:
    """Parse a column of numbers typed by people.

    Handles decimal commas (``4,5``), thousands separators (``1 234,50``, ``1,234.50``) and
    currency marks (``₽``, ``zł``, ``$``). Returns ``(floats, decimal)`` where ``floats`` is a
    float Series (NaN where a value is not a number or empty) and ``decimal`` is ``","`` when the
    column uses decimal commas, else ``"."``.
    """
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return values.astype(float), "."
    numeric = pd.Series(np.nan, index=values.index)
    if values.dtype == object:
        typed = values.map(_is_number)
        numeric[typed] = values[typed].astype(float)
        text = values[values.map(lambda v: isinstance(v, str))].astype("str")
    else:
        text = values.dropna().astype("str")
    text = text.str.strip()
    text = text[text != ""]
    if text.str.match(_PLAIN).all():
        numeric[text.index] = _to_float(text)
        return numeric, "."
    text = text.str.replace(_CURRENCY, "", regex=True).str.replace(_SPACES, "", regex=True)
    commas = int(text.str.match(_COMMA_DECIMAL).sum())
    dots = int(text.str.match(_DOT_DECIMAL).sum())
    decimal = "," if commas > dots else "."
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False)
    numeric[text.index] = _to_float(text)
    return numeric, decimal


def _to_float(text: pd.Series) -> np.ndarray:
    """Floats for number-shaped text, NaN elsewhere; Arrow casts the valid ones in one pass."""
    out = np.full(len(text), np.nan)
    valid = text.str.match(_FLOAT).to_numpy(dtype=bool)
    if valid.any():
        out[valid] = pc.cast(pa.array(text[valid].astype("str").array), pa.float64()).to_numpy(
            zero_copy_only=False
        )
    return out


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | np.number) and not isinstance(v, bool | np.bool_)


def parse_flags(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse yes/no flags (``1/0``, ``true/false``, ``да/нет``, ``tak/nie``, ``x``).

    Returns ``(flags, unknown)``: ``flags`` is a nullable boolean Series (NA where the cell is
    empty or not understood) and ``unknown`` a boolean mask of filled cells that were not
    understood.
    """

    flags = pd.Series(pd.NA, index=values.index, dtype="boolean")
    if values.dtype == object:
        is_bool = values.map(lambda v: isinstance(v, bool | np.bool_))
        flags[is_bool] = values[is_bool].astype(bool)
        typed = values.map(_is_number)
        flags[typed] = values[typed].astype(float) > 0
        words = values[~is_bool & ~typed & values.notna()].astype("str")
    elif pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        filled = values.notna()
        flags[filled] = values[filled].astype(float) > 0
        return flags, pd.Series(False, index=values.index)
    else:
        words = values.dropna().astype("str")
    words = words.str.strip().str.lower()
    words = words[words != ""]
    flags[words.index[words.isin(TRUE_WORDS)]] = True
    flags[words.index[words.isin(FALSE_WORDS)]] = False
    rest = words[~words.isin(TRUE_WORDS | FALSE_WORDS)]
    numbers, _ = parse_numbers(rest)
    flags[numbers.index[numbers.notna()]] = numbers[numbers.notna()] > 0
    unknown = pd.Series(False, index=values.index)
    unknown[numbers.index[numbers.isna()]] = True
    return flags, unknown
