"""Filters: date range, segments, channels and stages restrict every analysis the same way."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest
from ibis.config import Config

import journeylib as jl
from journeylib.filters import Filters, apply_filters, describe_filters, filter_options
from journeylib.i18n import filters_text

SAMPLE = "sample_data/journeys.csv"


@pytest.fixture(scope="module")
def ds(sample_dataset: jl.Dataset) -> jl.Dataset:
    return sample_dataset


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    frame = pd.read_csv(SAMPLE, parse_dates=["timestamp"])
    frame["timestamp"] = frame["timestamp"].dt.tz_localize("UTC")
    return frame


def test_no_filters_is_the_same_dataset(ds: jl.Dataset) -> None:
    assert apply_filters(ds, Filters()) is ds
    assert describe_filters(Filters()) == [] == describe_filters(None)
    assert filters_text(ds.filters) == ""


def test_options_list_every_value(ds: jl.Dataset) -> None:
    options = filter_options(ds)
    assert options["first"] == dt.date(2026, 3, 1)
    assert options["last"] == dt.date(2026, 8, 31)
    assert options["segments"] == ["Business", "New customer", "Returning"]
    assert options["stages"] == ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]
    assert len(options["channels"]) == 8


def test_filters_match_pandas(ds: jl.Dataset, frame: pd.DataFrame) -> None:
    filters = Filters(
        start=dt.date(2026, 6, 1),
        end=dt.date(2026, 6, 30),
        segments=("Business", "Returning"),
        channels=("email", "search"),
    )
    filtered = apply_filters(ds, filters)
    expected = frame[
        (frame["timestamp"] >= pd.Timestamp("2026-06-01", tz="UTC"))
        & (frame["timestamp"] < pd.Timestamp("2026-07-01", tz="UTC"))
        & frame["segment"].isin(["Business", "Returning"])
        & frame["channel"].isin(["email", "search"])
    ]
    stats = jl.summary(filtered)
    assert stats["rows"] == len(expected) > 0
    assert stats["customers"] == expected["customer_id"].nunique()
    assert filtered.key != ds.key
    assert filters_text(filtered.filters) == (
        "1 Jun 2026 – 30 Jun 2026; segments: Business, Returning; channels: email, search"
    )


def test_end_day_is_inclusive(ds: jl.Dataset, frame: pd.DataFrame) -> None:
    filtered = apply_filters(ds, Filters(end=dt.date(2026, 3, 1)))
    expected = frame[frame["timestamp"] < pd.Timestamp("2026-03-02", tz="UTC")]
    assert jl.summary(filtered)["rows"] == len(expected) > 0


def test_stage_filter_and_open_start(ds: jl.Dataset, frame: pd.DataFrame) -> None:
    filtered = apply_filters(ds, Filters(start=dt.date(2026, 8, 1), stages=("Purchase",)))
    expected = frame[
        (frame["timestamp"] >= pd.Timestamp("2026-08-01", tz="UTC"))
        & (frame["stage"] == "Purchase")
    ]
    assert jl.summary(filtered)["rows"] == len(expected)
    assert filtered.filters == Filters(start=dt.date(2026, 8, 1), stages=("Purchase",))
    assert filters_text(filtered.filters) == "1 Aug 2026 – the end; stage: Purchase"


class _SparkOptions(Config):
    treat_nan_as_null: bool = False


def test_filtered_queries_compile_for_spark(ds: jl.Dataset, monkeypatch) -> None:
    if ibis.options.pyspark is None:
        monkeypatch.setattr(ibis.options, "pyspark", _SparkOptions())
    filtered = apply_filters(ds, Filters(start=dt.date(2026, 6, 1), channels=("email",)))
    sql = ibis.to_sql(filtered.table.count(), dialect="pyspark")
    assert "`channel` IN ('email')" in sql
