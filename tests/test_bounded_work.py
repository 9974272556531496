"""Issue 19, bounded work: each limit refuses before the work it guards, in the reader's language,
and the funnel query grows linearly with its steps without changing a result.

"Before the work" is shown by what ran, not by a stopwatch: the engine queries each call
executed (recorded as their SQL) and the Python memory it allocated (``tracemalloc`` sees
numpy's arrays, where the dense Markov matrices and Shapley's 2^n coalitions would live).
"""

from __future__ import annotations

import importlib
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pytest
from ibis.config import Config
from streamlit.testing.v1 import AppTest

import journeylib as jl
from journeylib import i18n, limits
from journeylib.attribution import (
    attribution,
    conversion_probability,
    removal_effects,
    transition_matrix,
)
from journeylib.conversion import conversion_trend
from journeylib.limits import LimitError, limit_sentence
from journeylib.paths_table import PathTable
from journeylib.segments import compare_segments
from journeylib.stages import infer_stage_order
from tests.apptest import APP, open_page, widget

funnel_module = importlib.import_module("journeylib.funnel")
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "journeys.csv"
BASE = pd.Timestamp("2026-03-02 00:00")
MB = 1 << 20


@pytest.fixture
def queries(monkeypatch) -> list[str]:
    """The SQL of every Ibis expression executed while the test runs (once per query, though
    ``to_pandas`` goes through ``execute``)."""
    seen: list[str] = []
    depth = [0]
    methods = ((ir.Expr, "execute"), (ir.Expr, "to_pyarrow"), (ir.Table, "to_pandas"),
               (ir.Value, "to_pandas"))
    for cls, name in methods:
        original = getattr(cls, name)

        def wrapper(self, *args, _original=original, **kwargs):
            if not depth[0]:
                seen.append(ibis.to_sql(self))
            depth[0] += 1
            try:
                return _original(self, *args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(cls, name, wrapper)
    return seen


def _peak_bytes(call: Callable[[], object]) -> int:
    """Peak Python memory (bytes) allocated while ``call`` runs and raises LimitError."""
    tracemalloc.start()
    try:
        with pytest.raises(LimitError):
            call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _events(customers: int, stages: list[str], channels: list[str]) -> pd.DataFrame:
    """Every customer passes every stage in order, an hour apart, through channels in turn."""
    rows = [
        (f"c{c}", BASE + pd.Timedelta(hours=k), stage, channels[(c + k) % len(channels)])
        for c in range(customers)
        for k, stage in enumerate(stages)
    ]
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "stage", "channel"])


def _wide_paths(channels: int, paths: int = 400, length: int = 20) -> PathTable:
    rng = np.random.default_rng(0)
    names = [f"ch{i:02d}" for i in range(channels)]
    rows = [" > ".join(rng.choice(names, length)) for _ in range(paths)]
    # Every channel at least once, so the table has exactly ``channels`` channels.
    rows[0] = " > ".join(names)
    return PathTable.from_frame(pd.DataFrame({
        "path": rows, "total_conversions": rng.integers(0, 3, paths),
        "total_null": rng.integers(0, 3, paths),
    }))


def _stage_names(n: int) -> list[str]:
    return [f"Step {k:02d}" for k in range(1, n + 1)]


# --- distinct stages ---------------------------------------------------------------------------


def test_stage_inference_refuses_many_stages_before_pairing_them(queries) -> None:
    # The file: 3,000 distinct stages took 2.6-3.5 GB in the pairwise self-join.
    frame = _events(2, [f"Stage {k}" for k in range(1500)], ["web"])
    ds = jl.load(frame, stages=list(frame["stage"].unique()))  # given: nothing inferred yet
    queries.clear()
    with pytest.raises(LimitError) as refused:
        infer_stage_order(ds.table)
    assert (refused.value.code, refused.value.limit, refused.value.actual) == (
        limits.STAGES, 200, 1500)
    assert len(queries) == 1 and "JOIN" not in queries[0].upper()  # only the count ran
    assert isinstance(refused.value, jl.DataError)  # every page already shows these


def test_loading_many_stages_is_refused_with_the_sentence() -> None:
    frame = _events(1, [f"Stage {k}" for k in range(250)], ["web"])
    with pytest.raises(jl.DataError, match=r"250 different stages.*at most 200"):
        jl.load(frame)


def test_stage_order_unchanged_for_a_generated_sample() -> None:
    # Stage names that match no preset, so the order comes from infer_stage_order; the same
    # order as the self-join over every ordered pair gave before (commit 14c0c14).
    frame = jl.sample.generate(n_customers=300, seed=3)
    names = {"Awareness": "See", "Consideration": "Think", "Purchase": "Do",
             "Retention": "Care", "Advocacy": "Tell"}
    frame["stage"] = frame["stage"].map(names)
    assert jl.load(frame).stages == ["See", "Think", "Do", "Care", "Tell"]


