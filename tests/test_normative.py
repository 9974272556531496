"""The normative path: a worked example by hand, the engine against a brute force in plain
Python over random small event logs (ties included), the stage limit, and the spec's text."""

from __future__ import annotations

import math
import statistics

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeylib as jl
from journeylib import limits
from journeylib.normative import (
    DEVIATIONS,
    KINDS,
    NormativePath,
    PathError,
    customer_deviations,
    describe,
    deviation_details,
    path_conformance,
)

A, C, P, R = "Awareness", "Consideration", "Purchase", "Retention"
STAGES = [A, C, P, R]


def _load(rows, stages=STAGES):
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint",
                                        "converted"])
    return jl.load(frame, stages=stages)


# x follows A → C → P; y skips C, buys, and only then goes back P → C (after the purchase: not
# part of its path to buying); z starts in C (skips A) and visits Retention, off the path;
# w loops A → C → A (back too) with a touchpoint outside A's list.
ROWS = [
    ("x", "2026-03-01 10:00", A, "Ad", 0), ("x", "2026-03-01 10:00", A, "Ad", 0),
    ("x", "2026-03-01 11:00", C, "Page", 0), ("x", "2026-03-01 12:00", P, "Order", 1),
    ("y", "2026-03-02 10:00", A, "Ad", 0), ("y", "2026-03-02 12:00", P, "Order", 1),
    ("y", "2026-03-02 13:00", C, "Page", 0),
    ("z", "2026-03-03 10:00", C, "Page", 0), ("z", "2026-03-03 11:00", R, "Mail", 0),
    ("w", "2026-03-04 10:00", A, "Ad", 0), ("w", "2026-03-04 11:00", C, "Page", 0),
    ("w", "2026-03-04 11:00", A, "Coupon", 0),
]
SPEC = NormativePath((A, C, P), {A: ("Ad",)})


def test_worked_example_by_hand():
    ds = _load(ROWS)
    out = path_conformance(ds, SPEC).set_index("kind")
    assert list(out.index) == list(KINDS)
    expected = {"followed": 1, "skipped_stage": 2, "went_back": 1,
                "touchpoint_outside_stage": 1, "loop": 1, "off_path_stage": 1}
    assert out["customers"].to_dict() == expected
    assert out.loc["followed", "converted"] == 1
    assert out.loc["followed", "median_hours"] == pytest.approx(2.0)
    assert out.loc["skipped_stage", "converted"] == 1  # y converted, z did not
    assert out.loc["skipped_stage", "conversion_rate"] == pytest.approx(0.5)
    assert out.loc["skipped_stage", "median_hours"] == pytest.approx(2.0)
    assert out.loc["skipped_stage", "difference"] == pytest.approx(-0.5)
    assert out.loc["skipped_stage", "difference_low"] < -0.5 < out.loc["skipped_stage",
                                                                       "difference_high"]
    assert out.loc["loop", "difference"] == pytest.approx(-1.0)
    assert out.loc["followed", "share"] == 0.25
    assert math.isnan(out.loc["followed", "difference"])
    assert math.isnan(out.loc["loop", "median_hours"])

    skipped = deviation_details(ds, SPEC, "skipped_stage")
    assert sorted(zip(skipped["stage"], skipped["customers"], strict=True)) == [(A, 1), (C, 1)]
    back = deviation_details(ds, SPEC, "went_back")
    # Bug: y's visit back after buying read as a move back that "converted" 100%.
    assert sorted(zip(back["stage"], back["to_stage"], strict=True)) == [(C, A)]
    outside = deviation_details(ds, SPEC, "touchpoint_outside_stage")
    assert list(zip(outside["stage"], outside["touchpoint"], strict=True)) == [(A, "Coupon")]
    loops = deviation_details(ds, SPEC, "loop")
    assert list(loops["stage"]) == [A]
    off = deviation_details(ds, SPEC, "off_path_stage")
    assert list(off["stage"]) == [R] and off["share"].iloc[0] == 0.25
    with pytest.raises(ValueError):
        deviation_details(ds, SPEC, "followed")


def test_reading_codes():
    ds = _load(ROWS)
    code, values = describe(path_conformance(ds, SPEC))
    assert code == "followed_and_top"
    assert values["followed"] == 1 and values["kind"] in DEVIATIONS and values["n"] == 2
    only_x = _load([r for r in ROWS if r[0] == "x"])
    assert describe(path_conformance(only_x, SPEC))[0] == "all_followed"


def test_spec_text_round_trip_and_validation():
    spec = NormativePath(("A|b", "C=d", "é, f"), {"A|b": ("t,1", "t=2"), "é, f": ("%",)})
    assert NormativePath.from_text(spec.to_text()) == spec
    assert NormativePath.from_items(spec.items()) == spec
    assert hash(NormativePath.from_text(spec.to_text())) == hash(spec)
    assert NormativePath.from_text("A|B").touchpoints is None
    for bad in ("", "A||B", "A=", "A=x,,y"):
        with pytest.raises(ValueError):
            NormativePath.from_text(bad)
    with pytest.raises(PathError):
        NormativePath(("A", "A"))
    with pytest.raises(PathError):
        NormativePath(("A",), {"B": ("x",)})
    with pytest.raises(PathError) as caught:
        path_conformance(_load(ROWS), NormativePath((A, "Nope")))
    assert "Nope" in caught.value.words("en")


@given(st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=5, unique=True),
       st.data())
@settings(max_examples=60, deadline=None)
def test_spec_text_round_trip_property(stages, data):
    tps = {s: tuple(data.draw(st.lists(st.text(min_size=1, max_size=4), max_size=3,
                                       unique=True)))
           for s in data.draw(st.lists(st.sampled_from(stages), unique=True))}
    spec = NormativePath(tuple(stages), tps)
    assert NormativePath.from_text(spec.to_text()) == spec


