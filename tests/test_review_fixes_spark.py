"""The review's tie fix on Spark: the correlation span orders tied timestamps by source row there
too, with the same counts as DuckDB."""

from __future__ import annotations

import pandas as pd

import journeylib as jl
from journeylib.correlation import funnel_correlation
from tests.spark_engine import on_spark

STEPS = ["Awareness", "Consideration", "Purchase"]
ROWS = [
    ("c", "2026-03-02 09:00", "Consideration", "Early bird"),
    ("c", "2026-03-02 09:00", "Awareness", "Ad"),
    ("c", "2026-03-02 12:00", "Consideration", "Just before"),
    ("c", "2026-03-02 12:00", "Purchase", "Checkout"),
    ("c", "2026-03-02 12:00", "Consideration", "Just after"),
    ("n", "2026-03-02 09:00", "Consideration", "Early bird"),
    ("n", "2026-03-02 09:00", "Awareness", "Ad"),
    ("n", "2026-03-02 10:00", "Consideration", "Pricing"),
]
COLS = ["property", "value", "converters_with", "non_converters_with"]


def test_tied_timestamps_on_spark_match_duckdb(spark_backend) -> None:
    duck = jl.load(pd.DataFrame(ROWS, columns=["customer_id", "timestamp", "stage",
                                               "touchpoint"]), stages=STEPS)
    spark = on_spark(spark_backend, duck)

    def held(ds):
        # Consideration is not a step: a later step's touchpoints would never count.
        out = funnel_correlation(ds, ["Awareness", "Purchase"], min_customers=1,
                                 properties=["touchpoint"])[COLS]
        return out.sort_values("value").reset_index(drop=True).astype(
            {"converters_with": int, "non_converters_with": int})

    on_spark_ = held(spark)
    assert set(on_spark_["value"]) == {"Ad", "Just before", "Pricing"}
    pd.testing.assert_frame_equal(on_spark_, held(duck))