def test_ties_and_going_back_rank_as_before() -> None:
    # a: Zebra, Mango, Apple; b: Mango then Zebra (goes back); c: all three at one moment.
    frame = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c", "c", "c"],
        "timestamp": [BASE + pd.Timedelta(hours=h) for h in (0, 1, 2, 0, 1, 5, 5, 5)],
        "stage": ["Zebra", "Mango", "Apple", "Mango", "Zebra", "Apple", "Mango", "Zebra"],
    })
    ds = jl.load(frame, stages=["Apple", "Mango", "Zebra"])
    # Zebra-Mango: one each way and a tie, 1/3 each: no win. Zebra-Apple and Mango-Apple:
    # one before and a tie, 1/2: half a win each. Mango and Zebra tie on 0.5 and their
    # earliest events too (hour 0), so the name decides; the old self-join gave the same.
    assert infer_stage_order(ds.table) == ["Mango", "Zebra", "Apple"]


# --- funnel steps ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_stages() -> jl.Dataset:
    return jl.load(_events(30, _stage_names(25), ["web", "mail"]), stages=_stage_names(25))


@pytest.mark.parametrize(
    "call",
    [
        lambda ds: funnel_module.funnel(ds),
        lambda ds: funnel_module.funnel(ds, mode="strict", window="30d", by="channel"),
        lambda ds: funnel_module.drop_offs(ds, 2),
        lambda ds: funnel_module.customer_steps(ds),
        lambda ds: conversion_trend(ds),
        lambda ds: compare_segments(ds, by="channel"),
    ],
    ids=["funnel", "strict-by", "drop_offs", "customer_steps", "trend", "segments"],
)
def test_too_many_funnel_steps_are_refused_before_any_query(many_stages, queries, call) -> None:
    with pytest.raises(LimitError) as refused:
        call(many_stages)
    assert (refused.value.code, refused.value.limit, refused.value.actual) == (
        limits.FUNNEL_STEPS, 20, 25)
    assert queries == []


def test_the_funnel_step_limit_is_a_setting(many_stages, monkeypatch) -> None:
    monkeypatch.setenv("JOURNEY_MAX_FUNNEL_STEPS", "25")
    assert funnel_module.funnel(many_stages)["customers"].tolist() == [30] * 25
    monkeypatch.setenv("JOURNEY_MAX_FUNNEL_STEPS", "not a number")  # ignored: the default
    assert limits.setting(limits.FUNNEL_STEPS) == limits.MAX_FUNNEL_STEPS


# --- Markov order x channels -------------------------------------------------------------------


def test_markov_estimate_counts_every_state_up_to_the_order() -> None:
    assert limits.markov_states(12, 4) == 12 + 144 + 1728 + 20736
    assert limits.markov_states(12, 4, touches=900) == 900
    assert limits.markov_states(8, 4) <= limits.MAX_MARKOV_STATES  # the sample at order 4


@pytest.mark.parametrize(
    "call",
    [
        lambda d: attribution(d, ["markov"], order=4),
        lambda d: attribution(d, ["last_touch", "markov", "shapley"], order=4, n_boot=200),
        lambda d: removal_effects(d, 4),
        lambda d: transition_matrix(d, 4),
        lambda d: conversion_probability(d, 4),
    ],
    ids=["attribution", "with-bootstrap", "removal", "matrix", "probability"],
)
def test_markov_order_4_on_12_channels_is_refused_before_any_matrix(call) -> None:
    # The issue: 12 channels at order 4 needed 9.2 GB of dense matrices.
    paths = _wide_paths(12)
    peak = _peak_bytes(lambda: call(paths))
    assert peak < 2 * MB, peak
    with pytest.raises(LimitError) as refused:
        call(paths)
    assert refused.value.code == limits.MARKOV_STATES
    assert refused.value.actual == limits.markov_states(12, 4, len(paths.codes)) > 5000
    assert attribution(paths, ["markov"], order=1, n_boot=0)["channel"].nunique() == 12


def test_markov_on_a_dataset_is_refused_after_one_count(queries) -> None:
    channels = [f"ch{i:02d}" for i in range(12)]
    ds = jl.load(_events(600, _stage_names(12), channels), stages=_stage_names(12))
    queries.clear()
    with pytest.raises(LimitError) as refused:
        attribution(ds, ["markov", "linear"], order=4)
    assert refused.value.code == limits.MARKOV_STATES and refused.value.order == 4
    assert len(queries) == 1 and "OVER" not in queries[0].upper()  # no journey was cut
    with pytest.raises(LimitError):
        removal_effects(ds, 4)


