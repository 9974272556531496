"""Attribution at scale (issue 17): the journeys are cut once per view and every model comes
from that path table; the bootstrap draws its Poisson weights as one matrix and evaluates the
models from weighted aggregates, agreeing with a plain resampling loop; the page caches the
path table and its results."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from scipy import stats

import journeylib as jl
from journeylib import markov, shapley
from journeylib.paths_table import PathTable, path_table
from tests.apptest import open_page, widget

attr = importlib.import_module("journeylib.attribution")
paths_module = importlib.import_module("journeylib.paths_table")

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "channelattribution_paths.csv"
REL = 1e-9


@pytest.fixture(scope="module")
def sample() -> jl.Dataset:
    return jl.load(jl.sample.generate(n_customers=400, seed=11))


@pytest.fixture(scope="module")
def reference() -> PathTable:
    if not REFERENCE.exists():
        pytest.skip(f"{REFERENCE} is not here (it lives outside the repository)")
    return PathTable.from_frame(pd.read_csv(REFERENCE, sep=";"))


@pytest.fixture
def cuts(monkeypatch):
    """Counts the journey cuts (calls of journey_touches, the one query that cuts them)."""
    calls = []
    real = paths_module.journey_touches

    def counted(*args, **kwargs):
        calls.append(args[1:2])
        return real(*args, **kwargs)

    monkeypatch.setattr(paths_module, "journey_touches", counted)
    monkeypatch.setattr(attr, "journey_touches", counted)
    return calls


# --- one cut ----------------------------------------------------------------------------------


def test_every_model_of_a_dataset_comes_from_one_cut(sample, cuts) -> None:
    result = attr.attribution(sample, attr.ALL, n_boot=5)
    assert len(cuts) == 1
    assert set(result["model"]) == set(attr.ALL)


def test_a_view_from_one_path_table_cuts_nothing_more(sample, cuts) -> None:
    paths = path_table(sample, "30d", half_life="7d")
    assert len(cuts) == 1
    result = attr.attribution(paths, attr.ALL, n_boot=5)
    attr.removal_effects(paths, 2)
    attr.transition_matrix(paths)
    attr.conversion_probability(paths)
    assert len(cuts) == 1
    # The same numbers as the Dataset given to each function (which cuts it itself).
    direct = attr.attribution(sample, attr.ALL, n_boot=5)
    pd.testing.assert_frame_equal(result, direct)
    pd.testing.assert_frame_equal(attr.removal_effects(paths, 2),
                                  attr.removal_effects(sample, 2))
    pd.testing.assert_frame_equal(attr.transition_matrix(paths), attr.transition_matrix(sample))


def test_time_decay_from_the_path_table_is_the_engine_computation(sample) -> None:
    """Time decay from the path table's per-touch weights equals the weights computed touch by
    touch from the journeys (the old engine query)."""
    import ibis

    from journeylib.engine import to_pandas

    for cut in ({}, {"collapse_repeats": True}, {"conversion_touch": True}):
        paths = path_table(sample, "30d", half_life="3d", **cut)
        got = attr.attribution(paths, ["time_decay"], half_life="72h", n_boot=0)
        t = paths_module.journey_touches(sample, "30d", **cut)
        t = t.filter(t.converted == 1)
        t = t.mutate(w=ibis.literal(2.0) ** (-t.hours_before_end / 72.0))
        t = t.mutate(w=t.w / t.w.sum().over(ibis.window(group_by=["customer_id", "journey"])))
        want = to_pandas(t.group_by("channel").agg(c=t.w.sum(), r=(t.w * t.revenue).sum()))
        want = want.set_index("channel").reindex(paths.channels, fill_value=0.0)
        assert np.allclose(got["conversions"], want["c"], rtol=REL)
        assert np.allclose(got["revenue"], want["r"], rtol=REL)
        assert got["conversions"].sum() == pytest.approx(paths.total_conversions, rel=REL)


def test_merging_repeats_keeps_time_decay_weights(sample) -> None:
    paths = path_table(sample, "30d", half_life="7d")
    merged = paths.without_repeats()
    for table in (paths, merged):
        assert np.bincount(table.codes, table.decay).sum() == pytest.approx(
            paths.total_conversions, rel=REL)
    full = attr.attribution(paths, ["time_decay"], n_boot=0)
    again = attr.attribution(paths, ["time_decay"], collapse_repeats=True, n_boot=0)
    pd.testing.assert_frame_equal(full, again)  # merged touches are of the same channel


def test_time_decay_needs_the_table_cut_with_its_half_life(sample) -> None:
    with pytest.raises(ValueError, match="half-life of 7d, not 3d"):
        attr.attribution(path_table(sample, half_life="7d"), ["time_decay"], half_life="3d")
    with pytest.raises(ValueError, match="time_decay needs touch timestamps"):
        attr.attribution(path_table(sample), ["time_decay"])


# --- the matrix bootstrap ---------------------------------------------------------------------


def test_weighted_markov_with_unit_weights_is_the_unweighted_chain(reference) -> None:
    edges = markov.PathEdges(reference, 1)
    ones = np.ones((reference.n_paths, 3))
    chains = edges.chains(reference.conversions[:, None] * ones,
                          reference.nulls[:, None] * ones, reference.value[:, None] * ones)
    plain = markov.chain_from_paths(reference)
    for chain in chains:
        for field in ("start", "trans", "conv", "null", "value"):
            assert np.array_equal(getattr(chain, field), getattr(plain, field)), field
    conv, rev = markov.credits(chains, np.full(3, reference.total_conversions),
                               np.full(3, reference.value.sum()), plain.channels)
    one = markov.credit(plain, reference.total_conversions, reference.value.sum())
    for row in range(3):
        assert np.allclose(conv[row], one["conversions"], rtol=REL)
        assert np.allclose(rev[row], one["revenue"], rtol=REL)


def test_transition_counts_by_hand() -> None:
    paths = PathTable.from_paths([["a", "b", "a"], ["b"], ["a", "a"]], [2, 1, 0], [20, 5, 0],
                                 [1, 0, 3])
    matrix = attr.transition_matrix(paths).set_index(["from_state", "to_state"])["transitions"]
    assert matrix.to_dict() == {
        ("(start)", "a"): 6.0, ("(start)", "b"): 1.0, ("a", "b"): 3.0, ("a", "a"): 3.0,
        ("a", "(conversion)"): 2.0, ("a", "(null)"): 4.0, ("b", "a"): 3.0,
        ("b", "(conversion)"): 1.0,
    }


def test_batched_removal_effects_solve_each_chain(reference) -> None:
    """The batched solve equals solving each chain's reduced system alone."""
    chain = markov.chain_from_paths(reference)
    got = markov.removal_table(chain).set_index("channel")
    for channel in chain.channels:
        keep = chain.trans.sum(axis=1) + chain.conv + chain.null > 0
        keep &= np.array([channel not in s for s in chain.states])
        out = (chain.trans.sum(axis=1) + chain.conv + chain.null)[keep]
        q = chain.trans[np.ix_(keep, keep)] / out[:, None]
        absorbed = np.linalg.solve(np.eye(int(keep.sum())) - q, chain.conv[keep] / out)
        without = chain.start[keep] @ absorbed / chain.start.sum()
        assert got.at[channel, "conversion_probability_without"] == pytest.approx(without,
                                                                                 rel=1e-12)


