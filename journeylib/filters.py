"""Filters that apply to every analysis: date range, segments, channels and stages."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import ibis
import pandas as pd

from journeylib.dataset import Dataset
from journeylib.engine import to_pandas
from journeylib.messages import Message


@dataclass(frozen=True)
class Filters:
    """Which touchpoints to keep. Empty tuples and None mean "no restriction".

    ``start``/``end``: first and last calendar day kept (UTC, inclusive). ``segments``,
    ``channels``, ``stages``: keep touchpoints whose value is one of these.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    segments: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """Whether any restriction is set."""
        return any((self.start, self.end, self.segments, self.channels, self.stages))


def filter_options(ds: Dataset) -> dict[str, object]:
    """What the filters can choose from, from one query per list.

    Returns ``first`` and ``last`` (UTC dates of the earliest and latest touchpoint) and sorted
    lists ``segments``, ``channels``, ``stages`` (stages in journey order).
    """
    t = ds.table
    span = to_pandas(t.aggregate(first=t.timestamp.min(), last=t.timestamp.max())).iloc[0]
    values = to_pandas(
        t.select(column=ibis.literal("segment"), value=t.segment)
        .union(t.select(column=ibis.literal("channel"), value=t.channel))
        .union(t.select(column=ibis.literal("stage"), value=t.stage))
        .filter(lambda r: r.value.notnull())
        .distinct()
    )
    by_column = {
        c: sorted(values.loc[values["column"] == c, "value"])
        for c in ("segment", "channel", "stage")
    }
    rank = {s: i for i, s in enumerate(ds.stages)}
    return {
        "first": pd.Timestamp(span["first"]).date(),
        "last": pd.Timestamp(span["last"]).date(),
        "segments": by_column["segment"],
        "channels": by_column["channel"],
        "stages": sorted(by_column["stage"], key=lambda s: (rank.get(s, len(rank)), s)),
    }


def apply_filters(ds: Dataset, filters: Filters) -> Dataset:
    """The dataset restricted to the touchpoints ``filters`` keep (the same object when none).

    The result's ``table`` is a filtered Ibis expression over the same engine table, its
    ``key`` names the filters (for caching) and its ``filters`` attribute holds them (see
    :func:`describe_filters`).
    """
    if not filters.active:
        return ds
    t = ds.table
    conditions = []
    if filters.start is not None:
        conditions.append(t.timestamp >= _utc_midnight(filters.start))
    if filters.end is not None:
        conditions.append(t.timestamp < _utc_midnight(filters.end + dt.timedelta(days=1)))
    for column, chosen in (
        ("segment", filters.segments),
        ("channel", filters.channels),
        ("stage", filters.stages),
    ):
        if chosen:
            conditions.append(t[column].isin(list(chosen)))
    return dataclasses.replace(
        ds,
        table=t.filter(*conditions),
        key=f"{ds.key}|{filters!r}",
        filters=filters,
    )


def _utc_midnight(day: dt.date):
    return ibis.timestamp(dt.datetime(day.year, day.month, day.day), timezone="UTC")


# Catalogue entry naming each list filter, in the order the description lists them.
_DESCRIBED = (
    ("filters.segment", "segments"),
    ("filters.channel", "channels"),
    ("filters.stage", "stages"),
)


def describe_filters(filters: Filters | None) -> list[Message]:
    """The active filters as messages, one per restriction ([] when none).

    ``journeylib.i18n.say(describe_filters(f), sep="; ")`` words them in one line, e.g.
    ``"1 Mar 2026 – 30 Jun 2026; segment: Business; channels: email, search"``.
    """
    if filters is None:
        return []
    parts = []
    if filters.start and filters.end:
        parts.append(Message("filters.between", {"start": filters.start, "end": filters.end}))
    elif filters.start:
        parts.append(Message("filters.since", {"start": filters.start}))
    elif filters.end:
        parts.append(Message("filters.until", {"end": filters.end}))
    for key, attribute in _DESCRIBED:
        if chosen := getattr(filters, attribute):
            parts.append(Message(key, {"n": len(chosen), "values": ", ".join(chosen)}))
    return parts
