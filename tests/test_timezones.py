"""The dataset's time zone: calendar periods in local wall time, DST included, on DuckDB; the
default from the file's offsets; kept with a workspace. (Spark: tests/test_timezones_spark.py.)"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import journeylib as jl
from journeylib import emotion, timezones
from journeylib.conversion import conversion_trend
from journeylib.load import file_timezone
from journeylib.quality import touchpoints_over_time
from journeylib.timezones import UTC, UnsupportedEngine, with_timezone, zone_from_offsets
from journeylib.workspace import open_workspace, save_workspace

WARSAW = "Europe/Warsaw"


def _ds(rows: list[tuple[str, str, str]], **columns) -> jl.Dataset:
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage"])
    for name, values in columns.items():
        frame[name] = values
    return jl.load(frame, stages=["Awareness", "Consideration", "Purchase"])


# Warsaw is UTC+1 in winter (CET) and UTC+2 in summer (CEST, from 29 March 2026 01:00 UTC).
BOUNDARY = [
    ("a", "2026-03-01T23:30:00Z", "Awareness"),  # 00:30 on 2 March in Warsaw
    ("b", "2026-03-01T22:30:00Z", "Awareness"),  # 23:30 on 1 March: same day in Warsaw
    ("c", "2026-07-01T22:30:00Z", "Awareness"),  # 00:30 on 2 July (summer time)
    ("d", "2026-07-01T21:30:00Z", "Awareness"),  # 23:30 on 1 July
]


def _days(frame: pd.DataFrame) -> dict[str, int]:
    return {str(d.date()): int(n) for d, n in zip(frame["period_start"], frame.iloc[:, -1],
                                                  strict=True)}


def test_day_boundary_in_warsaw_follows_summer_time() -> None:
    ds = _ds(BOUNDARY)
    assert ds.timezone == UTC
    utc = touchpoints_over_time(ds, "day")
    assert dict(zip(utc["period_start"].dt.date.astype(str), utc["touchpoints"], strict=True)) == {
        "2026-03-01": 2, "2026-07-01": 2}
    local = touchpoints_over_time(with_timezone(ds, WARSAW), "day")
    assert dict(zip(local["period_start"].dt.date.astype(str), local["touchpoints"],
                    strict=True)) == {
        "2026-03-01": 1, "2026-03-02": 1, "2026-07-01": 1, "2026-07-02": 1}
    assert (local["period_end"] - local["period_start"]).eq(pd.Timedelta(days=1)).all()


def test_same_instant_another_day_in_new_york() -> None:
    # 02:30 UTC on 2 March is 21:30 on 1 March in New York (UTC-5).
    ds = with_timezone(_ds([("a", "2026-03-02T02:30:00Z", "Awareness")]), "America/New_York")
    out = touchpoints_over_time(ds, "day")
    assert out["period_start"].dt.date.tolist() == [dt.date(2026, 3, 1)]


def test_emotion_timeline_days_are_local() -> None:
    ds = _ds(BOUNDARY, emotion=[5, 1, 5, 1])
    local = emotion.emotion_timeline(with_timezone(ds, WARSAW), "day", min_n=1)
    assert local["period_start"].dt.date.astype(str).tolist() == [
        "2026-03-01", "2026-03-02", "2026-07-01", "2026-07-02"]
    assert local["n"].tolist() == [1, 1, 1, 1]
    utc = emotion.emotion_timeline(ds, "day", min_n=1)
    assert utc["n"].tolist() == [2, 2]


def test_conversion_trend_week_of_entry_is_local() -> None:
    # Sunday 8 March 23:30 UTC is Monday 9 March 00:30 in Warsaw: the next week's cohort.
    rows = [
        ("a", "2026-03-08T23:30:00Z", "Awareness"), ("a", "2026-03-10T10:00:00Z", "Purchase"),
        ("b", "2026-03-04T10:00:00Z", "Awareness"),
    ]
    ds = _ds(rows)
    steps = ["Awareness", "Purchase"]
    utc = conversion_trend(ds, steps)
    assert utc["period_start"].dt.date.tolist() == [dt.date(2026, 3, 2)]
    assert utc["entered"].tolist() == [2]
    local = conversion_trend(with_timezone(ds, WARSAW), steps)
    assert local["period_start"].dt.date.tolist() == [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]
    assert local["entered"].tolist() == [1, 1]
    assert local["converted"].tolist() == [0, 1]


def test_month_boundary_is_local() -> None:
    # 31 March 22:30 UTC is 1 April 00:30 in Warsaw (summer time).
    ds = _ds([("a", "2026-03-31T22:30:00Z", "Awareness")])
    utc = touchpoints_over_time(ds, "month")
    local = touchpoints_over_time(with_timezone(ds, WARSAW), "month")
    assert utc["period_start"].dt.date.tolist() == [dt.date(2026, 3, 1)]
    assert local["period_start"].dt.date.tolist() == [dt.date(2026, 4, 1)]


def test_with_timezone_gives_its_own_key_and_checks_the_name() -> None:
    ds = _ds(BOUNDARY)
    warsaw = with_timezone(ds, WARSAW)
    assert warsaw.timezone == WARSAW and warsaw.key != ds.key
    assert with_timezone(warsaw, UTC).key == ds.key
    assert with_timezone(ds, None) is ds
    assert with_timezone(jl.apply_filters(warsaw, jl.Filters(segments=("x",))), "Asia/Tokyo"
                         ).key.count("|tz=") == 1
    with pytest.raises(ValueError, match="unknown time zone"):
        with_timezone(ds, "Mars/Olympus")
    with pytest.raises(ValueError):
        with_timezone(ds, "'; DROP TABLE x; --")


def test_an_unknown_engine_is_named(monkeypatch) -> None:
    ds = with_timezone(_ds(BOUNDARY), WARSAW)
    monkeypatch.setattr(timezones, "engine_name", lambda table: "sqlite")
    with pytest.raises(UnsupportedEngine, match="sqlite") as raised:
        touchpoints_over_time(ds, "day")
    # An engine lacking an operation, like any other (worded by the catalogue).
    assert isinstance(raised.value, jl.EngineError)
    assert raised.value.code == "errors.engine_lacks_operation"
    assert raised.value.params == {"engine": "sqlite", "operation": timezones.ZONE_OPERATION}
    # UTC needs no conversion, so it works on any engine.
    assert touchpoints_over_time(with_timezone(ds, UTC), "day")["touchpoints"].sum() == 4


@pytest.mark.parametrize(("offsets", "named", "zone"), [
    ({"+03:00": 10}, None, "Etc/GMT-3"),
    ({"-05:00": 4}, None, "Etc/GMT+5"),
    ({"+00:00": 4}, None, UTC),
    ({"+01:00": 3, "+02:00": 5}, None, UTC),  # summer and winter time: no single zone
    ({"+05:30": 3}, None, UTC),  # no Etc zone for half hours
    ({}, None, UTC),
    ({}, WARSAW, WARSAW),
    ({"+03:00": 1}, "Not/AZone", "Etc/GMT-3"),
])
def test_zone_from_offsets(offsets, named, zone) -> None:
    assert zone_from_offsets(offsets, named) == zone


def test_the_files_offsets_set_the_default_zone() -> None:
    stamps = ["2026-03-01T23:30:00+03:00", "2026-03-02T09:00:00+0300"]
    ds = jl.load(pd.DataFrame({"customer_id": ["a", "b"], "timestamp": stamps,
                               "stage": ["Awareness", "Awareness"]}))
    assert ds.report.timestamp_offsets == {"+03:00": 2}
    assert ds.timezone == "Etc/GMT-3"
    # Stored in UTC (20:30 on 1 March), counted on 1 March in the file's own zone.
    out = touchpoints_over_time(ds, "day")
    assert out["period_start"].dt.date.tolist() == [dt.date(2026, 3, 1), dt.date(2026, 3, 2)]


def test_offsets_on_only_some_rows_give_utc() -> None:
    stamps = ["2026-03-01T23:30:00+03:00", "2026-03-02 09:00"]
    ds = jl.load(pd.DataFrame({"customer_id": ["a", "b"], "timestamp": stamps,
                               "stage": ["Awareness", "Awareness"]}))
    assert ds.report.timestamp_offsets == {"+03:00": 1}
    assert ds.timezone == UTC


def test_a_zoned_column_names_its_zone() -> None:
    stamps = pd.Series(pd.to_datetime(["2026-03-01 10:00", "2026-07-01 10:00"])).dt.tz_localize(
        WARSAW)
    ds = jl.load(pd.DataFrame({"customer_id": ["a", "b"], "timestamp": stamps,
                               "stage": ["Awareness", "Awareness"]}))
    assert ds.report.timestamp_zone == WARSAW
    assert ds.timezone == WARSAW
    assert file_timezone(jl.LoadReport()) == UTC


def test_a_workspace_keeps_its_zone(tmp_path) -> None:
    ds = with_timezone(_ds(BOUNDARY), WARSAW)
    save_workspace(ds, "zoned", directory=tmp_path)
    opened = open_workspace("zoned", directory=tmp_path).dataset
    assert opened.timezone == WARSAW
    days = touchpoints_over_time(opened, "day")["period_start"].dt.date.astype(str).tolist()
    assert days == ["2026-03-01", "2026-03-02", "2026-07-01", "2026-07-02"]
    save_workspace(_ds(BOUNDARY), "plain", directory=tmp_path)
    assert open_workspace("plain", directory=tmp_path).dataset.timezone == UTC


def test_zone_names_are_iana_names_and_utc_first() -> None:
    names = timezones.zone_names()
    assert names[0] == UTC
    assert {WARSAW, "America/New_York", "Etc/GMT-3"} <= set(names)
    assert not [n for n in names if n.startswith("posix/")]


def test_axis_title_names_the_zone() -> None:
    from journeylib.charts import conversion_trend_chart

    ds = with_timezone(_ds([("a", "2026-03-02T10:00:00Z", "Awareness"),
                            ("a", "2026-03-03T10:00:00Z", "Purchase")]), WARSAW)
    trend = conversion_trend(ds, ["Awareness", "Purchase"])
    spec = conversion_trend_chart(trend, "Awareness", "Purchase", zone=ds.timezone).to_dict()
    x = spec["vconcat"][0]["layer"][0]["encoding"]["x"]
    assert x["title"] == "Week of entry (Europe/Warsaw)"
    plain = conversion_trend_chart(trend, "Awareness", "Purchase").to_dict()
    assert plain["vconcat"][0]["layer"][0]["encoding"]["x"]["title"] == "Week of entry (UTC)"
