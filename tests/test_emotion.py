"""Emotion curve, timeline, pain and delight points, quotes and the journey score."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from journeylib import emotion as em
from journeylib import stats

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "journeys.csv"


@pytest.fixture(scope="module")
def sample(sample_dataset: jl.Dataset) -> jl.Dataset:
    return sample_dataset


def _frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (customer, timestamp, stage, touchpoint, channel, emotion[, note])."""
    cols = ["customer_id", "timestamp", "stage", "touchpoint", "channel", "emotion", "note"]
    rows = [r + (None,) * (len(cols) - len(r)) for r in rows]
    return pd.DataFrame(rows, columns=cols)


@pytest.fixture
def tiny() -> jl.Dataset:
    return jl.load(
        _frame(
            [
                ("a", "2026-03-02 10:00", "Awareness", "Ad", "display", 1, "Too loud"),
                ("a", "2026-03-03 10:00", "Purchase", "Checkout", "web", 5, "Smooth"),
                ("b", "2026-03-02 11:00", "Awareness", "Ad", "display", 3),
                ("b", "2026-03-10 11:00", "Purchase", "Checkout", "web", 4),
                ("c", "2026-03-04 09:00", "Awareness", "Search", "search", 5, "Found it"),
                ("c", "2026-03-11 09:00", "Purchase", "Checkout", "web", None),
            ]
        ),
        stages=["Awareness", "Purchase"],
    )


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.7062), (2, 4.3027), (3, 3.1824), (5, 2.5706), (10, 2.2281), (30, 2.0423),
     (1000, 1.9623)],
)
def test_t_quantile_matches_tables(df: int, expected: float) -> None:
    assert float(stats.t_quantile(0.975, df)) == pytest.approx(expected, abs=0.01)


def test_curve_worked_example(tiny: jl.Dataset) -> None:
    curve = em.emotion_curve(tiny)
    assert curve["stage"].tolist() == ["Awareness", "Purchase"]
    aware = curve.iloc[0]
    # valences -1, 0, +1: mean 0, sd 1, t(0.975, 2) = 4.303, half width 4.303 / sqrt(3) = 2.48,
    # which the valence interval cuts to the scale's -1..+1
    assert aware["n"] == 3
    assert aware["valence_mean"] == pytest.approx(0.0)
    _, high = stats.mean_interval([3], [0.0], [1.0])
    assert high[0] == pytest.approx(4.3027 / np.sqrt(3), abs=1e-3)
    assert (aware["ci_low"], aware["ci_high"]) == (-1.0, 1.0)
    assert aware["share_negative"] == pytest.approx(1 / 3)
    assert aware["share_positive"] == pytest.approx(1 / 3)
    assert aware["emotion_mean"] == pytest.approx(3.0)
    purchase = curve.iloc[1]
    assert purchase["n"] == 2  # the unrated checkout is not counted
    assert purchase["valence_mean"] == pytest.approx(0.75)


def test_curve_by_touchpoint_and_channel_in_journey_order(tiny: jl.Dataset) -> None:
    by_tp = em.emotion_curve(tiny, "touchpoint")
    assert by_tp["touchpoint"].tolist() == ["Ad", "Search", "Checkout"]
    assert by_tp["stage"].tolist() == ["Awareness", "Awareness", "Purchase"]
    assert by_tp["n"].tolist() == [2, 1, 2]
    assert np.isnan(by_tp.loc[1, "ci_low"])  # one answer has no spread
    by_channel = em.emotion_curve(tiny, "channel")
    assert by_channel["channel"].tolist() == ["display", "search", "web"]
    with pytest.raises(ValueError, match="by must be one of"):
        em.emotion_curve(tiny, "segment")


def test_curve_of_one_segment() -> None:
    frame = _frame([("a", "2026-03-02", "S", "T", "x", 5), ("b", "2026-03-02", "S", "T", "x", 1)])
    frame["segment"] = ["Business", "Retail"]
    ds = jl.load(frame)
    assert em.emotion_curve(ds, segment="Business")["valence_mean"].tolist() == [1.0]
    assert em.emotion_curve(ds)["valence_mean"].tolist() == [0.0]


