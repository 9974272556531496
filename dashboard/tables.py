"""Every table in the interface, written in the chosen language.

Streamlit's own number formats follow the browser's locale (``format="localized"``) or a printf
pattern (``"%.2f"``, always a decimal point), so a Polish user on an English browser would read
``2,019`` and ``+0.36``. Tables here are shown as display copies instead: each number, share,
amount, interval and moment pre-formatted by :mod:`journeylib.i18n.formats` in the interface
language and the dataset's time zone, empty cells as "—", numeric columns right-aligned. The raw
numbers stay in the DataFrame a page offers for download (:func:`dashboard.exports.csv_bytes`).

Use::

    from dashboard import tables
    tables.show(frame, {
        "channel": tables.text(t("col.channel"), pinned=True),
        "customers": tables.integer(t("col.customers")),
        "rate": tables.share(t("col.rate")),
        "credit": tables.interval(t("col.credit"), low="credit_low", high="credit_high"),
        "last_seen": tables.moment(t("col.last_seen")),
    }, key="my_table")

Columns not named in the spec are left out (pass ``keep_others=True`` to show them as text).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from journeylib.i18n import formats, get_language, label, t

# Kinds whose text is a number: right-aligned like numbers in any spreadsheet.
_NUMERIC = {"integer", "number", "signed", "share", "points", "money", "interval", "p",
            "count_share"}


@dataclass(frozen=True)
class Column:
    """How one column of a table is shown: its header (already in the language), its kind and
    the options of that kind. Build one with the helpers below (:func:`integer`,
    :func:`share`...)."""

    title: str
    kind: str = "text"
    decimals: int | None = None
    currency: str | None = None
    low: str | None = None
    high: str | None = None
    interval_kind: str = "number"
    pinned: bool = False
    width: str | int | None = None
    help: str | None = None
    words: Callable[[Any], str] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


def text(title: str, *, pinned: bool = False, width: str | int | None = None,
         help: str | None = None) -> Column:
    """The user's own text (names, notes, paths) as it is; long text wraps in a wide column."""
    return Column(title, kind="text", pinned=pinned, width=width, help=help)


def coded(title: str, *, words: Callable[[Any], str] = label, pinned: bool = False,
          width: str | int | None = None, help: str | None = None) -> Column:
    """A column of library codes (``"pain"``, ``"Other"``, ``"not enough data"``) worded by
    ``words`` (default: :func:`journeylib.i18n.label`)."""
    return Column(title, kind="coded", words=words, pinned=pinned, width=width, help=help)


def flag(title: str, *, help: str | None = None, width: str | int | None = None) -> Column:
    """A yes/no value, in words."""
    return Column(title, kind="flag", help=help, width=width)


def integer(title: str, *, help: str | None = None, width: str | int | None = None) -> Column:
    """A count: ``2,019`` / ``2 019`` / ``2019`` (Polish groups from five digits)."""
    return Column(title, kind="integer", decimals=0, help=help, width=width)


def number(title: str, decimals: int | None = None, *, help: str | None = None,
           width: str | int | None = None) -> Column:
    """A measure with ``decimals`` places (None: 0–2 by size) and the language's decimal mark."""
    return Column(title, kind="number", decimals=decimals, help=help, width=width)


def signed(title: str, decimals: int = 2, *, help: str | None = None,
           width: str | int | None = None) -> Column:
    """A value on a signed scale (valence, effect): ``+0,36``, ``−0,12``."""
    return Column(title, kind="signed", decimals=decimals, help=help, width=width)


def share(title: str, *, help: str | None = None, width: str | int | None = None) -> Column:
    """A share 0..1 as a percentage by the one rule of :func:`journeylib.i18n.formats.share`."""
    return Column(title, kind="share", help=help, width=width)


def points(title: str, decimals: int = 1, *, help: str | None = None,
           width: str | int | None = None) -> Column:
    """A difference of shares (0..1 units) in percentage points: ``−38 pp``."""
    return Column(title, kind="points", decimals=decimals, help=help, width=width)


def p_value(title: str, *, help: str | None = None, width: str | int | None = None) -> Column:
    """A p-value: ``0.012``, ``<0.001``."""
    return Column(title, kind="p", help=help, width=width)


def money(title: str, currency: str | None = None, *, help: str | None = None,
          width: str | int | None = None) -> Column:
    """An amount with grouping and, when known (ISO code), its currency mark."""
    return Column(title, kind="money", currency=currency, help=help, width=width)


def interval(title: str, *, low: str, high: str, kind: str = "number", decimals: int | None = None,
             currency: str | None = None, help: str | None = None,
             width: str | int | None = None) -> Column:
    """This column's estimate with the interval in columns ``low`` and ``high``:
    ``120 (105–134)``; ``kind`` is ``number``, ``share``, ``signed``, ``points`` or ``money``
    (with ``currency``, an ISO code, when known)."""
    return Column(title, kind="interval", low=low, high=high, interval_kind=kind, decimals=decimals,
                  currency=currency, help=help, width=width)


