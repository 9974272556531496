"""Every analysis under the funnel counts the funnel shown above it: the same entry rule and
exclusion (bug: trend, time to convert, segments and correlation always counted best
attempts without the exclusion, whatever the page's choice)."""

from __future__ import annotations

import pytest

import journeylib as jl
from journeylib import correlation, segments

STEPS = ["Awareness", "Consideration", "Purchase"]


@pytest.mark.parametrize("entry", ["best", "first"])
def test_trend_segments_correlation_and_time_follow_entry_and_exclusion(sample_dataset,
                                                                       entry) -> None:
    ds = sample_dataset
    rule = [jl.Exclusion("Price comparison", 1, 2, field="touchpoint")]
    opts = {"window": "30d", "entry": entry, "exclude": rule}
    frame = jl.funnel(ds, STEPS, **opts)
    entered, bought = int(frame["customers"].iloc[0]), int(frame["customers"].iloc[-1])
    trend = jl.conversion_trend(ds, STEPS, "month", **opts)
    assert (int(trend["entered"].sum()), int(trend["converted"].sum())) == (entered, bought)
    seg = segments.compare_segments(ds, STEPS, **opts)
    assert (int(seg["entered"].sum()), int(seg["converted"].sum())) == (entered, bought)
    corr = correlation.funnel_correlation(ds, STEPS, **opts)
    assert int(corr["converters"].iloc[0]) == bought
    assert int(corr["non_converters"].iloc[0]) == entered - bought
    timing = jl.time_to_convert(ds, STEPS[0], STEPS[1], **opts)
    assert int(timing["customers"].sum()) == int(frame["customers"].iloc[1])


def test_the_entry_rule_changes_the_counts_somewhere(sample_dataset) -> None:
    best = jl.funnel(sample_dataset, STEPS, window="7d", entry="best")["customers"].tolist()
    first = jl.funnel(sample_dataset, STEPS, window="7d", entry="first")["customers"].tolist()
    assert best != first and all(b >= f for b, f in zip(best, first, strict=True))
