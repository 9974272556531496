"""Dataset.from_table on a real local Spark session: the same touchpoints, rejections and
numbers as binding the same table in DuckDB; the prepared rows are cached once for the checks,
and that scratch view is gone after the bind while the bound view stays cached.

On the test run's one local Spark session (``tests/spark_engine.py``); skipped, with the
reason, when pyspark or Java is missing (``pip install -r requirements-spark.txt``).
"""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

import journeylib as jl
from tests.apptest import SAMPLE
from tests.spark_engine import SKIP_REASON, shared_session

pytestmark = [pytest.mark.spark,
              pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")]


def local_spark():
    """The test run's one local SparkSession (``tests/spark_engine.py``), started on first use;
    the run stops it at the end (a caller that stops it early only costs the next a restart)."""
    return shared_session()


@pytest.fixture
def spark(spark_session):
    """The run's one SparkSession."""
    return spark_session


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


def _bound_names(spark) -> set[str]:
    return {t.name for t in spark.catalog.listTables() if t.name.startswith("touchpoints_")}


@pytest.fixture(scope="module")
def bound(spark_session):
    """SMALL bound on Spark once for the module (binding costs ~15 s of Spark queries here):
    (the backend, the Dataset, the bound views before the bind, and after it)."""
    backend = jl.connect(ibis.pyspark.connect(spark_session))
    spark_session.createDataFrame(
        SMALL.astype(object).where(SMALL.notna(), None)).createOrReplaceTempView("small")
    before = _bound_names(spark_session)
    ds = jl.Dataset.from_table(backend.table("small"))
    after = _bound_names(spark_session)
    yield backend, ds, before, after
    if ds.table.op().name in backend.list_tables():
        jl.drop_dataset(ds)


def test_from_table_on_spark_equals_duckdb(bound):
    duck = jl.connect()
    duck.create_table("small", SMALL)
    on_duckdb = jl.Dataset.from_table(duck.table("small"))
    _, on_spark, _, _ = bound

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


def test_the_scratch_view_is_dropped_and_the_bound_view_stays_cached(bound, spark):
    # The prepared rows are cached once for the checks; that scratch view is gone after the
    # bind while the bound view stays cached (its cache does not depend on the scratch's).
    backend, ds, before, after = bound
    name = ds.table.op().name
    assert after - before == {name}
    assert spark.catalog.isCached(name)
    assert ds.n_rows == 7
    assert int(ds.table.count().execute()) == 7
    jl.drop_dataset(ds)
    assert name not in backend.list_tables()


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
