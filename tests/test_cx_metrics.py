"""CX metrics: NPS, CSAT and CES from the score column, with intervals and refusals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import journeylib as jl
from journeylib import cx_metrics as cx
from journeylib import i18n

Z = 1.959963984540054


def _dataset(scores, column: str = "score", **extra) -> jl.Dataset:
    n = len(scores)
    frame = pd.DataFrame({
        "customer": [f"c{i}" for i in range(n)],
        "date": pd.date_range("2026-01-30", periods=n, freq="D").strftime("%Y-%m-%d"),
        column: scores,
        **{"touchpoint": ["Survey"] * n, **extra},
    })
    return jl.load(frame)


WORKED = [10, 9, 9, 8, 7, 6, 5, 0, 10, 3]


def test_worked_example_nps_with_its_interval_by_hand() -> None:
    ds = _dataset(WORKED)
    assert ds.report.emotion_scale == (0, 10)
    assert cx.supported_metrics(ds) == ["nps"]
    row = cx.cx_metric(ds, "nps").iloc[0]
    assert row["group"] == cx.ALL
    assert row["respondents"] == 10
    assert (row["promoters_share"], row["passives_share"], row["detractors_share"]) == (
        0.4, 0.2, 0.4)
    assert row["value"] == 0
    # Adjusted Wald: n' = 13, p' = d' = 4.75 / 13, centre 0, variance (p' + d') / n'.
    p = d = 4.75 / 13
    half = Z * math.sqrt((p + d - (p - d) ** 2) / 13) * 100
    assert half == pytest.approx(46.469, abs=1e-3)
    assert row["ci_low"] == pytest.approx(-half)
    assert row["ci_high"] == pytest.approx(half)
    # valence of the same answers: 0..10 maps to -1..1 around 5
    assert row["valence_mean"] == pytest.approx((sum(WORKED) / 10 - 5) / 5)


def test_nps_interval_is_asymmetric_when_promoters_lead() -> None:
    low, high = cx.nps_interval(np.array([8]), np.array([1]), np.array([10]))
    p, d = 8.75 / 13, 1.75 / 13
    half = Z * math.sqrt((p + d - (p - d) ** 2) / 13)
    assert low[0] == pytest.approx((p - d - half) * 100)
    assert high[0] == pytest.approx(min(1, p - d + half) * 100)


def test_csat_on_the_sample_is_the_share_of_fours_and_fives_with_wilson() -> None:
    ds = _dataset([1, 2, 3, 4, 5, 5, 4, 4, 2, 5])
    assert ds.report.emotion_scale == (1, 5)
    assert cx.supported_metrics(ds) == ["csat", "ces"]
    row = cx.cx_metric(ds, "csat").iloc[0]
    assert row["value"] == pytest.approx(0.6)
    centre = (0.6 + Z**2 / 20) / (1 + Z**2 / 10)
    half = Z * math.sqrt(0.6 * 0.4 / 10 + Z**2 / 400) / (1 + Z**2 / 10)
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(centre - half),
                                               pytest.approx(centre + half))
    assert "promoters_share" not in row


def test_ces_is_the_mean_with_a_t_interval_cut_to_the_scale() -> None:
    scores = [1, 2, 3, 4, 5, 6, 7, 7, 6, 5]
    ds = _dataset(scores, column="CES")
    assert ds.report.emotion_scale == (1, 7)
    assert cx.supported_metrics(ds) == ["ces"]
    row = cx.cx_metric(ds, "ces").iloc[0]
    mean, sd = np.mean(scores), np.std(scores, ddof=1)
    assert row["value"] == pytest.approx(mean)
    # t(0.975, 9) = 2.262
    assert row["ci_high"] - mean == pytest.approx(2.262 * sd / math.sqrt(10), rel=1e-2)
    # three answers spread over the scale: the t interval would leave 1..7, it is cut
    few = cx.cx_metric(_dataset([1, 1, 7], column="CES"), "ces").iloc[0]
    assert (few["ci_low"], few["ci_high"]) == (1, 7)
    # one answer: no spread, no interval
    alone = cx.cx_metric(_dataset([1, 7], column="CES", stage=["a", "b"]), "ces", "stage")
    assert alone["ci_low"].isna().all() and alone["value"].tolist() == [1, 7]


def test_a_named_column_puts_its_metric_first() -> None:
    assert cx.supported_metrics(_dataset([1, 2, 3, 4, 5], column="CES rating")) == ["ces"]
    assert cx.supported_metrics(_dataset([1, 2, 3, 4, 5], column="satisfaction")) == [
        "csat", "ces"]


@pytest.mark.parametrize(("scores", "metric", "reason"), [
    ([1, 2, 3, 4, 5], "nps", "nps_scale"),
    (WORKED, "csat", "csat_scale"),
    (WORKED, "ces", "ces_scale"),
    (["happy", "sad", "angry"], "nps", "no_scores"),
    (["happy", "sad", "angry"], "csat", "no_scores"),
])
def test_a_metric_that_does_not_fit_is_refused_with_a_code(scores, metric, reason) -> None:
    ds = _dataset(scores)
    assert cx.refusal(ds, metric) == reason
    assert metric not in cx.supported_metrics(ds)
    with pytest.raises(cx.MetricRefused) as caught:
        cx.cx_metric(ds, metric, "stage")
    assert caught.value.reason == reason and caught.value.metric == metric
    assert isinstance(caught.value, jl.DataError)
    with pytest.raises(cx.MetricRefused):
        cx.cx_metric_over_time(ds, metric, "month")
    # the app words the code in every language, naming the metric and the scale
    for lang in ("en", "ru", "pl"):
        words = caught.value.words(lang)
        assert metric.upper() in words
        if reason != "no_scores":
            assert "–" in words


def test_without_an_emotion_column_every_metric_is_refused() -> None:
    frame = pd.DataFrame({"customer": ["a", "b"], "date": ["2026-01-01", "2026-01-02"],
                          "touchpoint": ["Ad", "Visit"]})
    ds = jl.load(frame)
    assert cx.supported_metrics(ds) == []
    assert {cx.refusal(ds, m) for m in cx.METRICS} == {"no_scores"}


def test_unknown_metric_group_or_period_are_programming_errors() -> None:
    ds = _dataset(WORKED)
    with pytest.raises(ValueError):
        cx.refusal(ds, "ltr")
    with pytest.raises(ValueError):
        cx.cx_metric(ds, "nps", "region")
    with pytest.raises(ValueError):
        cx.cx_metric_over_time(ds, "nps", "hour")


def test_nps_by_segment_and_stage() -> None:
    ds = _dataset([*WORKED, 9, 9, None],
                  segment=["A"] * 5 + ["B"] * 5 + [None] * 3,
                  stage=["Buy"] * 6 + ["Use"] * 7)
    seg = cx.cx_metric(ds, "nps", "segment").set_index("group")
    # A: 10, 9, 9, 8, 7 -> 3 promoters, 0 detractors; B: 6, 5, 0, 10, 3 -> 1 and 4;
    # no segment: 9, 9 (the empty answer does not count)
    assert seg.loc["A", "value"] == pytest.approx(60)
    assert seg.loc["B", "value"] == pytest.approx(-60)
    assert seg.loc[cx.NO_VALUE, "respondents"] == 2
    assert seg.loc[cx.NO_VALUE, "value"] == 100
    assert list(seg.index) == ["A", "B", cx.NO_VALUE]  # most answers first, then by name
    assert not seg["enough_data"].any()
    stages = cx.cx_metric(ds, "nps", "stage")
    assert stages["group"].tolist() == ds.stages
    assert stages["respondents"].sum() == 12


def test_sample_csat_by_stage_and_over_time(sample_dataset: jl.Dataset) -> None:
    ds = sample_dataset
    assert cx.supported_metrics(ds) == ["csat", "ces"]
    assert cx.refusal(ds, "nps") == "nps_scale"
    by_stage = cx.cx_metric(ds, "csat", "stage")
    assert by_stage["group"].tolist() == [s for s in ds.stages if s in set(by_stage["group"])]
    overall = cx.cx_metric(ds, "csat").iloc[0]
    assert by_stage["respondents"].sum() == overall["respondents"]
    monthly = cx.cx_metric_over_time(ds, "csat", "month")
    assert monthly["respondents"].sum() == overall["respondents"]
    assert (monthly["period_end"] > monthly["period_start"]).all()
    assert monthly["period_start"].is_monotonic_increasing
    # the sample's June is worse (the dip the emotion timeline finds)
    june = monthly.set_index("period_start").loc[pd.Timestamp("2026-06-01")]
    assert june["ci_high"] < monthly["value"].drop(
        monthly.index[monthly["period_start"] == pd.Timestamp("2026-06-01")]).min()
    for by in cx.GROUPS:
        assert cx.cx_metric(ds, "ces", by)["respondents"].sum() == overall["respondents"]


def test_over_time_counts_in_the_dataset_time_zone() -> None:
    frame = pd.DataFrame({"customer": ["a", "b", "c"],
                          "timestamp": ["2026-01-31T23:30:00Z", "2026-02-01T10:00:00Z",
                                        "2026-02-02T10:00:00Z"],
                          "touchpoint": ["Survey"] * 3, "nps": [10, 0, 9]})
    ds = jl.load(frame)
    utc = cx.cx_metric_over_time(ds, "nps", "month")
    assert utc["respondents"].tolist() == [1, 2]
    warsaw = cx.cx_metric_over_time(jl.with_timezone(ds, "Europe/Warsaw"), "nps", "month")
    assert warsaw["respondents"].tolist() == [3]
    days = cx.cx_metric_over_time(ds, "nps", "day")
    assert days["value"].tolist() == [100, -100, 100]


def test_refusal_words_follow_the_language() -> None:
    error = cx.MetricRefused("nps", "nps_scale", (1.0, 5.0))
    with i18n.language("ru"):
        assert "1–5" in error.words() and "0–10" in error.words()
    assert "0–10" in error.words("pl")


scales = st.sampled_from([((0, 10), "nps"), ((1, 5), "csat"), ((1, 5), "ces"), ((1, 7), "ces")])


@settings(max_examples=40, deadline=None)
@given(data=st.data(), scale=scales)
def test_metrics_stay_in_range_and_inside_their_intervals(data, scale) -> None:
    (low, high), metric = scale
    scores = data.draw(st.lists(st.integers(low, high), min_size=1, max_size=40))
    # the scale must be detected as the one drawn: pin both ends
    column = {"nps": "nps", "csat": "csat", "ces": "ces"}[metric]
    if metric == "ces" and high == 5:
        column = "rating"
        scores = [low, high, *scores]
    elif metric == "nps":
        scores = [0, *scores]
    ds = _dataset(scores, column=column, segment=data.draw(
        st.lists(st.sampled_from(["x", "y"]), min_size=len(scores), max_size=len(scores))))
    assert ds.report.emotion_scale == (low, high)
    for by in (None, "segment"):
        frame = cx.cx_metric(ds, metric, by)
        assert frame["respondents"].sum() == len(scores)
        bounds = {"nps": (-100, 100), "csat": (0, 1), "ces": (low, high)}[metric]
        assert frame["value"].between(*bounds).all()
        rated = frame.dropna(subset=["ci_low", "ci_high"])
        if metric != "ces":
            assert len(rated) == len(frame)
        eps = 1e-9
        assert (rated["ci_low"] <= rated["value"] + eps).all()
        assert (rated["value"] <= rated["ci_high"] + eps).all()
        assert rated["ci_low"].between(bounds[0] - eps, bounds[1] + eps).all()
        assert rated["ci_high"].between(bounds[0] - eps, bounds[1] + eps).all()
        if metric == "nps":
            total = frame[["promoters_share", "passives_share", "detractors_share"]].sum(axis=1)
            assert np.allclose(total, 1)


def test_the_same_numbers_on_spark(spark_backend) -> None:
    from tests.spark_engine import on_spark

    duck = _dataset([*WORKED, 4, 9], segment=["A", "B"] * 6)
    spark = on_spark(spark_backend, duck)
    for by in (None, "segment", "touchpoint"):
        pd.testing.assert_frame_equal(cx.cx_metric(spark, "nps", by), cx.cx_metric(duck, "nps", by),
                                      check_dtype=False)
    pd.testing.assert_frame_equal(cx.cx_metric_over_time(spark, "nps", "week"),
                                  cx.cx_metric_over_time(duck, "nps", "week"), check_dtype=False)


def test_filters_that_leave_no_answers_give_empty_frames() -> None:
    ds = _dataset(WORKED, segment=["A"] * 10)
    none = jl.apply_filters(ds, jl.Filters(segments=("B",)))
    assert cx.supported_metrics(none) == ["nps"]  # the scale is the file's, not the filter's
    assert cx.cx_metric(none, "nps").empty
    assert cx.cx_metric(none, "nps", "stage").empty
    assert cx.cx_metric_over_time(none, "nps", "month").empty


def test_chart_has_an_explicit_width_intervals_and_a_domain_inside_the_range(
        sample_dataset: jl.Dataset) -> None:
    from journeylib.charts.cx import cx_metric_chart, value_domain

    frame = cx.cx_metric(sample_dataset, "csat", "segment")
    low, high = value_domain(frame, "csat")
    assert 0 <= low < frame["ci_low"].min() and frame["ci_high"].max() < high <= 1
    spec = cx_metric_chart(frame, "csat", "segment", width=500).to_dict()
    assert spec["width"] == 500 and spec["title"]["text"] == "CSAT by segment"
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rule", "point"]
    assert spec["layer"][0]["encoding"]["x2"]["field"] == "ci_high"
    with i18n.language("ru"):
        nps = cx.cx_metric(_dataset(WORKED), "nps")
        spec = cx_metric_chart(nps, "nps", "stage").to_dict()
        assert spec["title"]["text"] == "NPS по этапам"
        assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rule", "rule", "point"]
    # the interval ±46.47 with a tenth of its span on each side
    assert value_domain(nps, "nps") == [pytest.approx(-55.76, abs=0.01),
                                        pytest.approx(55.76, abs=0.01)]
    monthly = cx.cx_metric_over_time(sample_dataset, "ces", "month")
    spec = cx_metric_chart(monthly, "ces", "month", scale=(1, 5)).to_dict()
    assert spec["layer"][0]["encoding"]["y2"]["field"] == "ci_high"
    with pytest.raises(ValueError):
        cx_metric_chart(monthly, "ces", "week")