def count_share(title: str, *, share: str, help: str | None = None,
                width: str | int | None = None) -> Column:
    """A count with its share (0..1) from column ``share`` in brackets: ``3,950 (79.0%)``, as
    an analytics suite's breakdown table shows each step."""
    return Column(title, kind="count_share", low=share, help=help, width=width)


def moment(title: str, *, help: str | None = None, width: str | int | None = None) -> Column:
    """A timestamp in the dataset's time zone: ``12 Mar 2026, 00:02`` / ``12.03.2026 00:02``."""
    return Column(title, kind="moment", help=help, width=width)


def day(title: str, *, help: str | None = None, width: str | int | None = None) -> Column:
    """A calendar date: ``12 Mar 2026`` / ``12.03.2026``."""
    return Column(title, kind="day", help=help, width=width)


def cell(value: Any, column: Column, row: Mapping[str, Any] | None = None,
         lang: str | None = None, zone: str | None = None) -> str | None:
    """One value as its column shows it; None for an empty cell (Streamlit's placeholder
    writes "—"). ``row`` carries the interval bounds."""
    lang = lang or get_language()
    kind = column.kind
    if kind == "interval":
        row = row or {}
        out = formats.interval(value, row.get(column.low), row.get(column.high),
                               column.interval_kind, lang, column.decimals, column.currency)
    elif _empty(value):
        return None
    elif kind == "count_share":
        row = row or {}
        out = formats.number(float(value), 0, lang)
        part = row.get(column.low)
        if not _empty(part):
            out += f" ({formats.share(float(part), lang)})"
    elif kind == "text":
        return str(value)
    elif kind == "coded":
        words = column.words
        return label(value, lang) if words is None or words is label else words(value)
    elif kind == "flag":
        out = t("tables.yes" if bool(value) else "tables.no", lang)
    elif kind == "integer":
        out = formats.number(float(value), 0, lang)
    elif kind == "number":
        out = formats.number(float(value), column.decimals, lang)
    elif kind == "signed":
        out = formats.signed(float(value), column.decimals or 0, lang)
    elif kind == "share":
        out = formats.share(float(value), lang)
    elif kind == "points":
        out = formats.points(float(value), column.decimals or 0, lang)
    elif kind == "p":
        out = formats.p_value(float(value), lang)
    elif kind == "money":
        out = formats.money(float(value), column.currency, lang)
    elif kind == "moment":
        out = formats.date_time(value, lang, zone)
    elif kind == "day":
        out = formats.date(pd.Timestamp(value).date(), lang)
    else:
        raise ValueError(f"unknown column kind {kind!r}")
    return None if out == formats.EMPTY else out


def display(frame: pd.DataFrame, columns: Mapping[str, Column], *, lang: str | None = None,
            zone: str | None = None, keep_others: bool = False) -> pd.DataFrame:
    """The display copy of ``frame``: the columns of ``columns`` in that order (then, with
    ``keep_others``, the rest as text), every cell a string in the language or None."""
    lang = lang or get_language()
    names = [c for c in columns if c in frame.columns]
    if keep_others:
        names += [c for c in frame.columns if c not in columns]
    records = frame.to_dict("records")
    out = {}
    for name in names:
        spec = columns.get(name) or Column(str(name))
        out[name] = [cell(row[name], spec, row, lang, zone) for row in records]
    return pd.DataFrame(out, index=range(len(frame)), columns=names, dtype=object)


def column_config(columns: Mapping[str, Column]) -> dict[str, Any]:
    """Streamlit column settings for a display copy: headers, pinning, widths, alignment."""
    import streamlit as st

    return {
        name: st.column_config.TextColumn(
            spec.title, pinned=spec.pinned or None, width=spec.width, help=spec.help,
            alignment="right" if spec.kind in _NUMERIC else None,
        )
        for name, spec in columns.items()
    }


def show(frame: pd.DataFrame, columns: Mapping[str, Column], *, key: str | None = None,
         height: int | str = "auto", zone: str | None = None, keep_others: bool = False,
         **options: Any) -> None:
    """``frame`` as a table in the language: see the module docstring. ``zone`` defaults to the
    current dataset's time zone."""
    import streamlit as st

    if zone is None:
        zone = current_zone()
    shown = display(frame, columns, zone=zone, keep_others=keep_others)
    config = column_config({**{c: Column(str(c)) for c in shown.columns}, **columns})
    st.dataframe(shown, hide_index=True, key=key, height=height, column_config=config,
                 placeholder=formats.EMPTY, **options)


def current_zone() -> str | None:
    """The time zone the pages count days in for the dataset in use (None: UTC)."""
    try:
        from dashboard import session

        dataset = session.active_dataset()
        return session.with_timezone(dataset).timezone if dataset is not None else None
    except Exception:  # no dataset loaded, or not in a Streamlit run: UTC
        return None


def _empty(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
