"""Timestamps: ISO, dotted and slashed dates, Excel serials, Unix times, time zones."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from dashboard.data_panels import timestamp_formats_text
from journeylib.i18n import say
from journeylib.timestamps import describe_formats, parse_timestamps


def _utc(*values: str | None) -> list[pd.Timestamp]:
    return [pd.NaT if v is None else pd.Timestamp(v, tz="UTC") for v in values]


def _parse(values: list[object], **kwargs) -> tuple[list[pd.Timestamp], object]:
    parsed = parse_timestamps(pd.Series(values, dtype=object), **kwargs)
    assert str(parsed.values.dtype) == "datetime64[us, UTC]"
    return parsed.values.tolist(), parsed


def test_iso_forms_and_time_zones() -> None:
    values, parsed = _parse([
        "2026-03-01T10:00:00+03:00", "2026-03-01 10:00", "2026-3-1", "2026/03/05 08:00:00",
        "2026-03-01T10:00:00Z", "2026-03-01T10:00:00.123+01:00",
    ])
    assert values == _utc(
        "2026-03-01 07:00", "2026-03-01 10:00", "2026-03-01", "2026-03-05 08:00",
        "2026-03-01 10:00", "2026-03-01 09:00:00.123",
    )
    assert parsed.formats == {"iso": 6}
    assert parsed.date_order is None
    assert describe_formats(parsed) == "ISO (yyyy-mm-dd) (6 rows)"


def test_dotted_dates_with_times() -> None:
    values, parsed = _parse(
        ["01.03.2026 10:15", "15.03.2026 09:30:15", "16.03.26", "1.3.2026 9:05", "31.02.2026"]
    )
    # A two-digit year is not guessed (see test_read_real_files for the refusal).
    assert values == _utc(
        "2026-03-01 10:15", "2026-03-15 09:30:15", None, "2026-03-01 09:05", None,
    )
    assert parsed.n_short_years == 1
    assert parsed.formats == {"dotted": 3}
    assert parsed.date_order == "dmy"
    assert [say(n) for n in parsed.notes] == [
        "Dates read as day/month/year: 3 values can only be read that way."]


def test_month_first_decided_by_the_values() -> None:
    values, parsed = _parse(
        ["03/13/2026 10:15", "03/01/2026", "12/31/2026 11:59 PM", "01/01/2026 12:05 AM"]
    )
    assert values == _utc(
        "2026-03-13 10:15", "2026-03-01", "2026-12-31 23:59", "2026-01-01 00:05",
    )
    assert parsed.date_order == "mdy"
    assert describe_formats(parsed) == "mm/dd/yyyy (4 rows)"


def test_day_first_decided_by_the_values() -> None:
    values, parsed = _parse(["13/03/2026", "01/03/2026", "02-03-2026 14:00"])
    assert values == _utc("2026-03-13", "2026-03-01", "2026-03-02 14:00")
    assert parsed.date_order == "dmy"
    assert describe_formats(parsed) == "dd/mm/yyyy (3 rows)"


def test_ambiguous_dates_default_to_day_first_and_say_so() -> None:
    values, parsed = _parse(["01/03/2026", "02/03/2026"])
    assert values == _utc("2026-03-01", "2026-03-02")
    assert parsed.date_order == "dmy"
    assert "cannot be told from the values" in say(parsed.notes[0])


def test_date_order_forced() -> None:
    values, parsed = _parse(["01/03/2026", "02/03/2026 08:00"], date_order="mdy")
    assert values == _utc("2026-01-03", "2026-02-03 08:00")
    assert parsed.date_order == "mdy"
    assert [say(n) for n in parsed.notes] == ["Dates read as month/day/year, as chosen."]


def test_load_reports_and_forces_date_order() -> None:
    data = b"Customer ID,Date,Stage\nc1,01/03/2026,A\nc2,02/03/2026,B\n"
    auto = jl.load(data)
    assert auto.report.date_order == "dmy"
    assert auto.report.timestamp_formats == {"slashed": 2}
    assert auto.table.order_by("source_row").to_pandas()["timestamp"].tolist() == _utc(
        "2026-03-01", "2026-03-02"
    )
    forced = jl.load(data, date_order="mdy")
    assert forced.report.date_order == "mdy"
    assert timestamp_formats_text(forced.report) == "mm/dd/yyyy (2 rows)"
    assert forced.table.order_by("source_row").to_pandas()["timestamp"].tolist() == _utc(
        "2026-01-03", "2026-02-03"
    )


def test_excel_serials_and_unix_times() -> None:
    values, parsed = _parse([
        "46082.4375", "46082", 46082.5, 1772359200, "1772359200000", 1772359200000,
    ])
    assert values == _utc(
        "2026-03-01 10:30", "2026-03-01", "2026-03-01 12:00", "2026-03-01 10:00",
        "2026-03-01 10:00", "2026-03-01 10:00",
    )
    assert parsed.formats == {"excel": 3, "unix_s": 1, "unix_ms": 2}


def test_numeric_column_of_unix_seconds() -> None:
    parsed = parse_timestamps(pd.Series([1772359200, 1772359300], dtype="int64"))
    assert parsed.values.tolist() == _utc("2026-03-01 10:00", "2026-03-01 10:01:40")
    assert parsed.formats == {"unix_s": 2}
    small = parse_timestamps(pd.Series([5.0, np.nan]))
    assert small.values.isna().all()


def test_date_cells_and_aware_datetimes() -> None:
    values, parsed = _parse([
        dt.datetime(2026, 3, 1, 10, 0),
        pd.Timestamp("2026-03-01 10:00", tz="Europe/Warsaw"),
        dt.date(2026, 3, 2),
    ])
    assert values == _utc("2026-03-01 10:00", "2026-03-01 09:00", "2026-03-02")
    assert parsed.formats == {"datetime": 3}
    moscow = pd.Series(pd.to_datetime(["2026-03-01 10:00"]).tz_localize("Europe/Moscow"))
    assert parse_timestamps(moscow).values.tolist() == _utc("2026-03-01 07:00")
    naive = pd.Series(pd.to_datetime(["2026-03-01 10:00"]))
    assert parse_timestamps(naive).values.tolist() == _utc("2026-03-01 10:00")


def test_written_out_dates() -> None:
    values, parsed = _parse(["Mar 5, 2026", "5 March 2026 14:30"])
    assert values == _utc("2026-03-05", "2026-03-05 14:30")
    assert parsed.formats == {"text": 2}


@pytest.mark.parametrize("value", ["", None, "garbage", "2026-13-45", "32.01.2026", "12345"])
def test_unreadable_values_are_nat(value) -> None:
    values, _ = _parse([value, "2026-03-01"])
    assert values[0] is pd.NaT
    assert values[1] == pd.Timestamp("2026-03-01", tz="UTC")


def test_mixed_formats_in_one_column() -> None:
    values, parsed = _parse([
        "2026-03-01T10:00:00+03:00", "15.03.2026 09:30", 46082.5, dt.datetime(2026, 3, 4, 8),
    ])
    assert values == _utc(
        "2026-03-01 07:00", "2026-03-15 09:30", "2026-03-01 12:00", "2026-03-04 08:00",
    )
    assert parsed.formats == {"datetime": 1, "excel": 1, "iso": 1, "dotted": 1}


def test_time_zone_offsets_in_a_loaded_file() -> None:
    data = (
        b"Customer ID,Date,Stage\n"
        b"c1,2026-03-01T10:00:00+03:00,A\n"
        b"c1,2026-03-01T10:00:00+01:00,B\n"
        b"c2,2026-03-01T10:00:00Z,A\n"
    )
    ds = jl.load(data)
    assert ds.table.order_by("source_row").to_pandas()["timestamp"].tolist() == _utc(
        "2026-03-01 07:00", "2026-03-01 09:00", "2026-03-01 10:00",
    )
    assert str(ds.table.schema()["timestamp"]) == "timestamp('UTC', 6)"
