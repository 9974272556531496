"""Timestamps in the forms spreadsheets hold: ISO, dd.mm.yyyy, dd/mm or mm/dd, Excel, Unix."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from journeylib.i18n import t
from journeylib.messages import Message

# Patterns are plain strings so that pandas and Arrow run them vectorised (RE2 syntax).
_TIME = (
    r"(?:[ T,]+(?P<g3>\d{1,2}):(?P<g4>\d{2})(?::(?P<g5>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<g6>[AaPp][Mm])?)?"
)
# Years of two or three digits are matched so that they can be refused (see MIN_YEAR).
DOTTED = r"^(?P<g0>\d{1,2})\.(?P<g1>\d{1,2})\.(?P<g2>\d{2,4})" + _TIME + r"$"
SLASHED = r"^(?P<g0>\d{1,2})[/-](?P<g1>\d{1,2})[/-](?P<g2>\d{2,4})" + _TIME + r"$"
ISO = r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}"
# The UTC offset at the end of an ISO timestamp ("+03:00", "+0300", "Z").
ISO_OFFSET = r"\d(Z|[+-]\d{2}:?\d{2})$"
NUMBER = r"^\d+(\.\d+)?$"
MONTH_WORD = r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
EXCEL_EPOCH = pd.Timestamp("1899-12-30", tz="UTC")
# A year below this was written with two or three digits ("01.01.99", "01.01.0099"): which
# century is meant cannot be known, so such dates are not read (never guessed as 2099).
MIN_YEAR = 1000
FULL_YEAR = r"(?<!\d)[1-9]\d{3}(?!\d)"


@dataclass
class ParsedTimestamps:
    """Result of :func:`parse_timestamps`.

    ``values``: UTC timestamps (NaT where a value could not be read or is empty).
    ``formats``: rows read per format label (``datetime``, ``iso``, ``dotted``, ``slashed``,
    ``excel``, ``unix_s``, ``unix_ms``, ``text``; named for people by the catalogue's
    ``load.formats.<label>``). ``date_order``: ``"dmy"`` or ``"mdy"`` for
    dd/mm vs mm/dd dates (None when there were none). ``notes``: messages for the user.
    ``short_years``: True where a date has a year of two or three digits (below
    :data:`MIN_YEAR`), which is left unread (NaT); :meth:`short_year_example` shows one.
    ``offsets``: rows per UTC offset written in ISO text (``"+03:00"``; ``Z`` counts as
    ``"+00:00"``) or carried by a fixed-offset datetime column. ``zone``: the IANA zone of a
    zoned datetime column (None otherwise). Both only describe the file; values are in UTC.
    """

    values: pd.Series
    formats: dict[str, int] = field(default_factory=dict)
    date_order: str | None = None
    notes: list[Message] = field(default_factory=list)
    short_years: pd.Series = field(default_factory=lambda: pd.Series(dtype=bool))
    # The values behind ``short_years``, as written (index: theirs in ``values``).
    short_year_text: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    offsets: dict[str, int] = field(default_factory=dict)
    zone: str | None = None

    @property
    def n_short_years(self) -> int:
        """Values with a year of two or three digits (left unread)."""
        return int(self.short_years.sum())

    def short_year_example(self) -> str | None:
        """The first value with a year of two or three digits, as written; None when none."""
        return str(self.short_year_text.iloc[0]) if len(self.short_year_text) else None


def parse_timestamps(values: pd.Series, date_order: str | None = None) -> ParsedTimestamps:
    """Read a column of timestamps; timezone-aware values are converted to UTC.

    ``date_order`` forces ``"dmy"`` or ``"mdy"`` for ambiguous day/month dates; by default it
    is decided from the values (a first number above 12 means day first) and dd/mm is assumed
    when every value is ambiguous.
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
    result = ParsedTimestamps(values=out, short_years=pd.Series(False, index=values.index))
    if pd.api.types.is_datetime64_any_dtype(values):
        _note_zone(values, result)
        out[:] = _to_utc(values)
        result.formats["datetime"] = int(out.notna().sum())
        return result
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        _parse_numbers(values.astype(float), out, result)
        return result

    is_dt = pd.Series(False, index=values.index)
    is_num = pd.Series(False, index=values.index)
    if values.dtype == object:  # typed spreadsheet cells: dates and numbers next to text
        is_dt = values.map(
            lambda v: isinstance(v, dt.datetime | dt.date | pd.Timestamp | np.datetime64)
        )
        if is_dt.any():
            out[is_dt] = _to_utc(pd.to_datetime(values[is_dt].astype(object), utc=True))
            result.formats["datetime"] = int(out[is_dt].notna().sum())
        is_num = values.map(
            lambda v: isinstance(v, int | float | np.number) and not isinstance(v, bool)
        )
    text = values[~is_dt & ~is_num].dropna().astype("str").str.strip()
    text = text[text != ""]
    numeric_text = text[text.str.match(NUMBER)]
    numbers = pd.concat([values[is_num].astype(float), numeric_text.astype(float)])
    if len(numbers):
        _parse_numbers(numbers.dropna(), out, result)
    text = text.drop(numeric_text.index)
    if len(text):
        _parse_text(text, out, result, date_order)
    result.short_year_text = text[result.short_years.reindex(text.index, fill_value=False)]
    return result


