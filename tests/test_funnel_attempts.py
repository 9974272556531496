"""Funnel attempts (best attempt / first entry), the any-k unordered mode and repeated or
combined steps: hand-made cases for each rule, and a brute-force Python reference compared
with the library by Hypothesis on random small event logs."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import journeylib as jl
from journeylib.funnel import Exclusion, Step, customer_steps, funnel
from journeylib.funnel_spec import STEP_FIELDS

BASE = pd.Timestamp("2026-03-02 00:00")
A, C, P, R = "Awareness", "Consideration", "Purchase", "Retention"
STAGES = [A, C, P, R]


def _load(rows, stages=STAGES) -> jl.Dataset:
    """``rows``: (customer, minutes after BASE, stage, touchpoint[, channel])."""
    frame = pd.DataFrame({
        "customer_id": [r[0] for r in rows],
        "timestamp": [BASE + pd.Timedelta(minutes=r[1]) for r in rows],
        "stage": [r[2] for r in rows],
        "touchpoint": [r[3] for r in rows],
        "channel": [r[4] if len(r) > 4 else "web" for r in rows],
    })
    return jl.load(frame, stages=stages)


def _counts(ds, steps, **options) -> list[int]:
    return funnel(ds, steps, **options)["customers"].tolist()


# --- Hand-made cases ------------------------------------------------------------------------


def test_a_retry_converts_with_the_best_attempt_not_the_first_entry() -> None:
    # Step 1 at 13:01 and again at 13:35, step 2 at 13:41; a 10-minute window.
    ds = _load([("x", 13 * 60 + 1, A, "Ad"), ("x", 13 * 60 + 35, A, "Ad"),
                ("x", 13 * 60 + 41, C, "Product page")])
    for mode in ("ordered", "strict", "any", "any_after_first"):
        assert _counts(ds, [A, C], window="10min", mode=mode) == [1, 1], mode
        assert _counts(ds, [A, C], window="10min", mode=mode, entry="first") == [1, 0], mode
    # The step times are the converting attempt's: 6 minutes.
    f = funnel(ds, [A, C], window="10min")
    assert f["median_hours_from_previous"].iloc[1] == pytest.approx(6 / 60)
    per = jl.engine.to_pandas(customer_steps(ds, [A, C], window="10min"))
    assert per["t1"].iloc[0] == pd.Timestamp(BASE + pd.Timedelta(minutes=13 * 60 + 35), tz="UTC")


def test_between_attempts_reaching_as_far_the_earliest_counts() -> None:
    ds = _load([("x", 0, A, "Ad"), ("x", 10, C, "PP"), ("x", 100, A, "Ad"),
                ("x", 101, C, "PP")])
    f = funnel(ds, [A, C])
    assert f["customers"].tolist() == [1, 1]
    assert f["median_hours_from_previous"].iloc[1] == pytest.approx(10 / 60)


def test_the_default_is_the_best_attempt() -> None:
    ds = _load([("x", 0, A, "Ad"), ("x", 60, A, "Ad"), ("x", 65, C, "PP")])
    assert _counts(ds, [A, C], window="10min") == [1, 1]


def test_an_exclusion_in_a_later_attempt_drops_only_that_attempt() -> None:
    note = Exclusion("Coupon", 1, 2, field="touchpoint")
    # First attempt converts cleanly; the second has a coupon between its steps.
    clean_first = _load([("x", 0, A, "Ad"), ("x", 5, C, "PP"), ("x", 60, A, "Ad"),
                         ("x", 61, None, "Coupon"), ("x", 62, C, "PP")])
    assert _counts(clean_first, [A, C], exclude=[note]) == [1, 1]
    # The first attempt has the coupon: with the best attempt the second one still counts;
    # with the first entry the customer leaves the funnel.
    coupon_first = _load([("x", 0, A, "Ad"), ("x", 1, None, "Coupon"), ("x", 5, C, "PP"),
                          ("x", 60, A, "Ad"), ("x", 62, C, "PP")])
    assert _counts(coupon_first, [A, C], exclude=[note]) == [1, 1]
    assert _counts(coupon_first, [A, C], exclude=[note], entry="first") == [0, 0]
    # A coupon after the last attempt's step 1 with no step 2 to come: every attempt is out.
    never = _load([("x", 0, A, "Ad"), ("x", 1, None, "Coupon"), ("x", 60, A, "Ad"),
                   ("x", 61, None, "Coupon")])
    assert _counts(never, [A, C], exclude=[note]) == [0, 0]
    # In an unordered funnel the coupon resets the attempt too.
    assert _counts(coupon_first, [A, C], mode="any", exclude=[note]) == [1, 1]


def test_any_order_counts_any_k_of_the_steps() -> None:
    # Step 2 then step 1: at step 2 of the unordered funnel; at step 1 with the older rule.
    ds = _load([("x", 0, C, "PP"), ("x", 5, A, "Ad")])
    assert _counts(ds, [A, C], mode="any") == [1, 1]
    assert _counts(ds, [A, C], mode="any_after_first") == [1, 0]
    assert _counts(ds, [A, C], mode="ordered") == [1, 0]
    # Only the third step: the customer is at step 1 (one of the three).
    only_p = _load([("y", 0, P, "Order")])
    assert _counts(only_p, [A, C, P], mode="any") == [1, 0, 0]
    # The window counts from the attempt's first event.
    late = _load([("z", 0, P, "Order"), ("z", 30, A, "Ad"), ("z", 50, C, "PP")])
    assert _counts(late, [A, C, P], mode="any", window="40min") == [1, 1, 0]
    assert _counts(late, [A, C, P], mode="any", window="50min") == [1, 1, 1]


def test_the_same_step_twice_is_its_second_event() -> None:
    page = Step(touchpoint="Product page")
    twice = [page, page, Step(stage=P)]
    ds = _load([
        ("once", 0, C, "Product page"), ("once", 5, P, "Order"),
        ("twice", 0, C, "Product page"), ("twice", 3, C, "Product page"),
        ("twice", 5, P, "Order"),
        # Two product pages at the same moment are two events.
        ("same", 0, C, "Product page"), ("same", 0, C, "Product page"), ("same", 5, P, "Order"),
    ])
    f = funnel(ds, twice)
    assert f["customers"].tolist() == [3, 2, 2]
    assert f["stage"].tolist() == ["Product page", "Product page", P]
    assert _counts(ds, twice, entry="first") == [3, 2, 2]
    # Unordered: "once" has two of the three steps (a product page and the purchase).
    assert _counts(ds, twice, mode="any") == [3, 3, 2]
    with pytest.raises(ValueError, match="distinct stages"):
        funnel(ds, twice, mode="strict")
    # A stage twice (each event matches one definition: the numbered-events query).
    stage_twice = [Step(stage=C), Step(stage=C), Step(stage=P)]
    assert _counts(ds, stage_twice, mode="any") == [3, 3, 2]
    # Within 4 minutes nobody has both product pages and the purchase.
    assert _counts(ds, stage_twice, mode="any", window="4min") == [3, 2, 0]


def test_a_step_combining_stage_and_touchpoint() -> None:
    both = Step(stage=C, touchpoint="Product page")
    ds = _load([
        ("yes", 0, A, "Ad"), ("yes", 1, C, "Product page"), ("yes", 2, P, "Order"),
        ("no", 0, A, "Ad"), ("no", 1, C, "Reviews"), ("no", 2, P, "Order"),
        ("other", 0, A, "Ad"), ("other", 1, A, "Product page", "mail"), ("other", 2, P, "Order"),
    ])
    f = funnel(ds, [Step(stage=A), both, Step(stage=P)])
    assert f["customers"].tolist() == [3, 1, 1]
    assert f["stage"].tolist() == [A, f"{C} · Product page", P]
    assert _counts(ds, [A, Step(channel="mail")]) == [3, 1]


def test_a_month_window_is_calendar_months() -> None:
    # 31 January + 1 month = 28 February (2026); 1 March is outside.
    frame = pd.DataFrame({
        "customer_id": ["in", "in", "out", "out", "edge", "edge"],
        "timestamp": ["2026-01-31 10:00", "2026-02-28 10:00", "2026-01-31 10:00",
                      "2026-03-01 09:00", "2026-01-15 10:00", "2026-02-15 10:00"],
        "stage": [A, C, A, C, A, C],
    })
    ds = jl.load(frame, stages=[A, C])
    per = jl.engine.to_pandas(customer_steps(ds, [A, C], window="1mo")).set_index("customer_id")
    assert per["t2"].notna().to_dict() == {"in": True, "out": False, "edge": True}
    assert _counts(ds, [A, C], window="1mo", entry="first") == [3, 2]
    assert _counts(ds, [A, C], window="2mo") == [3, 3]
    assert _counts(ds, [A, C], window="30d") == [3, 2]  # 31 Jan -> 1 Mar is 29 days 23 h


def test_strict_best_attempt_starts_at_every_step_one_event() -> None:
    # A C A C P: the first attempt stops at C (A comes next), the second converts.
    ds = _load([("x", 0, A, "Ad"), ("x", 1, C, "PP"), ("x", 2, A, "Ad"), ("x", 3, C, "PP"),
                ("x", 4, P, "Order")])
    assert _counts(ds, [A, C, P], mode="strict") == [1, 1, 1]
    assert _counts(ds, [A, C, P], mode="strict", entry="first") == [1, 1, 0]


# --- Brute-force reference --------------------------------------------------------------------


def _matches(step: Step, event: dict) -> bool:
    return all(event[f] == v for f, v in step.fields().items())


def reference(events, steps, window, mode, entry, rules=()) -> list[list[float]]:
    """Per customer counted, the times (minutes) of the steps reached in the attempt that
    counts, straight from the rules in journeylib.funnel's docstring."""
    steps = [Step(stage=s) if isinstance(s, str) else s for s in steps]
    out = []
    by_customer: dict[str, list[dict]] = {}
    for row, (c, minute, stage, touchpoint, channel) in enumerate(events):
        by_customer.setdefault(c, []).append(
            {"ts": minute, "row": row, "stage": stage, "touchpoint": touchpoint,
             "channel": channel})
    for evs in by_customer.values():
        evs.sort(key=lambda e: (e["ts"], e["row"]))
        attempts = _attempts(evs, steps, window, mode)
        if entry == "first":
            attempts = attempts[:1]
        attempts = [a for a in attempts if not any(_excluded(a, evs, r, window) for r in rules)]
        if not attempts:
            continue
        best = max(attempts, key=lambda a: (len(a[2]), -a[0], -a[1]))
        out.append(best[2])
    return out


