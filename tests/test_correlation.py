"""Funnel correlation: a planted touchpoint comes first, an unrelated property does not; the odds
ratio, interval and p-values checked by hand; the span of touchpoints that counts; limits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import journeylib as jl
from journeylib.charts.correlation import correlation_chart
from journeylib.correlation import (
    COLUMNS,
    bh_q_values,
    describe_correlation,
    fisher_exact,
    funnel_correlation,
    odds_ratio,
    p_value,
)
from journeylib.i18n import language, say

A, C, P = "Awareness", "Consideration", "Purchase"
STEPS = [A, C, P]
Z = 1.959963984540054


def _ds(rows: list[dict]) -> jl.Dataset:
    return jl.load(pd.DataFrame(rows), stages=STEPS)


def _planted(seed: int = 7, n: int = 300) -> jl.Dataset:
    """Converters saw a demo (an entry-stage touchpoint) far more often; segment and channel
    are coin flips per customer."""
    rng = np.random.default_rng(seed)
    rows = []
    start = pd.Timestamp("2026-03-02 09:00")
    for k in range(n):
        cid, t0 = f"c{k}", start + pd.Timedelta(hours=int(rng.integers(0, 2000)))
        converts = rng.random() < 0.4
        segment = "Business" if rng.random() < 0.5 else "Private"
        channel = "email" if rng.random() < 0.5 else "search"

        def row(hours, stage, touchpoint, cid=cid, t0=t0, segment=segment, channel=channel):
            rows.append({"customer_id": cid, "timestamp": str(t0 + pd.Timedelta(hours=hours)),
                         "stage": stage, "touchpoint": touchpoint, "segment": segment,
                         "channel": channel})

        row(0, A, "Ad")
        row(5, C, "Pricing page")
        if rng.random() < (0.7 if converts else 0.1):
            row(10, A, "Demo")
        if converts:
            row(30, P, "Checkout")
    return _ds(rows)


def test_a_planted_touchpoint_is_ranked_first() -> None:
    out = funnel_correlation(_planted(), STEPS)
    assert list(out.columns) == COLUMNS
    top = out.iloc[0]
    assert (top["property"], top["value"]) == ("touchpoint", "Demo")
    assert top["odds_ratio"] > 1 and top["ci_low"] > 1
    assert top["p_value"] < 0.05 and top["significant"] and top["direction"] == "over"
    # The coin-flip properties are not significant.
    for prop in ("segment", "channel"):
        rows = out[out["property"] == prop]
        assert len(rows) == 2
        assert (rows["p_value"] > 0.05).all() and not rows["significant"].any()
    # Every entering customer saw the ad: no difference to find.
    ad = out[out["value"] == "Ad"].iloc[0]
    assert ad["p_value"] == pytest.approx(1.0) and not ad["significant"]
    # The converting touchpoint is never its own evidence; the pricing page is step 2.
    assert "Checkout" not in set(out["value"]) and "Pricing page" not in set(out["value"])
    assert out["p_value"].is_monotonic_increasing
    assert (out["q_value"] >= out["p_value"] - 1e-12).all()


def _table(a: int, b: int, c: int, d: int, value: str = "X") -> jl.Dataset:
    """a converters and b non-converters with ``value``, c and d without it."""
    rows, k = [], 0
    for count, converts, has in ((a, True, True), (b, False, True), (c, True, False),
                                 (d, False, False)):
        for _ in range(count):
            cid, k = f"c{k}", k + 1
            rows.append({"customer_id": cid, "timestamp": "2026-03-02 10:00", "stage": A,
                         "touchpoint": value if has else "Other"})
            rows.append({"customer_id": cid, "timestamp": "2026-03-02 11:00", "stage": C})
            if converts:
                rows.append({"customer_id": cid, "timestamp": "2026-03-02 12:00", "stage": P})
    return _ds(rows)


def test_odds_ratio_and_interval_by_hand() -> None:
    out = funnel_correlation(_table(8, 2, 2, 8), STEPS, min_customers=1, properties=["touchpoint"])
    x = out[out["value"] == "X"].iloc[0]
    assert (x["converters_with"], x["non_converters_with"]) == (8, 2)
    assert (x["converters"], x["non_converters"]) == (10, 10)
    assert (x["share_of_converters"], x["share_of_non_converters"]) == (0.8, 0.2)
    assert x["odds_ratio"] == pytest.approx(16.0)
    half = Z * math.sqrt(1 / 8 + 1 / 2 + 1 / 2 + 1 / 8)
    assert x["ci_low"] == pytest.approx(16.0 * math.exp(-half))
    assert x["ci_high"] == pytest.approx(16.0 * math.exp(half))
    assert x["ci_low"] == pytest.approx(1.7884, abs=1e-4)
    # Expected counts are 5: chi-square, 20·(64 - 4)² / 10⁴ = 7.2 on one degree of freedom.
    assert x["test"] == "chi_square"
    assert x["p_value"] == pytest.approx(math.erfc(math.sqrt(7.2 / 2)))
    assert x["p_value"] == pytest.approx(0.00729, abs=1e-5)
    other = out[out["value"] == "Other"].iloc[0]
    assert other["odds_ratio"] == pytest.approx(1 / 16)
    assert other["direction"] == "under"


def test_haldane_correction_for_a_zero_cell() -> None:
    out = funnel_correlation(_table(5, 0, 5, 10), STEPS, min_customers=1,
                             properties=["touchpoint"])
    x = out[out["value"] == "X"].iloc[0]
    assert x["odds_ratio"] == pytest.approx(5.5 * 10.5 / (0.5 * 5.5))
    half = Z * math.sqrt(1 / 5.5 + 1 / 0.5 + 1 / 5.5 + 1 / 10.5)
    assert x["ci_high"] == pytest.approx(21.0 * math.exp(half))
    # Expected count 5·5/20 = 1.25 < 5: Fisher's exact test.
    assert x["test"] == "fisher"


def test_fisher_exact_known_values() -> None:
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(34 / 70)  # the lady tasting tea
    assert fisher_exact(5, 0, 0, 5) == pytest.approx(2 / 252)
    assert fisher_exact(0, 5, 5, 0) == pytest.approx(2 / 252)
    assert fisher_exact(2, 2, 2, 2) == pytest.approx(1.0)
    assert p_value(3, 1, 1, 3) == (pytest.approx(34 / 70), "fisher")


def test_odds_ratio_is_vectorised() -> None:
    ratio, low, high = odds_ratio(np.array([8, 5]), np.array([2, 0]), np.array([2, 5]),
                                  np.array([8, 10]))
    assert ratio == pytest.approx([16.0, 21.0])
    assert (low < ratio).all() and (ratio < high).all()


def test_benjamini_hochberg() -> None:
    q = bh_q_values(np.array([0.01, 0.04, 0.03, 0.5]))
    assert q == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])
    assert bh_q_values(np.array([0.9, 0.95])) == pytest.approx([0.95, 0.95])
    assert len(bh_q_values(np.array([]))) == 0


def test_minimum_count_and_top_values() -> None:
    ds = _planted()
    assert funnel_correlation(ds, STEPS, min_customers=10_000).empty
    top = funnel_correlation(ds, STEPS, top=1)
    assert top.groupby("property").size().max() == 1
    touch = top[top["property"] == "touchpoint"].iloc[0]
    assert touch["values_in_property"] == 2  # Ad, Demo (Pricing page and Checkout are steps)
    assert touch["value"] == "Ad"  # the most common


def test_non_converters_count_within_the_window() -> None:
    rows = [
        {"customer_id": "y", "timestamp": "2026-03-02 10:00", "stage": A, "touchpoint": "Ad"},
        {"customer_id": "y", "timestamp": "2026-03-03 10:00", "stage": C, "touchpoint": "Call"},
        {"customer_id": "y", "timestamp": "2026-03-04 10:00", "stage": P, "touchpoint": "Buy"},
        {"customer_id": "z", "timestamp": "2026-03-02 10:00", "stage": A, "touchpoint": "Ad"},
        {"customer_id": "z", "timestamp": "2026-03-12 10:00", "stage": C, "touchpoint": "Late"},
        {"customer_id": "w", "timestamp": "2026-03-01 10:00", "stage": C, "touchpoint": "Before"},
        {"customer_id": "w", "timestamp": "2026-03-02 10:00", "stage": A, "touchpoint": "Ad"},
    ]
    ds = _ds(rows)  # Consideration is not a step of this funnel, so its touchpoints count
    always = funnel_correlation(ds, [A, P], min_customers=1, properties=["touchpoint"])
    assert set(always["value"]) == {"Ad", "Call", "Late"}  # nothing before entry, no "Buy"
    weekly = funnel_correlation(ds, [A, P], window="7d", min_customers=1,
                                properties=["touchpoint"])
    assert set(weekly["value"]) == {"Ad", "Call"}


def test_nothing_to_compare() -> None:
    nobody = _ds([{"customer_id": "a", "timestamp": "2026-03-02", "stage": A}])
    out = funnel_correlation(nobody, [A, P])
    assert out.empty and list(out.columns) == COLUMNS
    assert describe_correlation(out).code == "correlation.reading.nothing"
    with pytest.raises(ValueError, match="two steps"):
        funnel_correlation(nobody, [A])
    with pytest.raises(ValueError, match="properties"):
        funnel_correlation(nobody, [A, P], properties=["emotion"])


def test_reading_and_chart_in_three_languages() -> None:
    out = funnel_correlation(_planted(), STEPS)
    message = describe_correlation(out)
    assert message.code == "correlation.reading.top_over"
    assert "touchpoint “Demo”" in say(message, "en")
    assert "точка контакта «Demo»" in say(message, "ru")
    assert "punkt styku „Demo”" in say(message, "pl")
    quiet = out[out["property"] == "segment"].assign(significant=False)
    assert "None of the 2 values" in say(describe_correlation(quiet), "en")
    for lang, title in (("en", "What goes with converting"), ("ru", "Что сопутствует конверсии"),
                        ("pl", "Co towarzyszy konwersji")):
        with language(lang):
            spec = correlation_chart(out).to_dict()
        assert spec["title"]["text"] == title
        assert len(spec["layer"]) == 3
