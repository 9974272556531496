"""Stage transitions and top paths: worked examples on the funnel fixture, and the sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_funnel import EVENTS, STAGES, _frame

import journeylib as jl
from journeylib.paths import describe_paths, describe_transitions, stage_transitions, top_paths

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "journeys.csv"
A, C, P = STAGES


@pytest.fixture(scope="module")
def tiny() -> jl.Dataset:
    return jl.load(_frame(EVENTS), stages=STAGES)


def test_stage_transitions_count_skips_and_moves_back(tiny) -> None:
    out = stage_transitions(tiny)
    rows = [tuple(r) for r in out[["from_stage", "to_stage", "customers", "moves"]].values]
    assert rows == [
        (A, C, 4, 4),  # c1, c4 (same moment, file order), c5, c6
        (C, P, 4, 4),  # c1, c4, c6, c7
        (A, P, 3, 3),  # c2 skips; c3 after its early C; c5 after going back
        (C, A, 2, 2),  # c3, c5
        (P, C, 1, 1),  # c3
    ]
    assert out["direction"].tolist() == ["forward", "forward", "skip", "backward", "backward"]
    assert describe_transitions(out) == (
        "The most common move is Awareness → Consideration (4 customers); the most common "
        "move back is Consideration → Awareness (2 customers); 3 moves skip a stage."
    )


def test_top_stage_paths_collapse_repeats(tiny) -> None:
    out = top_paths(tiny)
    assert out["path"].tolist() == [
        "Awareness → Consideration → Purchase",
        "Awareness",
        "Awareness → Consideration → Awareness → Purchase",
        "Awareness → Purchase",
        "Consideration → Awareness → Purchase → Consideration",
        "Consideration → Purchase",
    ]
    assert out["customers"].tolist() == [3, 1, 1, 1, 1, 1]
    assert out["steps"].tolist() == [3, 1, 4, 2, 4, 2]
    assert out["share"].iloc[0] == pytest.approx(3 / 8)
    assert out["conversion_rate"].tolist() == [1.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    assert describe_paths(out) == (
        "The most common journey is Awareness → Consideration → Purchase (37.5% of customers, "
        "100% converted)."
    )


def test_long_paths_keep_their_start_and_end(tiny) -> None:
    # Bug: long paths were cut at the end ("Awareness → Consideration → …"), hiding where
    # the journey ended. Now the first and last steps stay, the middle is "…".
    out = top_paths(tiny, max_steps=2, n=2)
    assert out["path"].tolist() == ["Awareness → … → Purchase", "Awareness"]
    assert out["customers"].tolist() == [4, 1]  # A→C→P (c1, c4, c6) and A→C→A→P (c5)
    assert out["steps"].tolist() == [4, 1]  # the longest journey behind the shortened path
    three = top_paths(tiny, max_steps=3)
    assert "Consideration → Awareness → … → Consideration" in three["path"].tolist()


def test_paths_that_hold_the_conversion_are_not_called_best(tiny) -> None:
    out = top_paths(tiny)
    # Under the purchase-stage rule, every path through Purchase converts by definition.
    assert out["includes_conversion"].tolist() == [
        "Purchase" in path for path in out["path"]]
    assert (out.loc[out["includes_conversion"], "conversion_rate"] == 1.0).all()
    big = out.assign(customers=100)  # every path "big" enough to be compared
    reading = describe_paths(big)
    assert "converts best" not in reading  # the only non-converting candidate is "Awareness"


def test_touchpoint_and_channel_paths(tiny) -> None:
    touch = top_paths(tiny, level="touchpoint", n=1)
    assert touch[["path", "customers"]].values.tolist() == [["Ad → Product page → Order", 2]]
    channel = top_paths(tiny, level="channel")
    assert channel[["path", "customers"]].values.tolist() == [
        ["search", 7],
        ["email → search", 1],
    ]
    with pytest.raises(ValueError, match="level"):
        top_paths(tiny, level="segment")


def test_sample_paths(sample_dataset: jl.Dataset) -> None:
    ds = sample_dataset
    moves = stage_transitions(ds).set_index(["from_stage", "to_stage"])
    assert moves.loc[(A, C), "customers"] == 3949  # every considerer came from Awareness
    # 8% of buyers revisit a product page after buying (planted).
    back = moves.loc[(P, C), "customers"] + moves.loc[("Retention", C), "customers"]
    assert back / 1071 == pytest.approx(0.075, abs=0.02)
    paths = top_paths(ds, n=3)
    assert paths["path"].tolist()[:2] == ["Awareness → Consideration", "Awareness"]
    assert paths["customers"].tolist()[:2] == [2878, 1051]
    assert paths["conversion_rate"].tolist()[:2] == [0.0, 0.0]