def _attempts(evs, steps, window, mode):
    """(start, start_row, times) per attempt, in order of start."""
    deadline = (lambda s: math.inf) if window is None else (lambda s: s + window)
    found = []
    if mode == "strict":
        names = [s.stage for s in steps]
        rank = {s: i for i, s in enumerate(names)}
        staged = sorted((e for e in evs if e["stage"] is not None),
                        key=lambda e: (e["ts"], rank.get(e["stage"], len(names)), e["row"]))
        runs, run_of = [], {}
        for e in staged:
            if not runs or runs[-1][0] != e["stage"]:
                runs.append((e["stage"], e["ts"]))
            run_of[e["row"]] = len(runs) - 1
        for e in sorted((e for e in staged if e["stage"] == names[0]),
                        key=lambda e: (e["ts"], e["row"])):
            times, r = [e["ts"]], run_of[e["row"]]
            for k in range(1, len(names)):
                i = r + k
                if i >= len(runs) or runs[i][0] != names[k] or runs[i][1] > deadline(e["ts"]):
                    break
                times.append(runs[i][1])
            found.append((e["ts"], e["row"], times))
        return found
    if mode == "any":
        kinds = list(dict.fromkeys(steps))
        for s in [e for e in evs if any(_matches(d, e) for d in kinds)]:
            inside = [e for e in evs if s["ts"] <= e["ts"] <= deadline(s["ts"])]
            counted = []
            for i, d in enumerate(kinds):
                hits = [e for e in inside if _matches(d, e)][: steps.count(d)]
                counted += [(e["ts"], e["row"], i) for e in hits]
            times = [ts for ts, _, _ in sorted(counted)][: len(steps)]
            found.append((s["ts"], s["row"], times))
        return found
    for s in [e for e in evs if _matches(steps[0], e)]:
        times, used, at = [s["ts"]], {s["row"]}, s["ts"]
        for step in steps[1:]:
            after = s["ts"] if mode == "any_after_first" else at
            hits = [e for e in evs if _matches(step, e) and e["row"] not in used
                    and after <= e["ts"] <= deadline(s["ts"])]
            if not hits:
                break
            hit = hits[0]
            used.add(hit["row"])
            at = hit["ts"]
            times.append(at)
        found.append((s["ts"], s["row"], times))
    return found


