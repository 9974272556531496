"""The dataset's time zone: local wall time in the query engine, for every calendar grouping.

Timestamps are stored in UTC. Days, weeks, months and cohorts are counted in the dataset's
time zone (``Dataset.timezone``, an IANA name such as ``"Europe/Warsaw"``; ``"UTC"`` by
default), so a touchpoint at 23:30 UTC on 1 March falls on 2 March in Warsaw. Ibis has no
portable time-zone conversion, so :func:`local_time` dispatches on the engine: DuckDB's
``timezone(zone, timestamptz)`` (ICU) and Spark's ``from_utc_timestamp(ts, zone)``. Both
follow the zone's daylight-saving rules. In UTC the stored values are used as they are.
"""

from __future__ import annotations

import dataclasses
import re
import zoneinfo
from collections.abc import Mapping
from functools import cache

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from journeylib.dataset import Dataset, zone_key
from journeylib.errors import EngineError
from journeylib.i18n import t

UTC = "UTC"
# Engines whose conversion is known, by Ibis backend name.
ENGINES = ("duckdb", "pyspark")
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


# The operation an engine outside ENGINES lacks, as UnsupportedEngine names it.
ZONE_OPERATION = "TimeZoneConversion"


class UnsupportedEngine(EngineError):
    """The engine has no known conversion to local time: an :class:`EngineError` whose
    ``engine`` names it and whose ``operation`` is :data:`ZONE_OPERATION`."""

    def __init__(self, engine: str, operation: str = ZONE_OPERATION) -> None:
        super().__init__(engine, operation)


@ibis.udf.scalar.builtin(name="timezone")
def _duckdb_local(zone: str, timestamp: dt.Timestamp(timezone="UTC")) -> dt.timestamp:  # type: ignore[empty-body]
    """DuckDB: the wall time in ``zone`` of a UTC timestamp (a plain timestamp)."""


@ibis.udf.scalar.builtin(name="from_utc_timestamp")
def _spark_local(timestamp: dt.timestamp, zone: str) -> dt.timestamp:  # type: ignore[empty-body]
    """Spark: the wall time in ``zone`` of a UTC timestamp."""


@cache
def zone_names() -> tuple[str, ...]:
    """IANA zone names a dataset may use, sorted, ``"UTC"`` first (region/city names and the
    fixed ``Etc/GMT±h`` zones; aliases such as ``posix/...`` left out)."""
    names = {
        z for z in zoneinfo.available_timezones()
        if "/" in z and not z.startswith(("posix/", "right/", "SystemV/"))
    }
    return (UTC, *sorted(names - {UTC}))


def check_zone(zone: str) -> str:
    """``zone`` when it is one of :func:`zone_names`; raises ValueError otherwise."""
    if zone not in zone_names():
        raise ValueError(f"unknown time zone {zone!r}: expected an IANA name, e.g. 'Europe/Warsaw'")
    return zone


def with_timezone(ds: Dataset, zone: str | None) -> Dataset:
    """``ds`` counting calendar periods in ``zone`` (None: keep ``ds.timezone``).

    The result has its own ``key`` (:func:`journeylib.dataset.zone_key`: cached results of one
    zone are never shown for another).
    Raises ValueError for a name not in :func:`zone_names`.
    """
    if zone is None or zone == ds.timezone:
        return ds
    check_zone(zone)
    return dataclasses.replace(ds, timezone=zone, key=zone_key(ds.key, zone))


def engine_name(table: ir.Table) -> str:
    """The Ibis backend name of the engine behind ``table`` (``"duckdb"``, ``"pyspark"``)."""
    return table._find_backend().name


def supports_zones(ds: Dataset) -> bool:
    """Whether the engine behind ``ds`` can count calendar periods in a zone other than UTC
    (its backend is one of :data:`ENGINES`)."""
    return engine_name(ds.table) in ENGINES


def local_time(ds: Dataset, timestamp: ir.TimestampValue) -> ir.TimestampValue:
    """``timestamp`` (a UTC column of ``ds.table``) as wall time in ``ds.timezone``.

    Returns the stored value in UTC; otherwise a plain (zone-less) timestamp holding the local
    date and time, daylight saving included, whose ``truncate``/``date`` give local calendar
    periods. Raises :class:`UnsupportedEngine` on an engine without a known conversion.
    """
    if ds.timezone == UTC:
        return timestamp
    engine = engine_name(ds.table)
    if engine == "duckdb":
        return _duckdb_local(ds.timezone, timestamp)
    if engine == "pyspark":
        return _spark_local(timestamp, ds.timezone)
    raise UnsupportedEngine(engine)


def zone_from_offsets(offsets: Mapping[str, int], named: str | None = None) -> str:
    """The default zone for data whose timestamps carried ``offsets`` (UTC offset ``"+03:00"``
    -> rows, as :class:`journeylib.timestamps.ParsedTimestamps` counts them).

    ``named``: a zone the values carried by name (a zoned datetime column), used when known.
    One consistent whole-hour offset gives its fixed zone (``"+03:00"`` -> ``"Etc/GMT-3"``,
    whose sign POSIX inverts); anything else (no offsets, several, or a half-hour offset
    without an ``Etc`` zone) gives ``"UTC"``.
    """
    if named and named in zone_names():
        return named
    used = [o for o, n in offsets.items() if n]
    if len(used) != 1 or not (m := _OFFSET.match(used[0])):
        return UTC
    sign, hours, minutes = m.groups()
    if int(minutes) or int(hours) > 14 or (sign == "-" and int(hours) > 12):
        return UTC
    if int(hours) == 0:
        return UTC
    return f"Etc/GMT{'-' if sign == '+' else '+'}{int(hours)}"


def axis_title(title: str, zone: str) -> str:
    """A chart's date-axis ``title`` naming the time zone its dates are in, in the current
    language: ``"Week of entry (Europe/Warsaw)"``."""
    return t("timezone.axis", axis=title, zone=zone)
