"""Dataset.from_table on a real local Spark session: the same touchpoints, rejections and
numbers as binding the same table in DuckDB.

One small session for the module (``local[2]``, UI off, clock in UTC, bound to 127.0.0.1, two
shuffle partitions); skipped, with the reason, when pyspark is not installed
(``pip install -r requirements-spark.txt``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile

import ibis
import pandas as pd
import pytest

import journeylib as jl
from tests.apptest import SAMPLE

SKIP_REASON = (
    None if importlib.util.find_spec("pyspark") is not None
    else "pyspark is not installed: `pip install -r requirements-spark.txt` runs the Spark tests"
)
pytestmark = pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")


def local_spark():
    """A local SparkSession as the tests use it (the caller stops it)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("journeylib-warehouse-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="spark-warehouse-"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


@pytest.fixture(scope="module")
def spark():
    session = local_spark()
    yield session
    session.stop()


# A small mixed table: ties at one moment, blanks, a label column, words for flags, bad dates.
SMALL = pd.DataFrame({
    "customer_id": ["a", "a", "a", "b", "b", None, "c", "c", "d", "d"],
    "timestamp": ["2026-03-01 10:00:00", "2026-03-01 10:00:00", "2026-03-03 09:00:00",
                  "2026-03-01 08:00:00", "2026-03-02 08:00:00", "2026-03-02 08:00:00",
                  "2026-03-04 12:00:00", "soon", "2026-03-05 00:00:00", None],
    "stage": ["Awareness", "Consideration", "Purchase", "Awareness", "Purchase", "Awareness",
              "Awareness", "Purchase", "Awareness", "Purchase"],
    "channel": ["search", "email", "direct", "social", None, "search", "display", "email",
                "search", "direct"],
    "emotion": ["joy", "anger", "Радость!", "ok", "meh", "joy", "", "sad", "😡", "joy"],
    "converted": ["no", "no", "yes", "0", "tak", "1", "nie", "1", "0", "1"],
    "revenue": [0.0, 0.0, 120.5, 0.0, 80.0, 0.0, 0.0, 50.0, 0.0, 10.0],
})


def test_from_table_on_spark_equals_duckdb(spark):
    duck = jl.connect()
    duck.create_table("small", SMALL)
    on_duckdb = jl.Dataset.from_table(duck.table("small"))
    backend = jl.connect(ibis.pyspark.connect(spark))
    spark.createDataFrame(SMALL.astype(object).where(SMALL.notna(), None)).createOrReplaceTempView(
        "small")
    on_spark = jl.Dataset.from_table(backend.table("small"))

    assert on_spark.table.op().name.startswith("touchpoints_")
    for field in ("n_source_rows", "n_rows", "n_rejected", "rejected_counts", "emotion_kind",
                  "emotion_labels", "emotion_unknown", "warnings", "timestamp_formats"):
        assert getattr(on_spark.report, field) == getattr(on_duckdb.report, field), field
    assert on_spark.report.rejected_counts == {"no_customer_id": 1, "bad_timestamp": 1,
                                               "no_timestamp": 1}
    assert (on_spark.stages, on_spark.purchase_stage) == (on_duckdb.stages,
                                                          on_duckdb.purchase_stage)
    pd.testing.assert_frame_equal(on_spark.rejected, on_duckdb.rejected, check_dtype=False)

    def rows(ds):
        frame = ds.table.to_pandas().sort_values("source_row").reset_index(drop=True)
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
        return frame

    pd.testing.assert_frame_equal(rows(on_spark), rows(on_duckdb), check_dtype=False)
    pd.testing.assert_frame_equal(jl.funnel(on_spark), jl.funnel(on_duckdb), check_dtype=False,
                                  rtol=1e-9)
    jl.drop_dataset(on_spark)
    assert on_spark.table.op().name not in backend.list_tables()


def test_sample_parquet_on_spark_binds_like_the_upload(spark, sample_dataset, tmp_path):
    path = tmp_path / "journeys.parquet"
    pd.read_csv(SAMPLE, parse_dates=["timestamp"]).to_parquet(path)
    backend = jl.connect(ibis.pyspark.connect(spark))
    ds = jl.Dataset.from_table(backend.read_parquet(str(path)), name="sample")
    assert (ds.n_rows, ds.n_rejected, ds.stages) == (
        sample_dataset.n_rows, sample_dataset.n_rejected, sample_dataset.stages)
    assert ds.report.notes == sample_dataset.report.notes
    pd.testing.assert_frame_equal(jl.data_quality(ds), jl.data_quality(sample_dataset),
                                  check_dtype=False)