def test_label_and_numeric_scales_give_the_same_curve() -> None:
    rng = np.random.default_rng(1)
    n = 600
    answers = rng.choice([1, 3, 5], size=n, p=[0.2, 0.3, 0.5])
    base = pd.DataFrame(
        {
            "customer_id": [f"c{i % 150}" for i in range(n)],
            "timestamp": pd.Timestamp("2026-03-01") + pd.to_timedelta(np.arange(n), unit="h"),
            "stage": rng.choice(["Awareness", "Consideration", "Purchase"], size=n),
            "channel": "web",
        }
    )
    numeric = jl.load(base.assign(emotion=answers))
    words = {1: "negative", 3: "neutral", 5: "positive"}
    labels = jl.load(base.assign(emotion=[words[a] for a in answers]))
    assert numeric.report.emotion_kind == "scale"
    assert labels.report.emotion_kind == "labels"
    a, b = em.emotion_curve(numeric), em.emotion_curve(labels)
    cols = ["stage", "n", "valence_mean", "ci_low", "ci_high", "share_negative",
            "share_positive"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert b["emotion_mean"].isna().all()  # labels have no score on a scale


def test_intervals_cover_the_true_mean_at_about_95_percent() -> None:
    # 400 independent draws of 25 answers on a 1-5 scale, each draw its own stage.
    rng = np.random.default_rng(11)
    draws, size = 400, 25
    probs = np.array([0.15, 0.15, 0.2, 0.3, 0.2])
    true_mean = float(probs @ np.array([-1.0, -0.5, 0.0, 0.5, 1.0]))
    stages = [f"s{i:03d}" for i in range(draws)]
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(draws * size)],
            "timestamp": pd.Timestamp("2026-03-01"),
            "stage": np.repeat(stages, size),
            "emotion": rng.choice(np.arange(1, 6), size=draws * size, p=probs),
        }
    )
    curve = em.emotion_curve(jl.load(frame, stages=stages, emotion_scale="1-5"))
    covered = ((curve["ci_low"] <= true_mean) & (true_mean <= curve["ci_high"])).mean()
    # 95% nominal; with 400 draws the binomial sd is 1.1 points
    assert 0.92 <= covered <= 0.98


def test_timeline_marks_low_count_periods_without_hiding_them(tiny: jl.Dataset) -> None:
    weekly = em.emotion_timeline(tiny, "week", min_n=3)
    assert weekly["period_start"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-02",
                                                                        "2026-03-09"]
    assert weekly["n"].tolist() == [4, 1]
    assert weekly["low_count"].tolist() == [False, True]
    assert weekly["valence_mean"].tolist() == pytest.approx([0.25, 0.5])
    by_stage = em.emotion_timeline(tiny, "week", by="stage")
    assert by_stage[["stage", "n"]].values.tolist() == [
        ["Awareness", 3], ["Purchase", 1], ["Purchase", 1]
    ]
    with pytest.raises(ValueError, match="freq must be one of"):
        em.emotion_timeline(tiny, "year")


def test_june_dip_is_found(sample: jl.Dataset) -> None:
    monthly = em.emotion_timeline(sample, "month")
    dips = monthly[monthly["below_usual"]]
    assert dips["period_start"].dt.strftime("%Y-%m").tolist() == ["2026-06"]
    june = dips.iloc[0]
    others = monthly[~monthly["below_usual"]]
    # planted: -0.8 on the 1-5 scale = -0.4 valence
    assert others["valence_mean"].mean() - june["valence_mean"] == pytest.approx(0.39, abs=0.05)
    assert not monthly["low_count"].any()
    sentence = em.describe_timeline(monthly, "month")
    assert sentence.startswith("Emotion dipped in Jun 2026: mean valence \u22120.01")
    weekly = em.emotion_timeline(sample, "week")
    flagged = weekly.loc[weekly["below_usual"], "period_start"]
    assert len(flagged) >= 4
    assert flagged.between("2026-05-25", "2026-06-30").all()