def _excluded(attempt, evs, rule, window) -> bool:
    start, _, times = attempt
    a, b = rule.after_step, rule.before_step
    if len(times) < a:
        return False
    end = times[b - 1] if len(times) >= b else None
    deadline = math.inf if window is None else start + window
    return any(
        e[rule.field] == rule.value and e["ts"] > times[a - 1]
        and (e["ts"] < end if end is not None else e["ts"] <= deadline)
        for e in evs
    )


PP = Step(touchpoint="PP")
STEP_LISTS = [
    [A, C, P],
    [C, A, P],
    [A, P],
    [A, C, P, R],
    [C],
    [PP, PP, Step(stage=P)],
    [Step(stage=C, touchpoint="PP"), Step(stage=C), Step(stage=P)],
    [Step(stage=A), Step(channel="mail"), Step(stage=A)],
    # A stage twice: per-attempt joins in order, numbered events in any order.
    [Step(stage=C), Step(stage=C), Step(stage=P)],
]
event_strategy = st.tuples(
    st.sampled_from(["a", "b", "c", "d"]),
    st.integers(0, 8),
    st.sampled_from([A, C, P, R, None]),
    st.sampled_from(["PP", "Ad", "Order"]),
    st.sampled_from(["web", "mail"]),
)


def _dataset(events) -> jl.Dataset:
    rows = [(c, m, s, "Note" if s is None else tp, ch) for c, m, s, tp, ch in events]
    return _load(rows)


