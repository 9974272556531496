"""Durations as people type them ("30d", "12h", "90min", "2 weeks"): the one parser that the
funnel's conversion window, attribution's lookback and the time-decay half-life share."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|h|days?|d|weeks?|w)"
)
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def duration_seconds(text: str | dt.timedelta | pd.Timedelta) -> float:
    """Seconds in a positive duration: ``"30d"``, ``"12h"``, ``"90min"``, ``"45s"``,
    ``"2 weeks"`` (a number and a unit of seconds, minutes, hours, days or weeks) or a
    timedelta. Raises ValueError for anything else, zero and negative durations included."""
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


def window_seconds(window: str | dt.timedelta | pd.Timedelta | None) -> int | None:
    """A conversion window as whole seconds (see :func:`duration_seconds`); None or ``""``
    means no window. Raises ValueError on anything else."""
    if window is None or window == "":
        return None
    return int(duration_seconds(window))