def _note_zone(values: pd.Series, result: ParsedTimestamps) -> None:
    """Record the zone or fixed offset a zoned datetime column carries."""
    tz = getattr(values.dt, "tz", None)
    if tz is None:
        return
    name = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if name:
        result.zone = str(name)
        return
    offset = values.dropna().iloc[0].utcoffset() if values.notna().any() else None
    if offset is not None:
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        text = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        result.offsets = {text: int(values.notna().sum())}


def _to_utc(values: pd.Series) -> pd.Series:
    values = pd.to_datetime(values)
    if getattr(values.dt, "tz", None) is None:
        values = values.dt.tz_localize("UTC")
    return values.dt.tz_convert("UTC").astype("datetime64[us, UTC]")


def _parse_numbers(numbers: pd.Series, out: pd.Series, result: ParsedTimestamps) -> None:
    ranges = [
        ("excel", 20_000, 80_000, lambda x: EXCEL_EPOCH + pd.to_timedelta(x, unit="D")),
        ("unix_s", 1e8, 1e10, lambda x: pd.to_datetime(x, unit="s", utc=True)),
        ("unix_ms", 1e11, 1e13, lambda x: pd.to_datetime(x, unit="ms", utc=True)),
    ]
    for label, low, high, convert in ranges:
        part = numbers[(numbers >= low) & (numbers < high)]
        if len(part):
            out[part.index] = convert(part).astype("datetime64[us, UTC]")
            result.formats[label] = result.formats.get(label, 0) + len(part)


def _parse_text(text: pd.Series, out: pd.Series, result: ParsedTimestamps, order: str | None):
    iso = text[text.str.match(ISO)]
    short = iso.str.slice(0, 4).astype(int) < MIN_YEAR
    result.short_years[short[short].index] = True
    iso = iso[~short]
    if len(iso):
        normalised = iso.str.replace(r"^(\d{4})/(\d{1,2})/(\d{1,2})", r"\1-\2-\3", regex=True)
        parsed = pd.to_datetime(normalised, format="ISO8601", utc=True, errors="coerce")
        out[iso.index] = parsed.astype("datetime64[us, UTC]")
        result.formats["iso"] = int(parsed.notna().sum())
        offsets = iso[parsed.notna()].str.extract(ISO_OFFSET, expand=False).dropna()
        offsets = offsets.str.replace("Z", "+00:00").str.replace(r"^([+-]\d{2})(\d{2})$",
                                                                 r"\1:\2", regex=True)
        result.offsets = {str(k): int(n) for k, n in offsets.value_counts().items()}
    rest = text.drop(iso.index).drop(short[short].index)
    dotted = _extract(rest, DOTTED)
    slashed = _extract(rest[dotted[0].isna()], SLASHED).reindex(rest.index)
    if dotted[0].notna().any() or slashed[0].notna().any():
        chosen = order or _decide_order(
            pd.concat([dotted[[0, 1]].dropna(), slashed[[0, 1]].dropna()])
        )
        result.date_order = chosen
        result.notes.append(
            _order_note(
                chosen,
                order is not None,
                pd.concat([dotted[[0, 1]].dropna(), slashed[[0, 1]].dropna()]),
            )
        )
        for label, parts in (("dotted", dotted), ("slashed", slashed)):
            parts = parts.dropna(subset=[0])
            short = parts[2] < MIN_YEAR
            result.short_years[short[short].index] = True
            parts = parts[~short]
            if len(parts):
                parsed = _from_parts(parts, chosen)
                out[parts.index] = parsed
                result.formats[label] = int(parsed.notna().sum())
    rest = rest[dotted[0].isna() & slashed[0].isna()]
    worded = rest[rest.str.contains(MONTH_WORD)]
    # A written-out date without a four-digit year ("1 Mar 26") would have its century guessed.
    short = ~worded.str.contains(FULL_YEAR)
    result.short_years[short[short].index] = True
    worded = worded[~short]
    if len(worded):
        parsed = pd.to_datetime(
            worded, format="mixed", utc=True, errors="coerce", dayfirst=(result.date_order != "mdy")
        )
        out[worded.index] = parsed.astype("datetime64[us, UTC]")
        result.formats["text"] = int(parsed.notna().sum())