def test_batched_shapley_equals_one_weighting_at_a_time(reference) -> None:
    masks = shapley.path_masks(reference)
    rng = np.random.default_rng(1)
    weights = rng.poisson(1.0, (reference.n_paths, 4)) * reference.conversions[:, None]
    conv, _ = shapley.credits(masks, weights, weights * 2, len(reference.channels))
    for row in range(4):
        alone = shapley.credit(masks, weights[:, row], weights[:, row] * 2, reference.channels)
        assert np.allclose(conv[row], alone["conversions"], rtol=REL)


def test_poisson_weights_invert_the_distribution_exactly() -> None:
    mean = np.array([1.0] * 3000 + [2.0] * 3000 + [7.0] * 2000 + [0.0] * 100 + [2.5] * 50)
    got = attr.poisson_weights(np.random.default_rng(9), mean, 40)
    assert got.shape == (len(mean), 40)
    assert (got[mean == 0] == 0).all()
    rng = np.random.default_rng(9)
    for lam in (1.0, 2.0, 7.0):  # drawn in this order, one uniform per cell
        u = rng.random(((mean == lam).sum(), 40))
        cdf = stats.poisson.cdf(np.arange(80), lam)
        assert np.array_equal(got[mean == lam], np.searchsorted(cdf, u, side="right"))
    for lam in (1.0, 2.0, 7.0, 2.5):
        drawn = got[mean == lam].ravel()
        assert drawn.mean() == pytest.approx(lam, rel=0.05)
        assert drawn.var() == pytest.approx(lam, rel=0.1)