# --- Shapley channels --------------------------------------------------------------------------


@pytest.mark.parametrize("n_boot", [0, 200])
def test_shapley_on_20_channels_is_refused_before_the_coalitions(n_boot) -> None:
    paths = _wide_paths(20)
    peak = _peak_bytes(lambda: attribution(paths, ["linear", "shapley"], n_boot=n_boot))
    assert peak < 2 * MB, peak  # one float per coalition alone would be 8 MB
    with pytest.raises(LimitError) as refused:
        attribution(paths, ["shapley"], n_boot=n_boot)
    assert (refused.value.code, refused.value.limit, refused.value.actual) == (
        limits.SHAPLEY_CHANNELS, 15, 20)


def test_shapley_on_a_dataset_is_refused_before_the_masks(queries) -> None:
    channels = [f"ch{i:02d}" for i in range(20)]
    ds = jl.load(_events(40, _stage_names(5), channels), stages=_stage_names(5))
    queries.clear()
    with pytest.raises(LimitError) as refused:
        attribution(ds, ["shapley"], n_boot=0)
    assert refused.value.actual == 20
    assert not any("mask" in q for q in queries)


# --- the sentences -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(limits.SETTINGS))
def test_every_refusal_reads_in_each_language(code) -> None:
    error = LimitError(code, 200, 3000, order=4)
    texts = {lang: limit_sentence(error, lang) for lang in i18n.LANGUAGES}
    assert len(set(texts.values())) == 3
    for lang, text in texts.items():
        assert i18n.number(3000, lang=lang) in text and i18n.number(200, lang=lang) in text
        assert "{" not in text
        assert error.words(lang) == text  # worded again in the reader's language
    assert "Markov" in texts["en"] or code != limits.MARKOV_STATES
    assert any("а" <= ch <= "я" for ch in texts["ru"])


# --- the funnel query grows linearly -----------------------------------------------------------


class _SparkOptions(Config):
    """The option the Spark compiler reads (as in tests/test_engine_portability.py)."""

    treat_nan_as_null: bool = False


def _funnel_sql(ds: jl.Dataset, n: int, mode: str, window: str | None) -> int:
    steps = ds.stages[:n]
    per = funnel_module.customer_steps(ds, steps, window=window, mode=mode)
    win = funnel_module.parse_window(window)
    rows = funnel_module._step_rows(ds.table, steps, win, "ordered", None)
    return len(ibis.to_sql(per)) + len(ibis.to_sql(rows))


@pytest.mark.parametrize("mode", funnel_module.MODES)
@pytest.mark.parametrize("window", [None, "30d"])
def test_funnel_query_grows_linearly_with_steps(many_stages, monkeypatch, mode, window) -> None:
    monkeypatch.setenv("JOURNEY_MAX_FUNNEL_STEPS", "40")  # to measure past the default too
    ds = jl.load(_events(3, _stage_names(40), ["web"]), stages=_stage_names(40))
    size = {n: _funnel_sql(ds, n, mode, window) for n in (5, 10, 20, 40)}
    for n in (5, 10, 20):
        assert size[2 * n] <= 2.1 * size[n], size
    # Growth per added step stays the same (a square or worse would double it each time).
    assert size[40] - size[20] <= 2.5 * (size[20] - size[10]), size


def test_the_whole_funnel_run_is_linear_too(queries) -> None:
    total = {}
    for n in (10, 20):
        ds = jl.load(_events(3, _stage_names(n), ["web"]), stages=_stage_names(n))
        queries.clear()
        funnel_module.funnel(ds, window="30d")
        total[n] = sum(map(len, queries))
    assert total[20] <= 2.1 * total[10], total


@pytest.mark.parametrize("mode", funnel_module.MODES)
def test_twenty_step_funnel_compiles_for_spark_without_qualify(monkeypatch, mode) -> None:
    if ibis.options.pyspark is None:
        monkeypatch.setattr(ibis.options, "pyspark", _SparkOptions())
    ds = jl.load(_events(3, _stage_names(20), ["web"]), stages=_stage_names(20))
    per = funnel_module.customer_steps(ds, window="30d", mode=mode)
    for dialect in ("pyspark", "duckdb"):
        assert "QUALIFY" not in ibis.to_sql(per, dialect=dialect).upper()
    assert per.count().execute() == 3


# --- results unchanged -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> jl.Dataset:
    return jl.load(SAMPLE)


