"""Events at the same moment are ordered by their row in the file, on every engine.

Dates without a time of day put many of a customer's events at one timestamp. An ``argmin`` or
``argmax`` by timestamp alone then picks any of them (whichever the engine meets first), so
results change with the engine, its threads and the table's physical order. These tests load
the tied rows in file order and in reverse physical order and expect the same answer, the one
the lower source row gives. They run on DuckDB; ``tests/test_spark_parity.py`` runs the same
analyses on Spark.
"""

from __future__ import annotations

import dataclasses

import ibis
import pandas as pd
import pytest

import journeylib as jl
from journeylib import markov, moments
from journeylib.paths_table import path_table

N = 30


def tied_frame() -> pd.DataFrame:
    """N customers; each rates the Survey twice on one date (first 1 of 5, then 5 of 5), meets
    Help once in Consideration and once in Retention on another date, and buys."""
    rows = []
    for i in range(N):
        customer = f"T{i:03d}"
        rows += [
            (customer, "2026-03-02", "Awareness", "Ad", None, 0),
            (customer, "2026-03-03", "Consideration", "Survey", 1, 0),
            (customer, "2026-03-03", "Consideration", "Survey", 5, 0),
            (customer, "2026-03-04", "Consideration", "Help", 3, 0),
            (customer, "2026-03-04", "Retention", "Help", 4, 0),
            (customer, "2026-03-05", "Purchase", "Order", 4, 1),
        ]
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint",
                                       "emotion", "converted"])


def reversed_rows(ds: jl.Dataset) -> jl.Dataset:
    """``ds`` with the same rows stored in reverse order (the engine meets the later row of a
    tie first)."""
    con = ds.table._find_backend()
    frame = ds.table.to_pandas().iloc[::-1].reset_index(drop=True)
    return dataclasses.replace(ds, table=con.create_table("tied_reversed", frame,
                                                          overwrite=True), key="")


@pytest.fixture(scope="module")
def tied() -> list[jl.Dataset]:
    ds = jl.load(tied_frame(), stages=["Awareness", "Consideration", "Purchase", "Retention"])
    return [ds, reversed_rows(ds)]


def test_the_first_experience_of_a_tie_is_the_lower_source_row(tied) -> None:
    for ds in tied:
        out = jl.moments_of_truth(ds, "purchase", min_group=1).set_index("touchpoint")
        # the 1 of 5 comes first in the file: every customer's first Survey was negative
        assert out.loc["Survey", "customers_negative"] == N
        assert out.loc["Survey", "customers_positive"] == 0


def test_a_touchpoint_split_evenly_between_stages_belongs_to_the_earlier_one(tied) -> None:
    for ds in tied:
        curve = jl.emotion_curve(ds, "touchpoint").set_index("touchpoint")
        assert curve.loc["Help", "stage"] == "Consideration"
        pains = pd.concat([jl.pain_points(ds, min_n=1), jl.delight_points(ds, min_n=1)])
        assert set(pains.loc[pains["touchpoint"] == "Help", "stage"]) <= {"Consideration"}


def test_touchpoints_with_equal_scores_are_listed_by_name() -> None:
    rows = [(f"E{i:02d}", f"2026-03-0{1 + k}", "Service", desk, score, 0)
            for i in range(12) for k, desk in enumerate(["Desk B", "Desk A", "Desk C"])
            for score in ([1, 5] if desk != "Desk C" else [5, 5])]
    frame = pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "touchpoint",
                                        "emotion", "converted"])
    ds = jl.load(frame)
    for each in (ds, reversed_rows(ds)):
        pains = jl.pain_points(each, min_n=1)
        assert pains["touchpoint"].tolist() == ["Desk A", "Desk B"]


def test_journey_positions_follow_the_file_order_within_a_moment(tied) -> None:
    first, second = (jl.emotion_curve(ds, "touchpoint") for ds in tied)
    pd.testing.assert_frame_equal(first, second)


def test_markov_states_are_numbered_by_name_not_by_the_engines_group_order() -> None:
    ds = jl.load(jl.sample.generate(n_customers=300, seed=4))
    for order in (1, 2):
        chain = markov.chain_from_dataset(ds, order)
        assert chain.states == sorted(chain.states, key=lambda s: (len(s), s))
        from_paths = jl.transition_matrix(path_table(ds), order)
        pd.testing.assert_frame_equal(jl.transition_matrix(ds, order), from_paths)


def test_the_sample_hash_is_md5_so_every_engine_picks_the_same_customers() -> None:
    ids = ["C00001", "Клиент-7", "ZAKUP 🛒", "", "x" * 200]
    con = ibis.duckdb.connect()
    table = con.create_table("ids", pd.DataFrame({"customer_id": ids}))
    got = table.select("customer_id", bucket=moments._customer_bucket(table)).to_pandas()
    expected = [moments.customer_bucket(c) for c in got["customer_id"]]
    assert got["bucket"].tolist() == expected
    assert all(0 <= b < moments._BUCKETS for b in expected)
    # MD5("C00001") is bcfa3cca...: its first five hex digits as a number
    assert moments.customer_bucket("C00001") == 0xBCFA3


def test_pain_points_on_data_without_stages() -> None:
    """Touchpoints without stages (bug: the stage-rank key of a touchpoint's main stage was a
    plain number when there are no stages, and the query failed)."""
    frame = tied_frame().drop(columns="stage")
    ds = jl.load(frame)
    assert not ds.stages
    for table in (jl.pain_points(ds, min_n=1), jl.delight_points(ds, min_n=1),
                  jl.emotion_curve(ds, "touchpoint")):
        assert len(table) > 0
