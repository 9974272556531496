"""Moments of truth: effects on what happens after a touchpoint, intervals and key drivers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from journeylib import moments as mo
from journeylib import stats

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "journeys.csv"
COLUMNS = ["touchpoint", "stage", "customers", "customers_negative", "customers_positive",
           "outcome_rate_negative", "outcome_rate_positive", "effect", "ci_low", "ci_high",
           "p_value", "opportunity", "opportunity_low", "opportunity_high", "status"]


@pytest.fixture(scope="module")
def sample(sample_dataset: jl.Dataset) -> jl.Dataset:
    return sample_dataset


def test_checkout_is_the_top_moment_of_truth_for_purchase(sample: jl.Dataset) -> None:
    moments = mo.moments_of_truth(sample, "purchase")
    assert list(moments.columns) == COLUMNS
    top = moments.iloc[0]
    assert top["touchpoint"] == "Checkout"
    # planted: purchase 0.28 after a bad checkout, 0.68 after a good one
    assert top["outcome_rate_negative"] == pytest.approx(0.28, abs=0.03)
    assert top["outcome_rate_positive"] == pytest.approx(0.68, abs=0.03)
    assert 0.3 < top["ci_low"] < top["effect"] < top["ci_high"] < 0.55
    assert top["p_value"] < 1e-6
    assert top["opportunity"] == pytest.approx(top["effect"] * top["customers_negative"])
    assert top["opportunity_low"] == pytest.approx(top["ci_low"] * top["customers_negative"])
    # Nothing else comes close. (Early touchpoints pick up a smaller, unplanted association:
    # June's low ratings fall on journeys that had time to finish, late starters' on journeys
    # cut off by the end of August.)
    assert (moments.loc[1:, "effect"].abs().dropna() < top["effect"] / 1.8).all()
    # touchpoints after the purchase cannot lead to a first purchase: kept, not dropped
    support = moments.set_index("touchpoint").loc["Support call"]
    assert support["customers"] == 0
    assert support["status"] == mo.NOT_ENOUGH
    assert np.isnan(support["effect"])
    assert (moments["status"] == mo.NOT_ENOUGH).tolist()[-1]
    assert mo.describe_moment(moments, "purchase").startswith(
        "Customers with a bad Checkout experience buy 40 points less often than those with a "
        "good one (95% CI 35-45)"
    )


def test_support_call_is_the_top_moment_of_truth_for_retention_and_advocacy(
    sample: jl.Dataset,
) -> None:
    retention = mo.moments_of_truth(sample, "retention")
    top = retention.iloc[0]
    assert top["touchpoint"] == "Support call"
    assert top["effect"] > 0 and top["ci_low"] > 0
    # only customers who had bought are eligible, so Checkout has nobody
    assert retention.set_index("touchpoint").loc["Checkout", "customers"] == 0
    advocacy = mo.moments_of_truth(sample, "advocacy")
    top = advocacy.iloc[0]
    assert top["touchpoint"] == "Support call"
    # planted: advocacy 0.10 after a bad call, 0.52 after a good one
    assert top["outcome_rate_negative"] == pytest.approx(0.09, abs=0.05)
    assert top["outcome_rate_positive"] == pytest.approx(0.44, abs=0.05)
    assert mo.describe_moment(advocacy, "advocacy").startswith(
        "Customers with a bad Support call experience become advocates 35 points less often"
    )


def test_outcome_counts_only_after_the_touchpoint() -> None:
    rows = [
        # a: bad survey, then buys -> counts as an outcome after a negative experience
        ("a", "2026-03-01 10:00", "Consideration", "Survey", 1, 0),
        ("a", "2026-03-02 10:00", "Purchase", "Order", None, 1),
        # b: buys first, then a bad survey -> not eligible for "purchase"
        ("b", "2026-03-01 10:00", "Purchase", "Order", None, 1),
        ("b", "2026-03-02 10:00", "Consideration", "Survey", 1, 0),
        # c, d: good survey; c buys later, d never
        ("c", "2026-03-01 10:00", "Consideration", "Survey", 5, 0),
        ("c", "2026-03-05 10:00", "Purchase", "Order", None, 1),
        ("d", "2026-03-01 10:00", "Consideration", "Survey", 5, 0),
        # e: neutral survey: in customers, in neither group
        ("e", "2026-03-01 10:00", "Consideration", "Survey", 3, 0),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint",
                                        "emotion", "converted"])
    ds = jl.load(frame, stages=["Consideration", "Purchase"])
    moments = mo.moments_of_truth(ds, "purchase", min_group=1)
    row = moments.set_index("touchpoint").loc["Survey"]
    assert row[["customers", "customers_negative", "customers_positive"]].tolist() == [4, 1, 2]
    assert row["outcome_rate_negative"] == 1.0
    assert row["outcome_rate_positive"] == 0.5
    assert row["effect"] == -0.5
    assert row["opportunity"] == -0.5
    assert row["status"] == "ok"
    strict = mo.moments_of_truth(ds, "purchase")
    assert strict.iloc[0]["status"] == mo.NOT_ENOUGH
    assert strict.iloc[0]["customers_positive"] == 2  # counts stay visible
    # retention: only b (bought before the survey) is eligible, and b never buys again
    retention = mo.moments_of_truth(ds, "retention", min_group=1).set_index("touchpoint")
    assert retention.loc["Survey", ["customers", "customers_negative"]].tolist() == [1, 1]
    # thresholds are configurable: with "negative below -0.5" nobody was negative enough...
    moved = mo.moments_of_truth(ds, "purchase", negative_below=-1.0, min_group=1)
    assert moved.iloc[0]["customers_negative"] == 0
    # ...and a stage works as the outcome
    reach = mo.moments_of_truth(ds, "Purchase", min_group=1).set_index("touchpoint")
    assert reach.loc["Survey", "outcome_rate_positive"] == 0.5
    with pytest.raises(ValueError, match="outcome must be"):
        mo.moments_of_truth(ds, "loyalty")


def _two_group_frame(rng, touchpoints: int, n: int, p0: float, p1: float) -> pd.DataFrame:
    """Per touchpoint, n customers with a bad and n with a good experience, then buying."""
    rows = []
    for k in range(touchpoints):
        for tone, p in ((1, p0), (5, p1)):
            buys = rng.random(n) < p
            for i in range(n):
                cid = f"t{k}-{tone}-{i}"
                rows.append((cid, "2026-03-01", "Consideration", f"T{k:03d}", tone, 0))
                if buys[i]:
                    rows.append((cid, "2026-03-02", "Purchase", "Order", None, 1))
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint",
                                       "emotion", "converted"])


def test_effect_intervals_cover_the_true_difference_at_about_95_percent() -> None:
    rng = np.random.default_rng(5)
    frame = _two_group_frame(rng, touchpoints=300, n=60, p0=0.3, p1=0.5)
    ds = jl.load(frame, stages=["Consideration", "Purchase"], emotion_scale="1-5")
    moments = mo.moments_of_truth(ds, "purchase")
    moments = moments[moments["touchpoint"] != "Order"]
    assert len(moments) == 300
    covered = ((moments["ci_low"] <= 0.2) & (moments["ci_high"] >= 0.2)).mean()
    assert 0.92 <= covered <= 0.98


def test_fit_logistic_recovers_known_coefficients() -> None:
    # Exact expected counts for logit p = -1 + 2 x: IRLS must return the generating values.
    x = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    p0, p1 = 1 / (1 + np.exp(1)), 1 / (1 + np.exp(-1))
    w = 1000 * np.array([p0, 1 - p0, p1, 1 - p1])
    beta, cov = stats.fit_logistic(x, y, w, ridge=0.0)
    assert beta == pytest.approx([-1.0, 2.0], abs=1e-6)
    # var(beta1) = 1/(n p0 (1-p0)) + 1/(n p1 (1-p1)) for a 2x2 table
    expected = 2 / (1000 * p0 * (1 - p0))
    assert cov[1, 1] == pytest.approx(expected, rel=1e-6)


def test_key_driver_model_separates_touchpoints_that_only_co_occur() -> None:
    # A drives buying; B's experience copies A's for 85% of customers but does nothing.
    rng = np.random.default_rng(3)
    n = 3000
    a_good = rng.random(n) < 0.5
    b_good = np.where(rng.random(n) < 0.85, a_good, ~a_good)
    buys = rng.random(n) < np.where(a_good, 0.6, 0.2)
    rows = []
    for i in range(n):
        rows.append((f"c{i}", "2026-03-01 10:00", "Consideration", "A", 5 if a_good[i] else 1, 0))
        rows.append((f"c{i}", "2026-03-01 11:00", "Consideration", "B", 5 if b_good[i] else 1, 0))
        if buys[i]:
            rows.append((f"c{i}", "2026-03-02 10:00", "Purchase", "Order", None, 1))
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint",
                                        "emotion", "converted"])
    ds = jl.load(frame, stages=["Consideration", "Purchase"])
    moments = mo.moments_of_truth(ds, "purchase", adjust=True).set_index("touchpoint")
    a, b = moments.loc["A"], moments.loc["B"]
    assert b["effect"] > 0.2  # the raw comparison credits B
    assert b["adjusted_ci_low"] < 0 < b["adjusted_ci_high"]
    # true log odds ratio of A: logit(0.6) - logit(0.2) = 1.79
    assert a["adjusted_log_odds"] == pytest.approx(1.79, abs=0.25)
    assert a["adjusted_p_value"] < 1e-6


def test_no_purchase_information_is_explained() -> None:
    frame = pd.DataFrame(
        {"customer_id": ["a"], "timestamp": ["2026-03-01"], "stage": ["See"], "emotion": [4]}
    )
    ds = jl.load(frame)
    with pytest.raises(jl.DataError, match="no purchase information"):
        mo.moments_of_truth(ds, "purchase")
    reach = mo.moments_of_truth(ds, "See")
    assert reach["status"].tolist() == []  # the only row has no touchpoint


def test_describe_moment_without_enough_data() -> None:
    empty = pd.DataFrame({"status": [mo.NOT_ENOUGH]})
    assert mo.describe_moment(empty, "retention").startswith("No touchpoint has at least 20")


def test_small_data_is_never_sampled(sample: jl.Dataset) -> None:
    default = mo.moments_of_truth(sample, "purchase")
    exact = mo.moments_of_truth(sample, "purchase", sample_customers=None)
    pd.testing.assert_frame_equal(default, exact)
    assert default.attrs["sample_share"] == 1.0
    # the committed sample has 5,000 customers; the estimate counts one in 16 of them
    assert default.attrs["customers_total"] == pytest.approx(5000, rel=0.15)
    assert exact.attrs == {"sample_share": 1.0, "customers_total": None,
                           "customers_sampled": None}


def test_a_customer_sample_agrees_with_the_exact_result_within_its_intervals(
    sample: jl.Dataset,
) -> None:
    exact = mo.moments_of_truth(sample, "purchase", sample_customers=None).set_index("touchpoint")
    part = mo.moments_of_truth(sample, "purchase", sample_customers=2000)
    share = part.attrs["sample_share"]
    assert share == pytest.approx(0.4, rel=0.15)
    assert part.attrs["customers_sampled"] == pytest.approx(2000, rel=0.01)
    # the same hash always picks the same customers
    pd.testing.assert_frame_equal(part, mo.moments_of_truth(sample, "purchase",
                                                            sample_customers=2000))
    part = part.set_index("touchpoint")
    assert part.index[0] == "Checkout"
    both = part.join(exact, rsuffix="_exact")
    both = both[(both["status"] == "ok") & (both["status_exact"] == "ok")]
    assert len(both) >= 8
    # a share of the customers: counts shrink in proportion...
    ratio = both["customers"] / both["customers_exact"]
    assert ratio.between(share - 0.05, share + 0.05).all()
    # ...and the exact effect lies inside the sample's (wider) 95% interval
    assert ((both["ci_low"] <= both["effect_exact"])
            & (both["effect_exact"] <= both["ci_high"])).all()
    assert ((both["ci_high"] - both["ci_low"])
            > (both["ci_high_exact"] - both["ci_low_exact"])).all()


def test_the_sampled_query_compiles_for_spark_without_formatting_ids(
    sample: jl.Dataset, monkeypatch
) -> None:
    import ibis
    from ibis.config import Config

    class SparkOptions(Config):
        treat_nan_as_null: bool = False

    if ibis.options.pyspark is None:
        monkeypatch.setattr(ibis.options, "pyspark", SparkOptions())
    exp = mo._experiences(sample, "purchase", 0.0, 0.0, buckets=400_000)
    spark = ibis.to_sql(exp, dialect="pyspark")
    duck = ibis.to_sql(exp)
    # MD5, which both engines compute alike, not the engines' own (different) HASH
    assert "MD5(`t0`.`customer_id`)" in spark and "HASH(" not in spark
    assert 'MD5("t0"."customer_id")' in duck and "HASH(" not in duck and "BIT" not in duck
    assert "C00001" not in spark and "C00001" not in duck


def test_a_sampled_result_says_so_and_a_full_one_says_nothing() -> None:
    full = pd.DataFrame()
    full.attrs.update(sample_share=1.0, customers_total=None, customers_sampled=None)
    assert mo.describe_sample(full) == ""
    sampled = pd.DataFrame()
    sampled.attrs.update(sample_share=0.201, customers_sampled=200_001.3, customers_total=994_752)
    assert "sample of 200,001 of about 994,752 customers (20.1%)" in mo.describe_sample(sampled)