def _extract(text: pd.Series, pattern: str) -> pd.DataFrame:
    """Groups g0..g6 of ``pattern`` as columns 0..6, computed by Arrow: numbers as floats
    (NaN where absent or the value did not match), the am/pm group as text."""
    matched = pc.extract_regex(pa.array(text.astype("str").array), pattern)
    columns = {}
    for i, group in enumerate(matched.flatten()):
        group = pc.if_else(pc.equal(group, ""), None, group)
        if i < 6:
            columns[i] = pc.cast(group, pa.float64()).to_numpy(zero_copy_only=False)
        else:
            columns[i] = group.to_pandas()
    return pd.DataFrame(columns, index=text.index)


def _decide_order(pairs: pd.DataFrame) -> str:
    first, second = pairs[0], pairs[1]
    day_first = int((first > 12).sum())
    month_first = int((second > 12).sum())
    return "mdy" if month_first > day_first else "dmy"


def _order_note(order: str, forced: bool, pairs: pd.DataFrame) -> Message:
    name = Message(f"load.dates.{order}")
    if forced:
        return Message("load.dates.chosen", {"order": name})
    first, second = pairs[0], pairs[1]
    if (first > 12).any() or (second > 12).any():
        evidence = int((first > 12).sum() if order == "dmy" else (second > 12).sum())
        return Message("load.dates.evidence", {"order": name, "n": evidence})
    return Message("load.dates.ambiguous", {"order": name})


def _from_parts(parts: pd.DataFrame, order: str) -> pd.Series:
    first, second, year = parts[0].astype(float), parts[1].astype(float), parts[2].astype(float)
    day, month = (first, second) if order == "dmy" else (second, first)
    hour = parts[3].astype(float).fillna(0)
    ampm = parts[6].astype("str").str.lower()
    hour = hour.where(~((ampm == "pm") & (hour < 12)), hour + 12)
    hour = hour.where(~((ampm == "am") & (hour == 12)), 0)
    frame = pd.DataFrame(
        {
            "year": year,
            "month": month,
            "day": day,
            "hour": hour,
            "minute": parts[4].astype(float).fillna(0),
            "second": parts[5].astype(float).fillna(0),
        }
    )
    parsed = pd.to_datetime(frame, errors="coerce")
    return parsed.dt.tz_localize("UTC").astype("datetime64[us, UTC]")


def describe_formats(parsed: ParsedTimestamps) -> str:
    """The timestamp formats found with their rows, in the current language, e.g.
    ``dd.mm.yyyy (980 rows)``; the catalogue's "none" when no value was read."""
    found = sorted(((k, n) for k, n in parsed.formats.items() if n), key=lambda kv: -kv[1])
    return _format_list([(_format_name(k, parsed.date_order), n) for k, n in found])


def _format_name(label: str, date_order: str | None) -> str:
    # dd/mm and mm/dd dates share a label; the order decides which name fits.
    mdy = label in ("slashed", "dotted") and date_order == "mdy"
    return t(f"load.formats.{label}_mdy" if mdy else f"load.formats.{label}")


def _format_list(counts: list[tuple[str, int]]) -> str:
    parts = [t("load.formats.rows", format=name, n=n) for name, n in counts]
    return ", ".join(parts) if parts else t("load.formats.none")