# Customers per step on the sample, from the implementation before the rewrite (14c0c14).
BEFORE = {
    ("ordered", None): [5000, 3949, 1071, 874, 340],
    ("ordered", "7d"): [5000, 3573, 285, 157, 0],
    ("ordered", "30d"): [5000, 3910, 904, 715, 146],
    ("strict", None): [5000, 3949, 1071, 863, 326],
    ("strict", "7d"): [5000, 3573, 285, 155, 0],
    ("strict", "30d"): [5000, 3910, 904, 706, 140],
    ("any_after_first", "30d"): [5000, 3910, 904, 715, 146],
}


@pytest.mark.parametrize(("mode", "window"), list(BEFORE))
def test_sample_funnels_are_unchanged(sample, mode, window) -> None:
    f = funnel_module.funnel(sample, window=window, mode=mode, entry="first")
    assert f["customers"].tolist() == BEFORE[(mode, window)]


def test_sample_median_hours_are_unchanged(sample) -> None:
    f = funnel_module.funnel(sample, window="30d", mode="strict", entry="first")
    assert f["median_hours_from_previous"].tolist()[1:] == pytest.approx(
        [29.611389, 204.911667, 49.08125, 204.733333], abs=1e-5)


@pytest.mark.parametrize("mode", ["ordered", "any_after_first"])
@pytest.mark.parametrize("window", [None, "30d"])
def test_exact_pass_for_everyone_agrees_with_the_funnel(sample, mode, window) -> None:
    # The per-step joins run only for customers whose stages come out of order; run over
    # everyone, they must give the same counts as the first-event shortcut plus that pass.
    win = funnel_module.parse_window(window)
    exact = funnel_module._ordered_steps(sample.table, sample.stages, win, mode).to_pandas()
    counts = [int(exact[f"t{k}"].notna().sum()) for k in range(1, len(sample.stages) + 1)]
    first = funnel_module.funnel(sample, window=window, mode=mode, entry="first")
    assert counts == first["customers"].tolist()


# --- the pages ---------------------------------------------------------------------------------


def _wide_paths_csv(channels: int) -> bytes:
    """A path table of 400 distinct paths of 20 touches over ``channels`` channels."""
    rng = np.random.default_rng(1)
    names = [f"ch{i:02d}" for i in range(channels)]
    paths = {" > ".join(names)} | {" > ".join(rng.choice(names, 20)) for _ in range(400)}
    lines = ["path;total_conversions;total_null", *(f"{p};1;1" for p in sorted(paths))]
    return "\n".join(lines).encode()


def test_attribution_page_leaves_shapley_out_with_the_reason() -> None:
    at = open_page("app_pages/attribution.py")
    at.file_uploader[0].set_value(("wide.csv", _wide_paths_csv(20), "text/csv")).run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "up to 15 channels; this data has 20" in warning
    assert "shown without Shapley" in warning
    table = next(d.value for d in at.dataframe if "channel" in d.value.columns)
    assert "shapley" not in table.columns and "linear" in table.columns


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "order 4"), ("ru", "порядка 4"), ("pl", "rzędu 4")],
)
def test_markov_order_4_from_a_link_is_refused_in_the_readers_language(lang, words) -> None:
    # Last touch only at first: the sample's own order-4 chain with its resamples is slow.
    at = open_page("app_pages/attribution.py", {"order": "4", "models": ["last_touch"]},
                   lang=lang)
    at.file_uploader[0].set_value(("wide.csv", _wide_paths_csv(14), "text/csv")).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)  # the chain's removal effects, refused
    assert words in errors and i18n.number(limits.MAX_MARKOV_STATES, lang=lang) in errors
    widget(at.multiselect, "attr_models").set_value(["last_touch", "markov"]).run()
    assert not at.exception
    assert words in at.error[0].value  # the models themselves, refused


def _stages_csv(n: int) -> bytes:
    frame = _events(4, [f"Etap {k:02d}" for k in range(1, n + 1)], ["web"])
    return frame.to_csv(index=False).encode()


def test_funnel_page_starts_with_the_first_20_stages_and_refuses_more() -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.file_uploader[0].set_value(("stages.csv", _stages_csv(24), "text/csv")).run()
    at.switch_page("app_pages/funnel.py").run()
    assert not at.exception
    assert "the first 20 of the data's 24 stages" in " ".join(c.value for c in at.caption)
    assert len(at.dataframe[0].value) == 20
    steps = widget(at.multiselect, "funnel_stages")
    steps.set_value(list(steps.options)).run()
    assert not at.exception
    assert "This funnel has 24 steps; a funnel can have at most 20" in at.error[0].value