def _loop_bootstrap(paths: PathTable, n_boot: int, seed: int) -> pd.DataFrame:
    """The plain bootstrap: one resample at a time, numpy's Poisson sampler, each model
    recomputed from the resampled path table."""
    rng = np.random.default_rng(seed)
    per = np.divide(paths.value, paths.conversions, out=np.zeros_like(paths.value),
                    where=paths.conversions > 0)
    draws = []
    for _ in range(n_boot):
        conv = rng.poisson(paths.conversions).astype(float)
        nulls = rng.poisson(paths.nulls).astype(float)
        table = PathTable(paths.channels, paths.codes, paths.lengths, conv, conv * per, nulls)
        draws.append(attr.attribution(table, ["markov", "shapley"], n_boot=0))
    frame = pd.concat(draws)
    return frame.groupby(["model", "channel"])["conversions"].quantile([0.025, 0.975]).unstack()


def test_matrix_bootstrap_agrees_with_the_plain_loop(reference) -> None:
    result = attr.attribution(reference, ["markov", "shapley"], n_boot=400, seed=2)
    loop = _loop_bootstrap(reference, 400, seed=7)
    point = attr.attribution(reference, ["markov", "shapley"], n_boot=0)
    assert np.array_equal(result["conversions"], point["conversions"])  # exactly
    for row in result.itertuples():
        low, high = loop.loc[(row.model, row.channel)]
        width = high - low
        # Two independent sets of resamples: the ends agree within their Monte Carlo error.
        slack = 4 * np.hypot(row.ci_mc_error, row.ci_mc_error) + 0.02 * width + 1e-9
        assert abs(row.ci_low - low) <= slack, row
        assert abs(row.ci_high - high) <= slack, row
        assert row.ci_low <= row.conversions <= row.ci_high


def test_same_seed_same_intervals_and_monte_carlo_error(reference) -> None:
    first = attr.attribution(reference, ["markov", "shapley", "linear"], n_boot=60, seed=4)
    again = attr.attribution(reference, ["markov", "shapley", "linear"], n_boot=60, seed=4)
    pd.testing.assert_frame_equal(first, again)
    other = attr.attribution(reference, ["markov", "shapley"], n_boot=60, seed=5)
    assert not np.array_equal(first["ci_low"].dropna(), other["ci_low"])
    driven = first[first["model"] != "linear"]
    assert (driven["ci_mc_error"] >= 0).all() and (driven["revenue_ci_mc_error"] >= 0).all()
    assert (driven["ci_mc_error"] < driven["ci_high"] - driven["ci_low"]).all()
    assert first.loc[first["model"] == "linear", "ci_mc_error"].isna().all()


def test_more_resamples_shrink_the_monte_carlo_error(reference) -> None:
    few = attr.bootstrap_intervals(reference, ["markov"], n_boot=50, seed=1)["markov"]
    many = attr.bootstrap_intervals(reference, ["markov"], n_boot=800, seed=1)["markov"]
    big = few["ci_high"] - few["ci_low"] > 10
    assert (many.loc[big, "ci_mc_error"] < few.loc[big, "ci_mc_error"]).mean() > 0.8


def test_blocks_do_not_change_the_answer_beyond_the_draws(reference, monkeypatch) -> None:
    """Drawn in blocks of a few resamples or all at once: the same kind of interval."""
    whole = attr.bootstrap_intervals(reference, ["markov"], n_boot=200, seed=3)["markov"]
    monkeypatch.setattr(attr, "_BLOCK_CELLS", reference.n_paths * 7)
    blocks = attr.bootstrap_intervals(reference, ["markov"], n_boot=200, seed=3)["markov"]
    slack = 5 * np.maximum(whole["ci_mc_error"], blocks["ci_mc_error"]) + 1e-9
    assert (abs(whole["ci_low"] - blocks["ci_low"]) <= slack).all()
    assert (abs(whole["ci_high"] - blocks["ci_high"]) <= slack).all()


# --- the page -----------------------------------------------------------------------------------


def test_the_page_cuts_the_journeys_once_per_view_and_caches_it(cuts) -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    at = open_page("attribution")
    assert len(cuts) == 1  # models, removal effects and transitions from one path table
    widget(at.multiselect, label="Models").set_value(["last_touch", "markov", "time_decay"]).run()
    assert not at.exception
    assert len(cuts) == 2  # time decay needs the weights: one new cut, for everything
    widget(at.selectbox, label="Markov order").set_value(2).run()
    assert len(cuts) == 2  # a new order reuses the view's path table
    widget(at.multiselect, label="Models").set_value(["last_touch", "markov"]).run()
    widget(at.selectbox, label="Markov order").set_value(1).run()
    assert not at.exception
    assert len(cuts) == 2  # both path tables are held: new results, no new cut
    notes = " ".join(m.value for m in at.markdown)
    assert "200 bootstrap resamples" in notes
