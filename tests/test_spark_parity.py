"""Every public analysis gives the same numbers on Apache Spark as on DuckDB.

The same two datasets, loaded in DuckDB, are copied once onto the run's one local Spark session
(``tests/spark_engine.py``); each analysis runs once per mode on both engines and the results
must agree: counts exactly, floats to 1e-9 relative, texts and row order exactly. The datasets:
a small sample from :mod:`journeylib.sample`, and a messy shop export (``tests/corpus.py``)
with day-resolution dates (many events of one customer at the same moment), blank channels,
segments and ratings, cancelled orders and repeat buyers.

Skipped, with the reason, when pyspark is not installed.
"""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

import journeylib as jl
from journeylib import moments, report
from journeylib.engine import to_pandas
from journeylib.funnel import Exclusion, Step
from tests import corpus
from tests.spark_engine import SKIP_REASON, on_spark

pytestmark = [pytest.mark.spark,
              pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")]

RTOL = 1e-9
# Failures caused by journeylib/funnel.py and journeylib/conversion.py, being rewritten apart.


def messy_frame() -> pd.DataFrame:
    """A shop export with dates only (ties), blanks, cancellations and repeat purchases."""
    frame = corpus.shop(5, corpus.Shop(customers=160, p_cancel=0.25, p_repeat=0.4,
                                       flag="order", rated=("Review", "Delivery", "Cart"),
                                       p_rated=0.7))
    frame["timestamp"] = frame["timestamp"].str[:10]
    rows = np.arange(len(frame))
    frame.loc[rows % 7 == 3, "channel"] = ""
    frame.loc[rows % 11 == 5, "segment"] = ""
    frame.loc[rows % 13 == 2, "review_score"] = None
    return frame


@pytest.fixture(scope="module")
def sample_pair(spark_backend) -> tuple[jl.Dataset, jl.Dataset]:
    """(the small sample on DuckDB, the same on Spark), put on Spark once for the module."""
    duck = jl.load(jl.sample.generate(n_customers=250, seed=11))
    return duck, on_spark(spark_backend, duck)


@pytest.fixture(scope="module")
def messy_pair(spark_backend) -> tuple[jl.Dataset, jl.Dataset]:
    """(the messy export with tied dates on DuckDB, the same on Spark), put on Spark once."""
    duck = jl.load(messy_frame())
    return duck, on_spark(spark_backend, duck)


@pytest.fixture(params=["sample", "messy"])
def engines(request) -> tuple[jl.Dataset, jl.Dataset]:
    """(DuckDB dataset, the same on Spark), for each of the two datasets."""
    return request.getfixturevalue(f"{request.param}_pair")


def assert_same(duck: object, spark: object, where: str = "result") -> None:
    """Equal results: frames cell by cell (floats to ``RTOL``), mappings and dataclasses field
    by field, everything else with ``==``."""
    if isinstance(duck, pd.DataFrame):
        assert isinstance(spark, pd.DataFrame), where
        assert list(spark.columns) == list(duck.columns), where
        assert len(spark) == len(duck), f"{where}: {len(spark)} rows on Spark, {len(duck)}"
        for column in duck.columns:
            a, b = duck[column].reset_index(drop=True), spark[column].reset_index(drop=True)
            if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
                np.testing.assert_allclose(b.to_numpy(float), a.to_numpy(float), rtol=RTOL,
                                           atol=0, equal_nan=True, err_msg=f"{where}.{column}")
            else:
                assert b.tolist() == a.tolist(), f"{where}.{column}"
        assert_same(dict(duck.attrs), dict(spark.attrs), f"{where}.attrs")
    elif dataclasses.is_dataclass(duck):
        for f in dataclasses.fields(duck):
            assert_same(getattr(duck, f.name), getattr(spark, f.name), f"{where}.{f.name}")
    elif isinstance(duck, dict):
        assert sorted(spark) == sorted(duck), where
        for key in duck:
            assert_same(duck[key], spark[key], f"{where}[{key!r}]")
    elif isinstance(duck, float) and isinstance(spark, float):
        np.testing.assert_allclose(spark, duck, rtol=RTOL, atol=0, equal_nan=True,
                                   err_msg=where)
    else:
        assert spark == duck, where


def both(engines, analysis, *args, **kwargs) -> None:
    """Run ``analysis`` on both engines; the results must be equal, and a table must have
    rows (two empty tables would prove nothing)."""
    duck, spark = engines
    expected = analysis(duck, *args, **kwargs)
    if isinstance(expected, pd.DataFrame):
        assert len(expected) > 0, f"{analysis.__name__} has no rows on this dataset"
    assert_same(expected, analysis(spark, *args, **kwargs), analysis.__name__)


CHECKOUT = Exclusion("Cart", 1, 2, field="touchpoint")
# The funnel modes on the tied-date export (first touch by (timestamp, source row): tied dates
# must not let the engines pick different touches for the breakdown). The crafted attempt cases
# (every mode with entry best and first, windows, a repeated step) are in
# tests/test_funnel_spark.py; here one call per mode and path with the export's ties.
MESSY_FUNNELS = {
    "ordered-by-channel": {"mode": "ordered", "by": "channel"},
    "strict-window": {"mode": "strict", "window": "30d"},
    "any-exclude": {"mode": "any", "by": "segment", "exclude": [CHECKOUT]},
    "first-entry": {"mode": "ordered", "entry": "first", "by": "channel"},
    "any-after-first-month": {"mode": "any_after_first", "window": "1mo"},
    # A channel step and a repeated step: the numbered-events attempt query, with a breakdown.
    "channel-and-repeated-step": {
        "stages": [Step(stage="Awareness"), Step(channel="email"), Step(stage="Consideration"),
                   Step(stage="Consideration")],
        "mode": "ordered", "by": "segment"},
}


def test_funnel_on_the_sample(sample_pair) -> None:
    both(sample_pair, jl.funnel)


@pytest.mark.parametrize("kwargs", MESSY_FUNNELS.values(), ids=MESSY_FUNNELS)
def test_funnel(messy_pair, kwargs) -> None:
    both(messy_pair, jl.funnel, **kwargs)


def test_drop_offs_on_the_sample(sample_pair) -> None:
    both(sample_pair, jl.drop_offs, 3)


# last_stage / last_touchpoint / last_channel: the last touch by (timestamp, source row),
# the same on both engines on tied dates.
@pytest.mark.parametrize("mode", ["ordered", "strict", "any"])
def test_drop_offs(messy_pair, mode) -> None:
    both(messy_pair, jl.drop_offs, 3, mode=mode)


def test_time_to_convert(engines) -> None:
    duck, _ = engines
    both(engines, jl.time_to_convert, duck.stages[0], duck.stages[2])


def test_conversion_trend(engines) -> None:
    both(engines, jl.conversion_trend, freq="week")


def test_compare_segments(engines) -> None:
    both(engines, jl.compare_segments)


def test_stage_transitions(engines) -> None:
    both(engines, jl.stage_transitions)


@pytest.mark.parametrize("level", ["stage", "touchpoint", "channel"])
def test_top_paths(engines, level) -> None:
    both(engines, jl.top_paths, level)


def test_attribution_every_model(engines) -> None:
    both(engines, jl.attribution, n_boot=10)


def test_attribution_data_driven_in_the_engine(engines) -> None:
    # Without resamples and heuristics, Markov and Shapley count their inputs in the engine.
    both(engines, jl.attribution, ["markov", "shapley"], n_boot=0, order=2,
         collapse_repeats=True)


def test_removal_effects(engines) -> None:
    both(engines, jl.removal_effects, order=2)


def test_transition_matrix(engines) -> None:
    both(engines, jl.transition_matrix)


@pytest.mark.parametrize("by", ["stage", "touchpoint", "channel"])
def test_emotion_curve(engines, by) -> None:
    both(engines, jl.emotion_curve, by)


def test_emotion_timeline(engines) -> None:
    both(engines, jl.emotion_timeline, "week", by="stage")


def test_pain_points(engines) -> None:
    both(engines, jl.pain_points)


def test_delight_points(engines) -> None:
    both(engines, jl.delight_points)


@pytest.mark.parametrize("outcome", ["purchase", "retention"])
def test_moments_of_truth(engines, outcome) -> None:
    both(engines, jl.moments_of_truth, outcome, adjust=outcome == "purchase", min_group=5)


def test_moments_of_truth_sampled(engines) -> None:
    # Above the threshold only a hash-chosen share of customers is analysed: the same ones.
    duck, spark = (jl.moments_of_truth(ds, "purchase", sample_customers=40, min_group=3)
                   for ds in engines)
    assert duck.attrs["sample_share"] < 0.5
    assert_same(duck, spark, "moments_of_truth")


def test_both_engines_put_every_customer_in_the_same_sample_bucket(engines) -> None:
    duck, spark = (
        to_pandas(ds.table.select("customer_id", bucket=moments._customer_bucket(ds.table))
                  .distinct().order_by("customer_id"))
        for ds in engines
    )
    assert_same(duck, spark, "buckets")
    assert duck["bucket"].tolist() == [moments.customer_bucket(c) for c in duck["customer_id"]]


def test_journey_score(engines) -> None:
    both(engines, jl.journey_score)


def test_scorecard(engines) -> None:
    both(engines, jl.scorecard)


def test_build_journey_map(engines) -> None:
    both(engines, jl.build_journey_map)


def test_data_quality(engines) -> None:
    both(engines, jl.data_quality)


def test_summary(engines) -> None:
    # first / last are timestamps: UTC from both engines
    both(engines, jl.summary)


def test_excel_report(engines, monkeypatch) -> None:
    # Fewer bootstrap resamples than the report's 100: they are numpy work, the same on both
    # engines, and the engine queries are the same.
    monkeypatch.setattr(report, "attribution",
                        lambda ds, **kwargs: jl.attribution(ds, **{**kwargs, "n_boot": 10}))
    duck, spark = (report.analysis_sheets(ds) for ds in engines)
    assert_same(duck, spark, "analysis_sheets")
    book = openpyxl.load_workbook(io.BytesIO(jl.excel_report(
        spark, title="report", generated=pd.Timestamp("2026-01-01", tz="UTC"))))
    assert book.sheetnames == list(spark)
