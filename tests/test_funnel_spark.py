"""The attempt-based funnel queries run on Spark and give DuckDB's numbers, on a small crafted
set (repeat attempts, a tie at one moment, a month-end window, an excluded touchpoint); one
call per mode and entry (``entry`` best and first), the windows, the exclusion, a touchpoint
step and a repeated step spread over them. The tied-date shop export and the breakdowns are in
``tests/test_spark_parity.py``. On the run's one local Spark session; skipped when pyspark or
Java is missing."""

from __future__ import annotations

import pandas as pd
import pytest

import journeylib as jl
from journeylib.funnel import Exclusion, Step, funnel, reached
from tests.spark_engine import SKIP_REASON, on_spark

pytestmark = [pytest.mark.spark,
              pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")]

A, C, P = "Awareness", "Consideration", "Purchase"
# Stage steps (the first-entry fast path), and a touchpoint step (the attempt queries).
STAGES = [A, C, P]
MIXED = [Step(stage=A), Step(touchpoint="Product page"), Step(stage=P)]
COUPON = Exclusion("Coupon", 1, 2, field="touchpoint")


@pytest.fixture(scope="module")
def both(spark_backend):
    rows = [
        ("x", "2026-03-01 13:01", A, "Ad"), ("x", "2026-03-01 13:35", A, "Ad"),
        ("x", "2026-03-01 13:41", C, "Product page"), ("x", "2026-03-01 13:50", P, "Order"),
        ("y", "2026-03-01 10:00", C, "Product page"), ("y", "2026-03-01 10:05", A, "Ad"),
        ("y", "2026-03-01 10:05", C, "Product page"), ("y", "2026-04-02 10:00", P, "Order"),
        ("z", "2026-01-31 10:00", A, "Ad"), ("z", "2026-02-28 10:00", C, "Coupon"),
        ("z", "2026-02-28 11:00", C, "Product page"), ("z", "2026-02-28 12:00", P, "Order"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint"])
    ds = jl.load(frame, stages=STAGES)
    return ds, on_spark(spark_backend, ds)


# (steps, options, whether to compare the customers reaching step 2 as well)
CASES = {
    "ordered-best-10min": (MIXED, {"mode": "ordered", "window": "10min"}, True),
    "ordered-first-month": (MIXED, {"mode": "ordered", "entry": "first", "window": "1mo"}, False),
    "ordered-first-stages-exclude": (
        STAGES, {"mode": "ordered", "entry": "first", "exclude": [COUPON]}, True),
    "ordered-best-repeated-step": ([A, A, P], {"mode": "ordered", "window": "1h"}, False),
    "strict-best": (STAGES, {"mode": "strict"}, True),
    "strict-first-month": (STAGES, {"mode": "strict", "entry": "first", "window": "1mo"}, False),
    "any-best-30min": (MIXED, {"mode": "any", "window": "30min"}, True),
    "any-first-repeated-step": ([A, C, C], {"mode": "any", "entry": "first"}, False),
    "any-after-first-best-exclude": (
        MIXED, {"mode": "any_after_first", "exclude": [COUPON]}, True),
    "any-after-first-first": (MIXED, {"mode": "any_after_first", "entry": "first"}, False),
}


@pytest.mark.parametrize(("steps", "options", "people"), CASES.values(), ids=CASES)
def test_spark_gives_duckdbs_funnel(both, steps, options, people) -> None:
    duck, spark = both
    expected = funnel(duck, steps, **options)
    assert expected["customers"].iloc[0] > 0
    pd.testing.assert_frame_equal(funnel(spark, steps, **options), expected, check_dtype=False,
                                  rtol=1e-9)
    if people:
        assert reached(spark, 2, steps, **options)["customer_id"].tolist() == (
            reached(duck, 2, steps, **options)["customer_id"].tolist())
