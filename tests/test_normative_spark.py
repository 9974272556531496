"""path_conformance and deviation_details on Spark give DuckDB's numbers, on the worked
example of tests/test_normative.py (ties at one moment, a skip, a move back, a loop, an
off-path stage and a touchpoint outside its stage). On the run's one local Spark session;
skipped when pyspark or Java is missing."""

from __future__ import annotations

import pandas as pd
import pytest

from journeylib.normative import DEVIATIONS, deviation_details, path_conformance
from tests.spark_engine import SKIP_REASON, on_spark
from tests.test_normative import ROWS, SPEC, _load

pytestmark = [pytest.mark.spark,
              pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")]


def test_path_conformance_on_spark(spark_backend):
    ds = _load(ROWS)
    spark = on_spark(spark_backend, ds)
    duck, sp = path_conformance(ds, SPEC), path_conformance(spark, SPEC)
    pd.testing.assert_frame_equal(duck.drop(columns="median_hours"),
                                  sp.drop(columns="median_hours"))
    # Spark's median may be its approximate percentile: equal on these few customers.
    assert duck["median_hours"].fillna(-1).tolist() == pytest.approx(
        sp["median_hours"].fillna(-1).tolist())
    for kind in DEVIATIONS:
        a, b = deviation_details(ds, SPEC, kind), deviation_details(spark, SPEC, kind)
        key = ["stage", "to_stage", "touchpoint"]
        a = a.sort_values(key).reset_index(drop=True).fillna({c: "" for c in key})
        b = b.sort_values(key).reset_index(drop=True).fillna({c: "" for c in key})
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