def test_pain_and_delight_points_on_the_sample(sample: jl.Dataset) -> None:
    pains = em.pain_points(sample)
    assert pains.iloc[0]["touchpoint"] == "Checkout"
    assert pains.iloc[0]["share_negative"] == pytest.approx(0.364, abs=0.01)
    assert pains["score"].is_monotonic_decreasing
    assert "Support call" in set(pains["touchpoint"])
    delights = em.delight_points(sample)
    assert not set(delights["touchpoint"]) & {"Checkout", "Support call", "Display ad"}
    assert {"Order placed", "Product page"} <= set(delights["touchpoint"])
    assert em.describe_points(pains) == (
        "The biggest pain point is Checkout: 36.4% of its 1,871 ratings are negative, and 2,019 "
        "customers meet it."
    )


def test_pain_points_worked_example(tiny: jl.Dataset) -> None:
    pains = em.pain_points(tiny, min_n=2)
    # Ad: valences -1 and 0 -> severity 0.5, 2 customers, score 1.0; overall severity is
    # 1 / 5 = 0.2, so only Ad is worse than average.
    assert pains["touchpoint"].tolist() == ["Ad"]
    assert pains.iloc[0][["customers", "n", "severity", "score"]].tolist() == [2, 2, 0.5, 1.0]
    delights = em.delight_points(tiny, min_n=2)
    # Checkout: +1 and +0.5 -> severity 0.75, customers 3; Search: +1, one customer
    assert delights["touchpoint"].tolist() == ["Checkout", "Search"]
    assert delights["enough_data"].tolist() == [True, False]
    assert delights.iloc[0]["score"] == pytest.approx(0.75 * 3)


def test_verbatims_and_stage_quotes(tiny: jl.Dataset) -> None:
    notes = em.verbatims(tiny)
    assert notes["note"].tolist() == ["Too loud", "Smooth", "Found it"]
    assert em.verbatims(tiny, touchpoint="Checkout")["note"].tolist() == ["Smooth"]
    quotes = em.stage_quotes(tiny)
    assert quotes[["stage", "tone", "note"]].values.tolist() == [
        ["Awareness", "negative", "Too loud"],
        ["Awareness", "positive", "Found it"],
        ["Purchase", "positive", "Smooth"],
    ]


def test_journey_score_worked_example(tiny: jl.Dataset) -> None:
    score = em.journey_score(tiny).iloc[0]
    # a: -1, +1 (not clean); b: 0, +0.5 (clean); c: +1 (clean)
    assert score["customers"] == 3
    assert score["journeys_non_negative"] == 2
    assert score["journey_score"] == pytest.approx(2 / 3)
    assert score["touchpoint_share_non_negative"] == pytest.approx(4 / 5)
    assert score["touchpoint_valence_mean"] == pytest.approx(1.5 / 5)
    assert score["journey_ci_low"] < 2 / 3 < score["journey_ci_high"]


def test_journey_score_on_the_sample(sample: jl.Dataset) -> None:
    score = em.journey_score(sample)
    row = score.iloc[0]
    assert row["touchpoint_share_non_negative"] - row["journey_score"] > 0.3
    assert em.describe_journey_score(score).startswith(
        "86.9% of single ratings are neutral or better, but only 50.6% of the 4,794"
    )


def test_wilson_interval_known_value() -> None:
    low, high = stats.wilson_interval(np.array([8]), np.array([10]))
    assert (float(low[0]), float(high[0])) == pytest.approx((0.4902, 0.9433), abs=1e-4)


def test_describe_curve(sample: jl.Dataset) -> None:
    text = em.describe_curve(em.emotion_curve(sample, "touchpoint"), "touchpoint")
    # The support call's planted bad experiences and the June dip put it just below Checkout.
    assert text.startswith(
        "Customers feel worst at Support call (mean valence \u22120.01, 39.1% negative)")
