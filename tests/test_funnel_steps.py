"""Typed funnel steps and the funnel spec: link text both ways (user text stays data), old
stage-name calls and links, month windows, and the customers who reached a step."""

from __future__ import annotations

import pandas as pd
import pytest

import journeylib as jl
from journeylib import limits
from journeylib.durations import parse_window, window_months, window_seconds
from journeylib.funnel import drop_offs, funnel, reached
from journeylib.funnel_spec import Exclusion, FunnelSpec, Step, as_steps

A, C, P = "Awareness", "Consideration", "Purchase"


def test_step_text_round_trips_hostile_values() -> None:
    for step in (Step(stage=C), Step(stage="A&B=c", touchpoint="50% off?"),
                 Step(channel="e-mail", touchpoint="x%26y"), Step(stage="[**bold**](x)")):
        assert Step.from_text(step.to_text()) == step
    assert Step(stage=C, touchpoint="Product page").to_text() == (
        "stage=Consideration&touchpoint=Product%20page")
    assert Step.from_text("Consideration") == Step(stage=C)  # links from before
    with pytest.raises(ValueError, match="fields"):
        Step.from_text("colour=red")
    with pytest.raises(ValueError, match="needs a stage"):
        Step()
    with pytest.raises(ValueError, match="text"):
        Step(stage=3)


def test_steps_from_names_steps_and_mappings() -> None:
    assert as_steps([A, Step(touchpoint="Ad"), {"stage": C, "channel": ""}]) == (
        Step(stage=A), Step(touchpoint="Ad"), Step(stage=C))
    assert Step(stage=C).disjoint(Step(stage=P))
    assert not Step(stage=C).disjoint(Step(touchpoint="Product page"))
    assert Step(stage=C, touchpoint="PP").name() == "Consideration · PP"


def test_spec_params_round_trip_and_old_links() -> None:
    spec = FunnelSpec(
        steps=(Step(stage=A), Step(touchpoint="Product page"), Step(touchpoint="Product page")),
        mode="any", entry="first", window="3mo",
        exclusions=(Exclusion("Coupon & co", 1, 3, "touchpoint"),), breakdown="channel")
    params = spec.to_params()
    assert params["window"] == "3mo" and params["entry"] == "first"
    again = FunnelSpec.from_params({k: v if isinstance(v, list) else [v]
                                    for k, v in params.items()})
    assert again == spec
    old = FunnelSpec.from_params({"steps": [A, P], "mode": ["strict"]})
    assert old.steps == (Step(stage=A), Step(stage=P)) and old.entry == "best"
    assert old.window is None and old.breakdown is None
    for bad in ({"steps": [A], "mode": ["loose"]}, {"steps": [A], "entry": ["last"]},
                {"steps": [A], "window": ["soon"]}, {"steps": [A], "by": ["customer_id"]},
                {"steps": []}, {"steps": [A, A], "mode": ["strict"]},
                {"steps": [A], "exclude": ["nonsense"]}):
        with pytest.raises(ValueError):
            FunnelSpec.from_params(bad)


def test_a_spec_runs_as_the_funnel(sample_dataset) -> None:
    spec = FunnelSpec(steps=(Step(stage="Awareness"), Step(stage="Purchase")), window="30d")
    assert funnel(sample_dataset, spec, **spec.options()).equals(
        funnel(sample_dataset, ["Awareness", "Purchase"], window="30d"))


def test_month_windows() -> None:
    assert window_months("3mo") == 3 and window_months("1 month") == 1
    assert window_months("90min") is None and window_months(None) is None
    assert parse_window("2mo").months == 2 and parse_window("90min").seconds == 5400
    assert parse_window("") is None
    with pytest.raises(ValueError):
        window_months("0mo")
    assert window_seconds("3mo") == 3 * 31 * 86400  # the longest three months last


def test_steps_are_limited_before_any_query() -> None:
    ds = jl.load(pd.DataFrame({"customer_id": ["a"], "timestamp": ["2026-03-01"],
                               "stage": [A]}), stages=[A])
    many = [Step(stage=A)] * (limits.setting(limits.FUNNEL_STEPS) + 1)
    with pytest.raises(limits.LimitError):
        funnel(ds, many)


def test_reached_lists_the_customers_at_a_step(sample_dataset) -> None:
    f = funnel(sample_dataset, window="30d")
    for step in (1, 3):
        people = reached(sample_dataset, step, window="30d")
        assert len(people) == f["customers"].iloc[step - 1]
        assert people["customer_id"].is_unique
        assert (people["reached_stage"] == sample_dataset.stages[step - 1]).all()
    assert list(people.columns) == list(drop_offs(sample_dataset, 2).columns)
    lost = drop_offs(sample_dataset, 3, window="30d")
    at_2 = set(reached(sample_dataset, 2, window="30d")["customer_id"])
    assert set(lost["customer_id"]) == at_2 - set(people["customer_id"])
    with pytest.raises(ValueError, match="step"):
        reached(sample_dataset, 0)


def test_reached_at_is_the_counted_attempts_time() -> None:
    frame = pd.DataFrame({"customer_id": ["x"] * 3,
                          "timestamp": ["2026-03-01 13:01", "2026-03-01 13:35",
                                        "2026-03-01 13:41"],
                          "stage": [A, A, C]})
    ds = jl.load(frame, stages=[A, C])
    got = reached(ds, 1, window="10min")
    assert got["reached_at"].tolist() == [pd.Timestamp("2026-03-01 13:35", tz="UTC")]
    assert reached(ds, 2, window="10min", entry="first").empty
