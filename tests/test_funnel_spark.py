"""The attempt-based funnel queries run on Spark and give DuckDB's numbers (a local Spark,
skipped when pyspark or Java is missing)."""

from __future__ import annotations

import dataclasses
import os
import shutil

import pandas as pd
import pytest

import journeylib as jl
from journeylib.funnel import Exclusion, Step, funnel, reached

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("no Java for Spark", allow_module_level=True)

A, C, P = "Awareness", "Consideration", "Purchase"


@pytest.fixture(scope="module")
def both():
    import ibis
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    rows = [
        ("x", "2026-03-01 13:01", A, "Ad"), ("x", "2026-03-01 13:35", A, "Ad"),
        ("x", "2026-03-01 13:41", C, "Product page"), ("x", "2026-03-01 13:50", P, "Order"),
        ("y", "2026-03-01 10:00", C, "Product page"), ("y", "2026-03-01 10:05", A, "Ad"),
        ("y", "2026-03-01 10:05", C, "Product page"), ("y", "2026-04-02 10:00", P, "Order"),
        ("z", "2026-01-31 10:00", A, "Ad"), ("z", "2026-02-28 10:00", C, "Coupon"),
        ("z", "2026-02-28 11:00", C, "Product page"), ("z", "2026-02-28 12:00", P, "Order"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint"])
    ds = jl.load(frame, stages=[A, C, P])
    local = ds.table.to_pandas()
    from ibis.backends.pyspark.datatypes import PySparkSchema

    schema = PySparkSchema.from_ibis(ds.table.schema())
    spark.createDataFrame(local, schema=schema).createOrReplaceTempView("funnel_events")
    con = ibis.pyspark.connect(spark)
    spark_ds = dataclasses.replace(ds, table=con.table("funnel_events"))
    yield ds, spark_ds
    spark.stop()


CASES = [
    ({"mode": "ordered", "window": "10min"}, None),
    ({"mode": "ordered", "window": "1mo"}, None),
    ({"mode": "strict", "window": None}, None),
    ({"mode": "any", "window": "30min"}, None),
    ({"mode": "any_after_first", "window": None}, None),
    ({"mode": "ordered", "window": None}, Exclusion("Coupon", 2, 3, field="touchpoint")),
]


@pytest.mark.parametrize(("options", "rule"), CASES)
@pytest.mark.parametrize("entry", ["best", "first"])
def test_spark_gives_duckdbs_funnel(both, options, rule, entry) -> None:
    duck, spark = both
    steps = [A, C, P] if options["mode"] == "strict" else [
        Step(stage=A), Step(touchpoint="Product page"), Step(stage=P)]
    exclude = [rule] if rule else None
    expected = funnel(duck, steps, entry=entry, exclude=exclude, **options)
    got = funnel(spark, steps, entry=entry, exclude=exclude, **options)
    cols = ["customers", "median_hours_from_previous"]
    pd.testing.assert_frame_equal(got[cols], expected[cols], check_dtype=False)
    assert reached(spark, 2, steps, entry=entry, **options)["customer_id"].tolist() == (
        reached(duck, 2, steps, entry=entry, **options)["customer_id"].tolist())
