"""Conversion trend for any pair of funnel steps; time-to-convert bins standard, automatic or
chosen."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import journeylib as jl
from journeylib.conversion import (
    DURATION_LADDER,
    MAX_AUTO_BINS,
    TIME_BINS,
    auto_edges,
    bin_name,
    conversion_trend,
    time_to_convert,
)
from journeylib.i18n import say

A, C, P = "Awareness", "Consideration", "Purchase"
STEPS = [A, C, P]


def _ds(rows) -> jl.Dataset:
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage"])
    return jl.load(frame, stages=STEPS)


# Entries in the weeks of 2 and 9 March 2026 (Mondays).
ROWS = [
    ("a", "2026-03-02 10:00", A), ("a", "2026-03-10 10:00", C), ("a", "2026-03-11 10:00", P),
    ("b", "2026-03-03 10:00", A), ("b", "2026-03-04 10:00", C),
    ("c", "2026-03-04 10:00", A),
    ("d", "2026-03-09 10:00", A), ("d", "2026-03-09 12:00", C), ("d", "2026-03-09 13:00", P),
    ("e", "2026-03-10 10:00", A), ("e", "2026-03-11 10:00", C), ("e", "2026-03-12 10:00", P),
]


def test_one_step_converts_everyone() -> None:
    out = conversion_trend(_ds(ROWS), [A])
    assert out["converted"].tolist() == out["entered"].tolist() == [3, 2]


def test_old_calls_are_first_to_last() -> None:
    ds = _ds(ROWS)
    old = conversion_trend(ds, STEPS)
    assert old.equals(conversion_trend(ds, STEPS, from_step=1, to_step=3))
    assert old["entered"].tolist() == [3, 2]
    assert old["converted"].tolist() == [1, 2]


def test_trend_from_the_second_step_counts_its_week() -> None:
    # a reached Consideration in the week of 9 March; b and d and e as written.
    out = conversion_trend(_ds(ROWS), STEPS, from_step=2, to_step=3)
    assert out["period_start"].dt.date.astype(str).tolist() == ["2026-03-02", "2026-03-09"]
    assert out["entered"].tolist() == [1, 3]  # b | a, d, e
    assert out["converted"].tolist() == [0, 3]
    assert out["conversion"].tolist() == [0.0, 1.0]


def test_trend_of_a_pair_adds_up_to_the_funnel() -> None:
    ds = jl.load(jl.sample.generate(n_customers=400, seed=5))
    steps = ds.stages[:4]
    counts = jl.funnel(ds, steps)["customers"].tolist()
    for i, j in ((1, 2), (2, 4), (3, 4), (1, 4)):
        out = conversion_trend(ds, steps, "month", from_step=i, to_step=j, window="30d")
        window_counts = jl.funnel(ds, steps, window="30d")["customers"].tolist()
        assert out["entered"].sum() == window_counts[i - 1]
        assert out["converted"].sum() == window_counts[j - 1]
    assert counts[0] == conversion_trend(ds, steps, from_step=1, to_step=2)["entered"].sum()


@pytest.mark.parametrize(("i", "j"), [(0, 2), (2, 1), (3, 1), (1, 4)])
def test_a_step_pair_out_of_the_funnel_is_refused(i, j) -> None:
    with pytest.raises(ValueError, match="from_step"):
        conversion_trend(_ds(ROWS), STEPS, from_step=i, to_step=j)


# Minutes from Awareness to Purchase, one customer each: 2 min, 30 min, 90 min, 5 h, 30 h, 10 d.
MINUTES = [2, 30, 90, 300, 1800, 14400]


def _timed() -> jl.Dataset:
    start = pd.Timestamp("2026-03-02 10:00")
    rows = []
    for k, minutes in enumerate(MINUTES):
        rows += [(f"c{k}", str(start), A), (f"c{k}", str(start + pd.Timedelta(minutes=minutes)), P)]
    return _ds(rows)


def test_standard_bins_are_unchanged() -> None:
    out = time_to_convert(_timed(), A, P)
    assert out["bin"].tolist() == [b for b, _, _ in TIME_BINS]
    assert out["customers"].tolist() == [2, 2, 0, 1, 0, 1, 0, 0, 0]
    assert out["median_hours"].iloc[0] == pytest.approx((1.5 + 5) / 2)


def test_chosen_edges() -> None:
    out = time_to_convert(_timed(), A, P, bins=[1, 24])
    assert out["bin_start_hours"].tolist() == [0, 1, 24]
    assert out["bin_end_hours"].tolist() == [1, 24, math.inf]
    assert out["customers"].tolist() == [2, 2, 2]
    assert out["share"].tolist() == pytest.approx([1 / 3] * 3)
    assert out["bin"].tolist() == ["0-1h", "1-24h", "24-infh"]


@pytest.mark.parametrize("edges", [[], [24, 1], [0, 1], [1, 1], [float("inf")], list(range(1, 40))])
def test_bad_edges_are_refused(edges) -> None:
    with pytest.raises(ValueError):
        time_to_convert(_timed(), A, P, bins=edges)
    with pytest.raises(ValueError):
        time_to_convert(_timed(), A, P, bins="weekly")


def test_auto_bins_follow_the_spread() -> None:
    out = time_to_convert(_timed(), A, P, bins="auto")
    assert out["customers"].sum() == len(MINUTES)
    edges = out["bin_start_hours"].tolist()[1:]
    assert set(edges) <= set(DURATION_LADDER)
    assert len(out) <= MAX_AUTO_BINS
    # The first edge is at or below the fastest 5% and the last at or above the slowest 5%.
    assert edges[0] <= out["p05_hours"].iloc[0]
    assert edges[-1] >= out["p95_hours"].iloc[0]
    hours = [m / 60 for m in MINUTES]
    assert all(h < out["p05_hours"].iloc[0] for h in hours if h < edges[0])
    assert all(h > out["p95_hours"].iloc[0] for h in hours if h >= edges[-1])
    # Counts per bin are those of the hand-made durations.
    expected = [sum(1 for h in hours if a <= h < b)
                for a, b in zip(out["bin_start_hours"], out["bin_end_hours"], strict=True)]
    assert out["customers"].tolist() == expected


def test_auto_edges_rule() -> None:
    # Between 10 minutes and 20 hours: 5 min (last at or below) .. 24 h (first at or above).
    assert auto_edges(10 / 60, 20.0) == [5 / 60, 0.25, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0, 24.0]
    # A wide spread is thinned to at most MAX_AUTO_BINS bins, the ends kept.
    wide = auto_edges(0.5 / 60, 9000.0)
    assert len(wide) == MAX_AUTO_BINS - 1
    assert wide[0] == DURATION_LADDER[0] and wide[-1] == DURATION_LADDER[-1]
    # All converters within the same minute still get two bins.
    assert len(auto_edges(2.0, 2.0)) >= 1
    assert auto_edges(math.nan, math.nan) == [end for _, _, end in TIME_BINS[:-1]]


def test_auto_bins_without_converters() -> None:
    out = time_to_convert(_ds([("a", "2026-03-02 10:00", A)]), A, P, bins="auto")
    assert out["customers"].sum() == 0
    assert math.isnan(out["median_hours"].iloc[0])


def test_bin_names() -> None:
    assert say(bin_name(0, 1)) == "< 1.0 hour"
    assert say(bin_name(1, 24)) == "1.0 hour – 24.0 hours"
    assert say(bin_name(168, math.inf)) == "≥ 7.0 days"
    assert say(bin_name(0, 0.25), "ru") == "< 15 минут"
    assert say(bin_name(24, 72), "pl").startswith("24,0")
