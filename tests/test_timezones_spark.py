"""Local calendar periods and the funnel extras run on Spark and agree with DuckDB.

On the test run's one local Spark session (``tests/spark_engine.py``); skipped where pyspark
or Java is missing.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import journeylib as jl
from journeylib import emotion
from journeylib.conversion import conversion_trend
from journeylib.correlation import funnel_correlation
from journeylib.quality import touchpoints_over_time
from journeylib.timezones import engine_name, with_timezone
from tests.spark_engine import SKIP_REASON

pytestmark = [pytest.mark.spark,
              pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")]

WARSAW = "Europe/Warsaw"
SPARK_TYPES = {"int64": "bigint", "string": "string", "timestamp('UTC', 6)": "timestamp",
               "float64": "double", "boolean": "boolean"}
ROWS = [
    ("a", "2026-03-01T23:30:00Z", "Awareness", "Demo", 5),  # 2 March in Warsaw (CET)
    ("a", "2026-03-05T10:00:00Z", "Purchase", "Checkout", 4),
    ("b", "2026-03-01T22:30:00Z", "Awareness", "Blog", 1),  # 1 March
    ("c", "2026-07-01T22:30:00Z", "Awareness", "Demo", 5),  # 2 July (CEST)
    ("c", "2026-07-02T08:00:00Z", "Purchase", "Checkout", 4),
    ("d", "2026-07-01T21:30:00Z", "Awareness", "Blog", 2),  # 1 July
]


@pytest.fixture(scope="module")
def spark_pair(spark_backend):
    session = spark_backend._session
    frame = pd.DataFrame(ROWS, columns=["customer_id", "timestamp", "stage", "touchpoint",
                                        "emotion"])
    duck = jl.load(frame, stages=["Awareness", "Purchase"])
    rows = duck.table.to_pandas()
    rows["timestamp"] = rows["timestamp"].dt.tz_convert(None)
    # A temporary view (nothing written to disk), typed as the DuckDB table is.
    schema = ", ".join(f"`{name}` {SPARK_TYPES[str(dtype)]}"
                       for name, dtype in duck.table.schema().items())
    records = [
        tuple(v.to_pydatetime() if isinstance(v, pd.Timestamp) else None if pd.isna(v) else v
              for v in row)
        for row in rows.itertuples(index=False)
    ]
    session.createDataFrame(records, schema=schema).createOrReplaceTempView("touchpoints_tz")
    table = spark_backend.table("touchpoints_tz")
    spark = dataclasses.replace(duck, table=table, key="spark")
    return with_timezone(duck, WARSAW), with_timezone(spark, WARSAW)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.reset_index(drop=True).astype({c: "int64" for c in frame.columns
                                                if frame[c].dtype.kind in "iu"})


def test_local_days_on_spark(spark_pair) -> None:
    duck, spark = spark_pair
    assert engine_name(spark.table) == "pyspark"
    days = touchpoints_over_time(spark, "day")
    assert days["period_start"].dt.date.astype(str).tolist() == [
        "2026-03-01", "2026-03-02", "2026-03-05", "2026-07-01", "2026-07-02", "2026-07-02"]
    pd.testing.assert_frame_equal(_plain(days), _plain(touchpoints_over_time(duck, "day")))


def test_emotion_timeline_and_trend_on_spark(spark_pair) -> None:
    duck, spark = spark_pair
    cols = ["period_start", "n", "valence_mean"]
    pd.testing.assert_frame_equal(
        _plain(emotion.emotion_timeline(spark, "day", min_n=1)[cols]),
        _plain(emotion.emotion_timeline(duck, "day", min_n=1)[cols]),
    )
    cols = ["period_start", "period_end", "entered", "converted", "complete"]
    on_spark = conversion_trend(spark, ["Awareness", "Purchase"], "month")[cols]
    assert on_spark["entered"].tolist() == [2, 2]
    pd.testing.assert_frame_equal(
        _plain(on_spark), _plain(conversion_trend(duck, ["Awareness", "Purchase"], "month")[cols]))


def test_correlation_on_spark(spark_pair) -> None:
    duck, spark = spark_pair
    cols = ["property", "value", "converters_with", "non_converters_with", "p_value"]
    on_spark = funnel_correlation(spark, ["Awareness", "Purchase"], min_customers=1)[cols]
    assert set(on_spark["value"]) == {"Demo", "Blog"}  # Checkout is the conversion itself
    pd.testing.assert_frame_equal(
        _plain(on_spark),
        _plain(funnel_correlation(duck, ["Awareness", "Purchase"], min_customers=1)[cols]),
    )