def test_stage_limit(monkeypatch):
    monkeypatch.setenv("JOURNEY_MAX_STAGES", "2")
    with pytest.raises(limits.LimitError) as caught:
        path_conformance(_load(ROWS), NormativePath((A, C, P)))
    assert caught.value.code == limits.STAGES and caught.value.actual == 3


# --- Brute force ------------------------------------------------------------------------------


def brute(rows, spec: NormativePath) -> dict[str, dict[str, bool]]:
    """Per customer, each kind, in plain Python over the rows (row order = source_row)."""
    place = {s: i for i, s in enumerate(spec.stages)}
    by: dict[str, list] = {}
    for i, (cid, ts, stage, tp, conv) in enumerate(rows):
        by.setdefault(cid, []).append((pd.Timestamp(ts), i, stage, tp, conv))
    out = {}
    for cid, everything in by.items():
        everything.sort(key=lambda e: (e[0], e[1]))
        # The path is read up to the first conversion (that moment included): what happens
        # after a purchase cannot explain it.
        won_at = min((e[0] for e in everything if e[4]), default=None)
        events = [e for e in everything if won_at is None or e[0] <= won_at]
        stages = [e[2] for e in events]
        flags = dict.fromkeys(DEVIATIONS, False)
        flags["off_path_stage"] = any(s not in place for s in stages)
        on = [place[s] for s in stages if s in place]
        collapsed = [r for k, r in enumerate(on) if k == 0 or on[k - 1] != r]
        previous = -1
        for r in collapsed:
            flags["skipped_stage"] |= r > previous + 1
            flags["went_back"] |= previous >= 0 and r < previous
            previous = r
        runs = [s for k, s in enumerate(stages) if k == 0 or stages[k - 1] != s]
        flags["loop"] = len(runs) != len(set(runs))
        flags["touchpoint_outside_stage"] = any(
            spec.expected(s) and tp not in spec.expected(s) for _, _, s, tp, _ in events)
        flags["followed"] = not any(flags.values())
        # The concrete instances, as deviation_details keys them (stage, to_stage, touchpoint).
        inst: dict[str, set] = {k: set() for k in DEVIATIONS}
        previous = -1
        for r in collapsed:
            inst["skipped_stage"] |= {(spec.stages[k], None, None)
                                      for k in range(previous + 1, r)}
            if previous >= 0 and r < previous:
                inst["went_back"].add((spec.stages[previous], spec.stages[r], None))
            previous = r
        inst["loop"] = {(s, None, None) for s in runs if runs.count(s) > 1}
        inst["off_path_stage"] = {(s, None, None) for s in stages if s not in place}
        inst["touchpoint_outside_stage"] = {
            (s, None, tp) for _, _, s, tp, _ in events
            if spec.expected(s) and tp not in spec.expected(s)}
        flags["instances"] = inst
        won = [e[0] for e in everything if e[4]]
        flags["won"] = bool(won)
        flags["hours"] = (min(won) - everything[0][0]).total_seconds() / 3600 if won else None
        out[cid] = flags
    return out


ALL = ["S0", "S1", "S2", "S3"]
TIMES = ["2026-01-01 10:00", "2026-01-01 10:30", "2026-01-01 12:00", "2026-01-02 09:00"]
row = st.tuples(st.sampled_from("abcde"), st.sampled_from(TIMES), st.sampled_from(ALL),
                st.sampled_from(["t1", "t2", "t3"]), st.sampled_from([0, 0, 1]))


@st.composite
def cases(draw):
    rows = draw(st.lists(row, min_size=1, max_size=14))
    stages = draw(st.lists(st.sampled_from(ALL), min_size=1, max_size=4, unique=True))
    tps = {s: tuple(draw(st.lists(st.sampled_from(["t1", "t2", "t3"]), min_size=1,
                                  max_size=2, unique=True)))
           for s in draw(st.lists(st.sampled_from(stages), unique=True))}
    return rows, NormativePath(tuple(stages), tps or None)


@given(cases())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_engine_matches_brute_force(case):
    rows, spec = case
    ds = _load(rows, ALL)
    expected = brute(rows, spec)
    got = customer_deviations(ds, spec).execute().set_index("customer_id")
    assert set(got.index) == set(expected)
    for cid, flags in expected.items():
        for kind in KINDS:
            assert bool(got.loc[cid, kind]) == flags[kind], (cid, kind, rows, spec)
        assert bool(got.loc[cid, "won"]) == flags["won"]
    table = path_conformance(ds, spec).set_index("kind")
    for kind in KINDS:
        members = [f for f in expected.values() if f[kind]]
        assert table.loc[kind, "customers"] == len(members)
        assert table.loc[kind, "converted"] == sum(f["won"] for f in members)
        hours = [f["hours"] for f in members if f["won"]]
        median = table.loc[kind, "median_hours"]
        if hours:
            assert median == pytest.approx(statistics.median(hours))
        else:
            assert math.isnan(median)
    assert table.loc["followed", "share"] == pytest.approx(
        sum(f["followed"] for f in expected.values()) / len(expected))
    # The details: each instance with its customers and converted customers.
    for kind in DEVIATIONS:
        want: dict[tuple, list[int]] = {}
        for f in expected.values():
            for key in f["instances"][kind]:
                want.setdefault(key, [0, 0])
                want[key][0] += 1
                want[key][1] += f["won"]
        got_details = deviation_details(ds, spec, kind, n=100)
        found = {
            (r.stage, None if pd.isna(r.to_stage) else r.to_stage,
             None if pd.isna(r.touchpoint) else r.touchpoint): [r.customers, r.converted]
            for r in got_details.itertuples()}
        assert found == want, (kind, rows, spec)
