"""Funnels: hand-computed examples for each mode and window edge, a brute-force reference
checked with Hypothesis, and the planted checkout pain point of the sample data."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import journeylib as jl
from journeylib.conversion import (
    conversion_trend,
    describe_time_to_convert,
    describe_trend,
    time_to_convert,
)
from journeylib.durations import window_seconds
from journeylib.funnel import (
    MODES,
    Exclusion,
    describe_funnel,
    describe_journey_parts,
    drop_offs,
    funnel,
    journey_parts,
)
from journeylib.i18n import say
from journeylib.segments import compare_segments, describe_segments
from journeylib.stats import two_proportion_p_value

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "journeys.csv"
BASE = pd.Timestamp("2026-03-02 00:00")  # a Monday
A, C, P = "Awareness", "Consideration", "Purchase"
STAGES = [A, C, P]
H = 1.0
DAY = 24.0

# (customer, hours after BASE, stage, touchpoint, channel, emotion, segment); rows are kept in
# this order, which breaks timestamp ties in stage transitions.
EVENTS = [
    ("c1", 0, A, "Ad", "email", None, "New"),
    ("c1", 0.5, None, "Coupon", "search", None, "New"),
    ("c1", 1, C, "Product page", "search", 4, "New"),
    ("c1", 2, P, "Order", "search", 5, "New"),
    # skips Consideration
    ("c2", 0, A, "Ad", "search", None, "New"),
    ("c2", 1, P, "Order", "search", None, "New"),
    # Consideration before the entry, and again after it; the purchase comes in between
    ("c3", 0, C, "Product page", "search", None, "Returning"),
    ("c3", 1, A, "Ad", "search", None, "Returning"),
    ("c3", 2, P, "Order", "search", None, "Returning"),
    ("c3", 3, C, "Checkout", "search", 2, "Returning"),
    # three stages at the same moment
    ("c4", 10, A, "Ad", "search", None, "New"),
    ("c4", 10, C, "Product page", "search", None, "New"),
    ("c4", 10, P, "Order", "search", None, "New"),
    # goes back to Awareness before buying
    ("c5", 0, A, "Ad", "search", None, "New"),
    ("c5", 1, C, "Product page", "search", None, "New"),
    ("c5", 2, A, "Ad", "search", None, "New"),
    ("c5", 3, P, "Order", "search", None, "New"),
    ("c5", 5, None, "Coupon", "search", None, "New"),
    # Consideration exactly 30 days after the entry, Purchase one second later
    ("c6", 0, A, "Ad", "search", None, "New"),
    ("c6", 30 * DAY, C, "Product page", "search", None, "New"),
    ("c6", 30 * DAY + 1 / 3600, P, "Order", "search", None, "New"),
    # never in step 1: not in the funnel
    ("c7", 0, C, "Product page", "search", None, "New"),
    ("c7", 5, P, "Order", "search", None, "New"),
    # only Awareness
    ("c8", 0, A, "Ad", "search", None, "New"),
]


def _frame(events) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [e[0] for e in events],
            "timestamp": [BASE + pd.Timedelta(hours=e[1]) for e in events],
            "stage": [e[2] for e in events],
            "touchpoint": [e[3] for e in events],
            "channel": [e[4] for e in events],
            "emotion": [e[5] for e in events],
            "segment": [e[6] for e in events],
        }
    )


@pytest.fixture(scope="module")
def tiny() -> jl.Dataset:
    return jl.load(_frame(EVENTS), stages=STAGES)


@pytest.fixture(scope="module")
def sample(sample_dataset: jl.Dataset) -> jl.Dataset:
    return sample_dataset


def _counts(frame: pd.DataFrame) -> list[int]:
    return frame["customers"].tolist()


@pytest.mark.parametrize(
    ("mode", "window", "expected"),
    [
        ("ordered", None, [7, 5, 4]),  # c2 skips C; c3's purchase comes before its later C
        ("ordered", "30d", [7, 5, 3]),  # c6: C exactly at the window end counts, P 1 s later not
        ("strict", None, [7, 4, 3]),  # c5 goes back between C and P; c3 has P right after A
        ("strict", "30d", [7, 4, 2]),
        ("any_after_first", None, [7, 5, 5]),  # order ignored: c3 counts at every step
        ("any_after_first", "30d", [7, 5, 4]),
    ],
)
def test_hand_computed_funnels(tiny, mode, window, expected) -> None:
    assert _counts(funnel(tiny, window=window, mode=mode)) == expected


def test_funnel_columns_and_times(tiny) -> None:
    f = funnel(tiny)
    assert list(f.columns) == [
        "step",
        "stage",
        "journey",
        "customers",
        "conversion_from_previous",
        "conversion_from_start",
        "drop_off",
        "median_hours_from_previous",
        "p90_hours_from_previous",
    ]
    assert f["stage"].tolist() == STAGES
    assert f["journey"].tolist() == ["Buyer journey"] * 3
    assert f["drop_off"].tolist() == [0, 2, 1]
    assert f["conversion_from_previous"].tolist() == pytest.approx([1.0, 5 / 7, 4 / 5])
    assert f["conversion_from_start"].tolist() == pytest.approx([1.0, 5 / 7, 4 / 7])
    # Gaps to C: c1 1 h, c3 2 h, c4 0, c5 1 h, c6 720 h; to P: c1 1 h, c4 0, c5 2 h, c6 1 s.
    assert math.isnan(f["median_hours_from_previous"].iloc[0])
    assert f["median_hours_from_previous"].iloc[1] == pytest.approx(1.0)
    assert f["p90_hours_from_previous"].iloc[1] == pytest.approx(2 + 0.6 * 718)
    assert f["median_hours_from_previous"].iloc[2] == pytest.approx((1 / 3600 + 1) / 2)


def test_stage_order_is_the_callers(tiny) -> None:
    f = funnel(tiny, [C, P])
    # c1, c3 (first C at 0 h, P at 2 h), c4, c5, c6, c7 enter; c3's P is after its first C.
    assert _counts(f) == [6, 6]


def test_describe_funnel(tiny) -> None:
    text = describe_funnel(funnel(tiny))
    assert text == (
        "57.1% of the 7 customers who reached Awareness went on to Purchase; the largest drop "
        "is Awareness → Consideration (28.6% of customers lost)."
    )


def test_exclusion_removes_customers_from_the_whole_funnel(tiny) -> None:
    # c1 has a Coupon between A and C; c5's Coupon comes after its purchase.
    rule = Exclusion("Coupon", 1, 2, field="touchpoint")
    assert _counts(funnel(tiny, exclude=[rule], entry="first")) == [6, 4, 3]
    late = Exclusion("Coupon", 2, 3, field="touchpoint")
    assert _counts(funnel(tiny, exclude=[late], entry="first")) == [7, 5, 4]
    # Consideration strictly between A and P: c1, c5 and c6; c3 never reaches P, so for it
    # everything after A counts (its C at 3 h). c4's C is at the same moment as A: kept.
    # Left: c2, c4, c8.
    assert _counts(funnel(tiny, exclude=[Exclusion(C, 1, 3)], entry="first")) == [3, 1, 1]
    with pytest.raises(ValueError, match="between two steps"):
        funnel(tiny, exclude=[Exclusion("Coupon", 2, 2, "touchpoint")])


def test_breakdown_by_first_touch_channel(tiny) -> None:
    f = funnel(tiny, by="channel")
    assert f["breakdown"].unique().tolist() == ["search", "email"]
    email = f[f["breakdown"] == "email"]
    assert _counts(email) == [1, 1, 1]  # c1's later touches are on search
    assert _counts(f[f["breakdown"] == "search"]) == [6, 4, 3]


def test_breakdown_keeps_top_eight_and_groups_the_rest() -> None:
    events = []
    for i in range(10):  # segment s0 has 11 customers, s9 has 2
        for j in range(11 - i):
            cid = f"s{i}-{j}"
            events.append((cid, 0, A, "Ad", "search", None, f"s{i}"))
            if j % 2 == 0:
                events.append((cid, 1, P, "Order", "search", None, f"s{i}"))
    ds = jl.load(_frame(events), stages=[A, P])
    f = funnel(ds, by="segment")
    values = f["breakdown"].unique().tolist()
    assert values == [f"s{i}" for i in range(8)] + ["Other"]
    other = f[f["breakdown"] == "Other"]
    assert _counts(other) == [3 + 2, 2 + 1]
    assert describe_funnel(f).startswith("53.8% of the 65 customers who reached Awareness")


def test_window_parsing() -> None:
    assert window_seconds("30d") == 30 * 86400
    assert window_seconds("12h") == 43200
    assert window_seconds("90min") == 5400
    assert window_seconds(pd.Timedelta(weeks=2)) == 14 * 86400
    assert window_seconds(None) is None
    for bad in ("soon", "0d", "-3h"):
        with pytest.raises(ValueError):
            window_seconds(bad)


def test_bad_arguments(tiny) -> None:
    with pytest.raises(ValueError, match="mode"):
        funnel(tiny, mode="loose")
    with pytest.raises(ValueError, match="distinct stages"):
        funnel(tiny, [A, C, A], mode="strict")
    with pytest.raises(ValueError, match="break a funnel down"):
        funnel(tiny, by="customer_id")


def test_drop_offs_match_the_funnel(tiny) -> None:
    lost = drop_offs(tiny, 3)
    assert lost["customer_id"].tolist() == ["c3"]
    row = lost.iloc[0]
    assert row["reached_stage"] == C
    assert row["reached_at"] == pd.Timestamp(BASE + pd.Timedelta(hours=3), tz="UTC")
    assert (row["last_touchpoint"], row["last_rated_touchpoint"]) == ("Checkout", "Checkout")
    assert row["last_emotion"] == "2"
    assert row["touchpoints"] == 4
    assert drop_offs(tiny, 2)["customer_id"].tolist() == ["c2", "c8"]  # latest seen first
    with pytest.raises(ValueError, match="step"):
        drop_offs(tiny, 1)


def test_time_to_convert_worked_example(tiny) -> None:
    t = time_to_convert(tiny, C, P)
    # From each customer's first C: c1 1 h, c3 2 h, c4 0, c5 2 h, c6 1 s, c7 5 h.
    assert t.loc[t["bin"] == "under 1 hour", "customers"].item() == 2
    assert t.loc[t["bin"] == "1–6 hours", "customers"].item() == 4
    assert t["customers"].sum() == 6
    assert t["share"].sum() == pytest.approx(1.0)
    assert t["median_hours"].iloc[0] == pytest.approx(1.5)
    assert t["converted_customers"].iloc[0] == 6
    assert say(describe_time_to_convert(t, C, P)) == (
        "Half of the 6 customers who went from Consideration to Purchase took less than "
        "1.5 hours; one in ten took more than 3.5 hours."
    )
    # Only c4 has an Awareness at or after its first Purchase: at the same moment.
    back = time_to_convert(tiny, P, A)
    assert back["customers"].tolist() == [1] + [0] * 8
    empty = time_to_convert(tiny, P, "Retention")
    assert empty["customers"].sum() == 0
    assert math.isnan(empty["median_hours"].iloc[0])
    assert say(describe_time_to_convert(empty, P, "Retention")) == (
        "No customer went from Purchase to Retention."
    )


def test_conversion_trend_worked_example(tiny) -> None:
    weekly = conversion_trend(tiny)
    assert weekly[["entered", "converted"]].values.tolist() == [[7, 4]]
    assert weekly["period_start"].iloc[0] == pd.Timestamp("2026-03-02")
    assert weekly["period_end"].iloc[0] == pd.Timestamp("2026-03-09")
    monthly = conversion_trend(tiny, [A, C], freq="month")
    assert monthly["period_start"].tolist() == [pd.Timestamp("2026-03-01")]
    assert monthly["conversion"].tolist() == pytest.approx([5 / 7])
    # 90% of converters needed up to 21 days (c6 took 30 days); the data end 30 days after
    # the entries, so the cohort had time. A 40-day window it had not.
    assert weekly["complete"].tolist() == [True]
    assert conversion_trend(tiny, window="40d")["complete"].tolist() == [False]
    assert say(describe_trend(weekly, A, P)).startswith("No complete cohort has 30 or more")


def test_two_proportion_test_textbook_value() -> None:
    # 50/100 against 20/100: pooled 0.35, z = 4.4475, two-sided p = 8.7e-6.
    assert two_proportion_p_value(50, 100, 20, 100) == pytest.approx(8.69e-6, rel=0.01)
    assert two_proportion_p_value(0, 40, 0, 40) == 1.0


def test_compare_segments() -> None:
    events = []
    for name, n, buyers in (("big", 100, 50), ("other", 100, 20), ("tiny", 10, 5)):
        for j in range(n):
            cid = f"{name}-{j}"
            events.append((cid, 0, A, "Ad", "search", None, name))
            if j < buyers:
                events.append((cid, 1, P, "Order", "search", None, name))
    ds = jl.load(_frame(events), stages=[A, P])
    out = compare_segments(ds, by="segment").set_index("breakdown")
    assert out.loc["big", "conversion"] == pytest.approx(0.5)
    assert out.loc["big", "overall_conversion"] == pytest.approx(75 / 210)
    # big (50/100) against everyone else (25/110)
    assert out.loc["big", "p_value"] == pytest.approx(two_proportion_p_value(50, 100, 25, 110))
    assert out.loc["big", "verdict"] == "higher"
    assert out.loc["other", "verdict"] == "lower"
    assert out.loc["tiny", "verdict"] == "not enough data"
    assert math.isnan(out.loc["tiny", "p_value"])
    assert describe_segments(out.reset_index()) == (
        "Against the overall 35.7%, these groups differ beyond chance (p < 0.05): "
        "big (50.0%, higher), other (20.0%, lower)."
    )


# --- The sample's planted effects ------------------------------------------------------


def test_sample_checkout_pain_point_is_the_largest_drop(sample) -> None:
    f = funnel(sample)
    assert _counts(f) == [5000, 3949, 1071, 874, 340]
    worst = f.loc[f["conversion_from_previous"].idxmin()]
    assert worst["stage"] == "Purchase"
    assert worst["conversion_from_previous"] == pytest.approx(0.27, abs=0.01)
    assert "the largest drop is Consideration → Purchase" in describe_funnel(f)
    assert f["journey"].tolist() == ["Buyer journey"] * 3 + ["Customer journey"] * 2


def test_sample_drop_offs_at_purchase_had_bad_checkouts(sample) -> None:
    lost = drop_offs(sample, 3)
    assert len(lost) == 2878
    rated_checkout = lost[lost["last_rated_touchpoint"] == "Checkout"]
    bad = rated_checkout["last_emotion"].isin(["1", "2"]).mean()
    # 37% of all rated checkouts are bad; among customers lost after one, about half.
    assert bad > 0.45


def test_sample_window_and_strict_never_count_more(sample) -> None:
    plain = _counts(funnel(sample))
    for mode, window in (("ordered", "7d"), ("strict", None)):
        assert all(
            a <= b
            for a, b in zip(_counts(funnel(sample, window=window, mode=mode)), plain, strict=True)
        )


# --- Brute force reference, compared on random small datasets --------------------------


def reference_counts(events, steps, window_hours, mode, exclude_notes=False) -> list[int]:
    """Customers per step, straight from the rules in journeylib.funnel's docstring.

    ``exclude_notes``: leave out customers with a stage-less event strictly between steps 1
    and 2 (after step 1 within the window when they never reached step 2)."""
    counts = [0] * len(steps)
    for times in reference_times(events, steps, window_hours, mode, exclude_notes):
        for k in range(len(times)):
            counts[k] += 1
    return counts


def reference_times(events, steps, window_hours, mode, exclude_notes=False) -> list[list[int]]:
    """Per entering customer (see :func:`reference_counts`), the hours of the steps reached."""
    reached = []
    rank = {s: i for i, s in enumerate(steps)}
    by_customer: dict[str, list] = {}
    for row, e in enumerate(events):
        by_customer.setdefault(e[0], []).append((e[1], rank.get(e[2], len(steps)), row, e[2]))
    for evs in by_customer.values():
        evs.sort()
        entries = [t for t, _, _, s in evs if s == steps[0]]
        if not entries:
            continue
        t1 = min(entries)
        deadline = math.inf if window_hours is None else t1 + window_hours
        level, times = 1, [t1]
        if mode == "strict":
            runs = []
            for t, _, _, s in evs:
                if s is not None and (not runs or runs[-1][0] != s):
                    runs.append((s, t))
            start = next(i for i, (s, _) in enumerate(runs) if s == steps[0])
            for k in range(1, len(steps)):
                i = start + k
                if i >= len(runs) or runs[i][0] != steps[k] or runs[i][1] > deadline:
                    break
                level += 1
                times.append(runs[i][1])
        else:
            prev = t1
            for k in range(1, len(steps)):
                after = t1 if mode == "any_after_first" else prev
                hits = [t for t, _, _, s in evs if s == steps[k] and after <= t <= deadline]
                if not hits:
                    break
                prev = min(hits)
                level += 1
                times.append(prev)

        end = times[1] if level > 1 else deadline
        notes = [
            t
            for t, _, _, s in evs
            if s is None and t1 < t and (t < end or (level == 1 and t == end))
        ]
        if exclude_notes and notes:
            continue
        reached.append(times)
    return reached


event_strategy = st.tuples(
    st.sampled_from(["a", "b", "c", "d", "e"]),
    st.integers(0, 8),
    st.sampled_from([A, C, P, "Retention", None]),
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events=st.lists(event_strategy, min_size=1, max_size=25),
    window=st.sampled_from([None, 2, 5]),
    stages=st.sampled_from([[A, C, P], [C, A, P], [A, P], [A, C, P, "Retention"], [C]]),
)
def test_funnel_matches_brute_force_and_never_grows(events, window, stages) -> None:
    rows = [(c, h, s, "tp", "web", None, "seg") for c, h, s in events]
    frame = _frame(rows)
    frame.loc[frame["stage"].isna(), "touchpoint"] = "Note"
    ds = jl.load(frame, stages=[A, C, P, "Retention"])
    for mode in ("ordered", "strict", "any_after_first"):
        f = funnel(ds, stages, window=None if window is None else f"{window}h", mode=mode,
                   entry="first")
        counts = _counts(f)
        assert counts == reference_counts(events, stages, window, mode), mode
        assert all(b <= a for a, b in itertools.pairwise(counts))
        for col in ("conversion_from_previous", "conversion_from_start"):
            assert f[col].between(0, 1).all()
        assert (f["drop_off"] >= 0).all()
    if len(stages) < 2:
        return  # an exclusion lies between two steps
    rule = Exclusion("Note", 1, 2, field="touchpoint")
    for mode in ("ordered", "strict"):
        f = funnel(
            ds, stages, window=None if window is None else f"{window}h", mode=mode, exclude=[rule],
            entry="first",
        )
        assert _counts(f) == reference_counts(events, stages, window, mode, True), mode


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    # Few customers with many events each, so that stages often come back out of order.
    events=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.integers(0, 12),
            st.sampled_from([A, C, P, "Retention", None]),
        ),
        min_size=1,
        max_size=30,
    ),
    window=st.sampled_from([None, 3, 6]),
    stages=st.sampled_from([[A, C, P], [C, A, P], [A, C, P, "Retention"]]),
)
# Consideration first seen before the entry, then again after it, then a purchase.
@example(events=[("a", 0, C), ("a", 1, A), ("a", 3, C), ("a", 4, P)], window=None, stages=STAGES)
def test_funnel_step_times_match_brute_force(events, window, stages) -> None:
    # Customers whose first event of a stage comes too early get their later steps from a
    # separate pass: their gaps must still land in the right step's median and p90.
    rows = [(c, h, s, "tp", "web", None, "seg") for c, h, s in events]
    ds = jl.load(_frame(rows), stages=[A, C, P, "Retention"])
    for mode in ("ordered", "any_after_first"):
        f = funnel(ds, stages, window=None if window is None else f"{window}h", mode=mode,
                   entry="first")
        reached = reference_times(events, stages, window, mode)
        assert _counts(f) == [sum(len(t) > k for t in reached) for k in range(len(stages))]
        for k in range(1, len(stages)):
            gaps = [times[k] - times[k - 1] for times in reached if len(times) > k]
            row = f.iloc[k]
            if not gaps:
                assert math.isnan(row["median_hours_from_previous"])
                continue
            expected = np.quantile(gaps, [0.5, 0.9])
            got = [row["median_hours_from_previous"], row["p90_hours_from_previous"]]
            assert got == pytest.approx(expected), (mode, k)


def test_buyer_and_customer_journey_parts(sample) -> None:
    parts = journey_parts(funnel(sample))
    assert parts[["journey", "from_stage", "to_stage", "entered", "reached"]].values.tolist() == [
        ["Buyer journey", "Awareness", "Purchase", 5000, 1071],
        ["Customer journey", "Purchase", "Advocacy", 1071, 340],
    ]
    assert describe_journey_parts(parts) == (
        "Buyer journey: 21.4% of the 5,000 customers at Awareness reached Purchase. "
        "Customer journey: 31.7% of the 1,071 customers at Purchase reached Advocacy."
    )
    only_buyer = journey_parts(funnel(sample, ["Awareness", "Consideration"]))
    assert only_buyer["journey"].tolist() == ["Buyer journey"]
    # Bug: a funnel that starts at the purchase read "Buyer journey: Purchase → Purchase 100%".
    after = journey_parts(funnel(sample, ["Purchase", "Retention", "Advocacy"]))
    assert after[["journey", "from_stage", "to_stage"]].values.tolist() == [
        ["Customer journey", "Purchase", "Advocacy"]]
    assert journey_parts(funnel(sample, ["Purchase"])).empty


def test_a_one_step_funnel_in_every_mode() -> None:
    """Bug: a funnel of one step raised TypeError in ordered and any modes."""
    frame = pd.DataFrame({"customer_id": ["a", "b", "b"],
                          "timestamp": ["2026-03-01 10:00", "2026-03-02 10:00", "2026-03-04"],
                          "stage": ["Visit", "Visit", "Buy"]})
    ds = jl.load(frame, stages=["Visit", "Buy"])
    for mode in MODES:
        for by in (None, "channel"):
            f = funnel(ds, ["Visit"], mode=mode, window="1d", by=by)
            assert f["customers"].tolist() == [2], (mode, by)
            assert f["drop_off"].tolist() == [0]
