"""Durations as people type them ("30d", "12h", "90min", "2 weeks", "3mo"): the one parser that
the funnel's conversion window, attribution's lookback and the time-decay half-life share."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|h|days?|d|weeks?|w)"
)
_MONTHS = re.compile(r"(\d+)\s*(?:mo|mos|months?)")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def duration_seconds(text: str | dt.timedelta | pd.Timedelta) -> float:
    """Seconds in a positive duration: ``"30d"``, ``"12h"``, ``"90min"``, ``"45s"``,
    ``"2 weeks"`` (a number and a unit of seconds, minutes, hours, days or weeks) or a
    timedelta. Raises ValueError for anything else, zero and negative durations included
    (months too: their length varies, see :func:`window_months`)."""
    if isinstance(text, dt.timedelta | pd.Timedelta):
        seconds = pd.Timedelta(text).total_seconds()
    else:
        match = _DURATION.fullmatch(str(text).strip().lower())
        if match is None:
            raise ValueError(
                f"{text!r} is not a positive duration such as '30d', '12h' or '90min'"
            )
        seconds = float(match[1]) * _UNITS[match[2][0]]
    if seconds <= 0:
        raise ValueError(f"duration {text!r} must be longer than zero")
    return seconds


def window_months(window: object) -> int | None:
    """The number of calendar months in a month window (``"1mo"``, ``"3mo"``, ``"2 months"``);
    None when ``window`` is not written in months. Raises ValueError for zero months."""
    if not isinstance(window, str):
        return None
    match = _MONTHS.fullmatch(window.strip().lower())
    if match is None:
        return None
    months = int(match[1])
    if months <= 0:
        raise ValueError(f"duration {window!r} must be longer than zero")
    return months


@dataclass(frozen=True)
class Window:
    """A conversion window: ``seconds`` (a fixed length) or ``months`` (calendar months from
    the start, so "1mo" from 31 January ends on the last day of February, at the same time of
    day); exactly one is set."""

    seconds: int | None = None
    months: int | None = None


def parse_window(window: str | dt.timedelta | pd.Timedelta | None) -> Window | None:
    """A conversion window as typed (see :func:`duration_seconds` and :func:`window_months`);
    None or ``""`` means no window. Raises ValueError on anything else."""
    if window is None or window == "":
        return None
    months = window_months(window)
    if months is not None:
        return Window(months=months)
    return Window(seconds=int(duration_seconds(window)))


MAX_MONTH_SECONDS = 31 * 86400


def window_seconds(window: str | dt.timedelta | pd.Timedelta | None) -> int | None:
    """A conversion window as whole seconds (see :func:`duration_seconds`); None or ``""``
    means no window. A month window (``"3mo"``) gives the longest it can last (31-day
    months), for callers that need a bound such as "has this cohort had the whole window";
    the funnel itself counts calendar months (:func:`parse_window`). Raises ValueError on
    anything else."""
    if window is None or window == "":
        return None
    months = window_months(window)
    if months is not None:
        return months * MAX_MONTH_SECONDS
    return int(duration_seconds(window))
