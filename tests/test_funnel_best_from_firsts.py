"""The best-attempt funnel's shortcut (each step's first event for customers the window did not
stop; every attempt only for the rest) gives exactly what following every attempt gives: the
same customers, breakdowns and step times, on hand-made cases and random event logs."""

from __future__ import annotations

import importlib

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import journeylib as jl
from journeylib.engine import to_pandas
from journeylib.funnel import Exclusion, Step

F = importlib.import_module("journeylib.funnel")
BASE = pd.Timestamp("2026-03-02 00:00")
A, C, P, R = "Awareness", "Consideration", "Purchase", "Retention"
STAGES = [A, C, P, R]
MODES = ("ordered", "any_after_first", "any")


def _load(rows) -> jl.Dataset:
    """``rows``: (customer, minutes after BASE, stage, channel)."""
    frame = pd.DataFrame({
        "customer_id": [r[0] for r in rows],
        "timestamp": [BASE + pd.Timedelta(minutes=r[1]) for r in rows],
        "stage": [r[2] for r in rows],
        "touchpoint": ["Ad" if r[2] is not None else "Note" for r in rows],
        "channel": [r[3] for r in rows],
    })
    return jl.load(frame, stages=STAGES)


def _frame(table) -> pd.DataFrame:
    out = to_pandas(table)
    return out.sort_values("customer_id").reset_index(drop=True)[list(out.columns)]


def _both(ds, steps, window, mode, by=None, rules=()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the shortcut's customer_steps, every attempt's), same columns and order."""
    checked, win = F._checked(ds, steps, window, mode, by, "best")
    fast = _frame(F.customer_steps(ds, steps, window=window, mode=mode, by=by, exclude=rules))
    slow = F._with_breakdown(
        F._best_attempts(ds.table, checked, win, mode, "best", list(rules)), ds.table, by,
        len(checked))
    return fast, _frame(slow)[list(fast.columns)]


def test_the_shortcut_applies_only_where_it_is_exact() -> None:
    steps = (Step(stage=A), Step(stage=C))
    assert F._best_from_firsts(steps, "ordered", "best")
    assert F._best_from_firsts(steps, "any", "best")
    assert not F._best_from_firsts(steps, "strict", "best")
    assert not F._best_from_firsts(steps, "ordered", "first")
    assert not F._best_from_firsts((Step(stage=A), Step(stage=A)), "ordered", "best")
    assert not F._best_from_firsts((Step(stage=A), Step(touchpoint="Ad")), "any", "best")


def test_a_customer_the_window_stopped_gets_the_later_attempt() -> None:
    # "a": step 1 at 0, again at 30, step 2 at 36 (a 10-minute window): the retry converts.
    # "b": no step 2 at all: the first attempt counts. "c": converts on the first attempt.
    # "d": step 2 before step 1 only (out of order): nobody converts.
    ds = _load([("a", 0, A, "web"), ("a", 30, A, "mail"), ("a", 36, C, "web"),
                ("b", 0, A, "web"), ("b", 5, A, "web"),
                ("c", 0, A, "web"), ("c", 3, C, "web"),
                ("d", 0, C, "web"), ("d", 2, A, "web")])
    fast, slow = _both(ds, [A, C], "10min", "ordered")
    pd.testing.assert_frame_equal(fast, slow)
    got = fast.set_index("customer_id")
    assert got.loc["a", "t1"] == pd.Timestamp(BASE + pd.Timedelta(minutes=30), tz="UTC")
    assert got.loc["a", "t2"] == pd.Timestamp(BASE + pd.Timedelta(minutes=36), tz="UTC")
    assert got.loc["b", "t1"] == pd.Timestamp(BASE, tz="UTC") and pd.isna(got.loc["b", "t2"])
    assert pd.isna(got.loc["d", "t2"])
    # Any order: "d" did both within the window from its first event.
    fast, slow = _both(ds, [A, C], "10min", "any")
    pd.testing.assert_frame_equal(fast, slow)
    assert fast.set_index("customer_id").loc["d", "t2"] == pd.Timestamp(
        BASE + pd.Timedelta(minutes=2), tz="UTC")


event_strategy = st.tuples(
    st.sampled_from(["a", "b", "c", "d"]),
    st.integers(0, 8),
    st.sampled_from([A, C, P, R, None]),
    st.sampled_from(["web", "mail"]),
)
STEP_LISTS = [
    [A, C, P],
    [C, A, P],
    [A, P],
    [A, C, P, R],
    [C],
    [Step(stage=C), Step(channel="mail", stage=P), Step(stage=R)],
]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    events=st.lists(event_strategy, min_size=1, max_size=24),
    window=st.sampled_from([None, "2min", "5min"]),
    steps=st.sampled_from(STEP_LISTS),
    by=st.sampled_from([None, "channel"]),
)
@example(events=[("a", 0, A, "web"), ("a", 4, A, "web"), ("a", 6, C, "web")],
         window="2min", steps=[A, C, P], by=None)
def test_the_shortcut_agrees_with_every_attempt(events, window, steps, by) -> None:
    ds = _load(events)
    rule = Exclusion("Note", 1, 2, field="touchpoint")
    for mode in MODES:
        fast, slow = _both(ds, steps, window, mode, by)
        pd.testing.assert_frame_equal(fast, slow, obj=f"{mode} {window} {by}")
        if len(steps) > 1:
            fast, slow = _both(ds, steps, window, mode, by, [rule])
            pd.testing.assert_frame_equal(fast, slow, obj=f"{mode} {window} {by} exclusion")


def test_an_excluded_first_attempt_leaves_the_next_one() -> None:
    # "a": step 1, an excluded note, step 2 (first attempt dropped); step 1 again, step 2.
    # "b": the same without the second attempt: out of the funnel.
    ds = _load([("a", 0, A, "web"), ("a", 1, None, "web"), ("a", 2, C, "web"),
                ("a", 10, A, "web"), ("a", 12, C, "web"),
                ("b", 0, A, "web"), ("b", 1, None, "web"), ("b", 2, C, "web")])
    rule = Exclusion("Note", 1, 2, field="touchpoint")
    for mode in MODES:
        fast, slow = _both(ds, [A, C], None, mode, rules=[rule])
        pd.testing.assert_frame_equal(fast, slow, obj=mode)
        if mode == "any":
            continue  # there "a" counts from its step-2 event at 2 and "b" stays at step 1
        assert fast["customer_id"].tolist() == ["a"], mode
        assert fast["t1"].iloc[0] == pd.Timestamp(BASE + pd.Timedelta(minutes=10), tz="UTC")