def _noted(events):
    """The events as the dataset holds them: stage-less events are the touchpoint "Note"."""
    return [(c, m, s, "Note" if s is None else tp, ch) for c, m, s, tp, ch in events]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    events=st.lists(event_strategy, min_size=1, max_size=24),
    window=st.sampled_from([None, 2, 5]),
    steps=st.sampled_from(STEP_LISTS),
)
# The retry: step 1, step 1 again, then step 2 within the window of the second only.
@example(events=[("a", 0, A, "Ad", "web"), ("a", 4, A, "Ad", "web"),
                 ("a", 6, C, "PP", "web")], window=2, steps=[A, C, P])
def test_funnel_matches_the_brute_force_reference(events, window, steps) -> None:
    ds = _dataset(events)
    noted = _noted(events)
    strict_ok = all(isinstance(s, str) for s in steps)
    rule = Exclusion("Note", 1, 2, field="touchpoint")
    for mode, entry in itertools.product(("ordered", "strict", "any", "any_after_first"),
                                         ("best", "first")):
        if mode == "strict" and not strict_ok:
            continue
        w = None if window is None else f"{window}min"
        f = funnel(ds, steps, window=w, mode=mode, entry=entry)
        expected = reference(noted, steps, window, mode, entry)
        _same(f, expected, (mode, entry))
        if len(steps) > 1:
            f = funnel(ds, steps, window=w, mode=mode, entry=entry, exclude=[rule])
            _same(f, reference(noted, steps, window, mode, entry, [rule]),
                  (mode, entry, "exclusion"))


def _same(f: pd.DataFrame, expected: list[list[float]], what) -> None:
    counts = f["customers"].tolist()
    assert counts == [sum(len(t) > k for t in expected) for k in range(len(f))], what
    assert all(b <= a for a, b in itertools.pairwise(counts))
    for k in range(1, len(f)):
        gaps = [(t[k] - t[k - 1]) / 60 for t in expected if len(t) > k]
        row = f.iloc[k]
        if not gaps:
            assert math.isnan(row["median_hours_from_previous"]), what
            continue
        got = [row["median_hours_from_previous"], row["p90_hours_from_previous"]]
        assert got == pytest.approx(np.quantile(gaps, [0.5, 0.9])), (what, k)


def test_best_attempt_never_counts_fewer_than_the_first_entry_on_the_sample(
    sample_dataset,
) -> None:
    for mode in ("ordered", "strict", "any_after_first"):
        best = _counts(sample_dataset, None, window="7d", mode=mode)
        first = _counts(sample_dataset, None, window="7d", mode=mode, entry="first")
        assert all(b >= f for b, f in zip(best, first, strict=True)), mode


def test_step_fields_are_the_datasets_columns() -> None:
    assert set(STEP_FIELDS) <= set(_load([("x", 0, A, "Ad")]).table.columns)
