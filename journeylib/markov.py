"""Markov-chain attribution solved exactly: absorbing-chain probabilities by linear algebra.

States are the last ``order`` channels touched (fewer at the start of a journey); every journey
starts in ``(start)`` and ends in ``(conversion)`` or ``(null)``. A channel's removal effect is
the share of the conversion probability lost when every state containing it leads to
``(null)`` instead. Transitions are counted from a PathTable (a Dataset's is cut in the engine
by :func:`journeylib.paths_table.path_table`) with one sparse product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from journeylib import limits
from journeylib.dataset import Dataset
from journeylib.engine import to_pandas
from journeylib.paths_table import DEFAULT_LOOKBACK, PathTable, path_table

MAX_ORDER = 4
START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"


@dataclass
class Chain:
    """Transition counts of a Markov chain over channel states.

    ``states``: tuples of channels (shorter states first, then by channel names); ``start``:
    journeys entering each state first; ``trans``: state -> state counts; ``conv`` / ``null``:
    journeys ending in each state with / without a conversion; ``value``: conversion value of
    journeys ending in each state.
    """

    states: list[tuple[str, ...]]
    start: np.ndarray
    trans: np.ndarray
    conv: np.ndarray
    null: np.ndarray
    value: np.ndarray

    @property
    def channels(self) -> list[str]:
        """Channels in any state, sorted by name."""
        return sorted({c for s in self.states for c in s})

    def probability(self, removed: str | None = None, *, value: bool = False) -> float:
        """Probability of ending in ``(conversion)`` from ``(start)`` (expected conversion value
        per journey with ``value``), with every state containing ``removed`` sent to null."""
        return float(probabilities([self], [removed])[0, 0, int(value)])


# Bound on the cells of the (chains x states x states) systems solved at once.
_SOLVE_CELLS = 2_000_000


def probabilities(chains: Sequence[Chain], removed: Sequence[str | None] = (None,)) -> np.ndarray:
    """For chains over the same states (a chain and its bootstrap resamples): the probability
    of ending in ``(conversion)`` from ``(start)`` and the expected conversion value per journey,
    with every state containing each channel of ``removed`` sent to null (None: nothing
    removed). Returns a (chains x removed x 2) array; the absorbing systems of many chains are
    solved as one batch.

    A state no journey passed through (possible in a resample) has no exits: it absorbs
    nothing, like a removed state (solved as an identity row with nothing to absorb).
    """
    states = chains[0].states
    n = len(states)
    out = np.zeros((len(chains), len(removed), 2))
    if n == 0:
        return out
    dropped = np.array([[r is not None and r in s for s in states] for r in removed], bool)
    step = max(1, _SOLVE_CELLS // (n * n))
    for first in range(0, len(chains), step):
        block = chains[first : first + step]
        trans = np.stack([c.trans for c in block])
        ends = {name: np.stack([getattr(c, name) for c in block])
                for name in ("start", "conv", "null", "value")}
        exits = trans.sum(axis=2) + ends["conv"] + ends["null"]
        safe = np.where(exits > 0, exits, 1.0)
        q = trans / safe[:, :, None]
        rhs = np.stack([ends["conv"], ends["value"]], axis=2) / safe[:, :, None]
        total_start = ends["start"].sum(axis=1)
        for r in range(len(removed)):
            keep = ((exits > 0) & ~dropped[r]).astype(float)
            system = np.eye(n) - q * keep[:, :, None] * keep[:, None, :]
            absorbed = np.linalg.solve(system, rhs * keep[:, :, None])
            reached = np.einsum("bn,bnj->bj", ends["start"], absorbed)
            out[first : first + len(block), r] = np.divide(
                reached, total_start[:, None], out=np.zeros_like(reached),
                where=total_start[:, None] > 0,
            )
    return out


def order_check(order: int) -> None:
    """Raise ValueError unless ``order`` is 1..MAX_ORDER."""
    if not isinstance(order, int) or not 1 <= order <= MAX_ORDER:
        raise ValueError(f"Markov order must be 1 to {MAX_ORDER}, not {order!r}")


def check_size(data: Dataset | PathTable, order: int) -> None:
    """Refuse (:class:`~journeylib.limits.LimitError`, code ``markov_too_large``) a chain of
    ``order`` over ``data`` whose state estimate is above the limit, before any journey is cut:
    a PathTable's channels and touches are at hand, a Dataset's come from one aggregate."""
    order_check(order)
    if isinstance(data, PathTable):
        channels, codes, _ = data.encoded
        limits.check_markov(len(channels), order, len(codes))
        return
    t = data.table.filter(data.table.channel.notnull())
    size = to_pandas(t.aggregate(channels=t.channel.nunique(), touches=t.count())).iloc[0]
    limits.check_markov(int(size["channels"]), order, int(size["touches"]))


def chain_from_paths(paths: PathTable, order: int = 1) -> Chain:
    """Count transitions of a PathTable (each path weighted by its journeys). Raises
    :class:`~journeylib.limits.LimitError` when the state estimate is above the limit."""
    return PathEdges(paths, order).chain(paths.conversions, paths.nulls, paths.value)


class PathEdges:
    """Which transitions each distinct path makes (a sparse path x transition incidence), so
    that the counts for any path weights, or for a whole block of the bootstrap's resamples at
    once, are one sparse matrix product away."""

    def __init__(self, paths: PathTable, order: int) -> None:
        check_size(paths, order)
        channels, codes, lengths = paths.encoded
        base = len(channels) + 1
        starts = np.cumsum(lengths) - lengths
        self.body_path, pos = paths.positions()
        # A state is the last ``order`` channels as digits in base (channels + 1); 0 = none yet.
        key = np.zeros(len(codes), dtype=np.int64)
        for lag in range(order):
            digit = np.zeros(len(codes), dtype=np.int64)
            seen = np.flatnonzero(pos >= lag)
            digit[seen] = codes[seen - lag] + 1
            key += digit * base**lag
        if base**order <= 1 << 24:
            # Small key space: index states by counting, not sorting, ten million touches.
            keys = np.flatnonzero(np.bincount(key, minlength=base**order))
            index = np.zeros(base**order, dtype=np.int64)
            index[keys] = np.arange(len(keys))
            state = index[key]
        else:
            keys, state = np.unique(key, return_inverse=True)
        self.states = [
            tuple(channels[d - 1] for lag in range(order - 1, -1, -1)
                  if (d := int(k // base**lag % base)))
            for k in keys
        ]
        n = len(self.states)
        previous = np.where(pos == 0, n, np.roll(state, 1))
        # Flat index into an (n + 1) x n grid whose last row is (start).
        body_cell = previous * n + state
        # cells x paths: how often each path makes each step. Column major, so a product reads
        # each path's weights once (10x faster than row major), and built as it stands: the
        # touches are already grouped by path (a column may repeat a cell; products add them).
        n_paths = len(lengths)
        self._body = sparse.csc_matrix(
            (np.ones(len(body_cell)), body_cell, np.concatenate([[0], np.cumsum(lengths)])),
            shape=((n + 1) * n, n_paths),
        )
        self._end = sparse.csc_matrix(
            (np.ones(n_paths), state[starts + lengths - 1], np.arange(n_paths + 1)),
            shape=(n, n_paths),
        )

    def chains(self, conversions: np.ndarray, nulls: np.ndarray, value: np.ndarray) -> list[Chain]:
        """One chain per column of the (paths x k) weights: per-path journey counts
        (``conversions`` + ``nulls``) and ``value`` of each of k weightings (a 1-D array is one
        weighting)."""
        n = len(self.states)
        conv, null, val = (np.asarray(w, float).reshape(len(w), -1)
                           for w in (conversions, nulls, value))
        grid = (self._body @ (conv + null)).T.reshape(-1, n + 1, n)
        ends = [(self._end @ w).T for w in (conv, null, val)]
        return [
            Chain(self.states, grid[b, n], grid[b, :n], ends[0][b], ends[1][b], ends[2][b])
            for b in range(grid.shape[0])
        ]

    def chain(self, conversions: np.ndarray, nulls: np.ndarray, value: np.ndarray) -> Chain:
        """The chain for per-path journey counts (``conversions`` + ``nulls``) and ``value``."""
        return self.chains(conversions, nulls, value)[0]


def chain_from_dataset(
    ds: Dataset,
    order: int = 1,
    lookback: str | None = DEFAULT_LOOKBACK,
    *,
    conversion_touch: bool = False,
    collapse_repeats: bool = False,
) -> Chain:
    """Count a Dataset's transitions from its path table (one engine query, see
    :func:`~journeylib.paths_table.path_table`), after :func:`check_size` has counted channels
    and touches."""
    check_size(ds, order)
    paths = path_table(ds, lookback, conversion_touch=conversion_touch,
                       collapse_repeats=collapse_repeats)
    return chain_from_paths(paths, order)


def _state_order(state: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
    return len(state), state


def removal_table(chain: Chain) -> pd.DataFrame:
    """Removal effects of a chain: ``channel``, ``removal_effect`` (share of the conversion
    probability lost without the channel, 0..1), ``value_removal_effect`` (the same for
    expected conversion value), ``conversion_probability_without`` (0..1)."""
    channels = chain.channels
    effect, without = _removal_effects([chain], channels)
    return pd.DataFrame(
        {
            "channel": channels,
            "removal_effect": effect[0, 0],
            "value_removal_effect": effect[0, 1],
            "conversion_probability_without": without[0, :, 0],
        },
        columns=["channel", "removal_effect", "value_removal_effect",
                 "conversion_probability_without"],
    )


def _removal_effects(chains: Sequence[Chain], channels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(effect, without)``: effect (chains x 2 x channels) is the share of the conversion
    probability (index 0) and of the expected value (1) lost without each channel; without
    (chains x channels x 2) the probabilities themselves."""
    p = probabilities(chains, [None, *channels])
    base, without = p[:, :1, :], p[:, 1:, :]
    effect = np.divide(base - without, base, out=np.zeros_like(without), where=base != 0)
    return effect.transpose(0, 2, 1), without


def credit(chain: Chain, conversions: float, value: float) -> pd.DataFrame:
    """Conversions and value per channel: totals split in proportion to removal effects.

    Returns ``channel``, ``conversions``, ``revenue``.
    """
    conv, rev = credits([chain], np.array([conversions]), np.array([value]), chain.channels)
    return pd.DataFrame({"channel": chain.channels, "conversions": conv[0], "revenue": rev[0]})


def credits(
    chains: Sequence[Chain], conversions: np.ndarray, value: np.ndarray, channels: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`credit` of many chains over the same states at once (a chain's bootstrap
    resamples): totals ``conversions`` and ``value`` (one per chain) split in proportion to
    the removal effects of ``channels`` (a channel in no state gets 0). Returns
    ``(conversions, revenue)``, each (chains x channels)."""
    effect, _ = _removal_effects(chains, channels)
    totals = np.stack([np.asarray(conversions, float), np.asarray(value, float)], axis=1)
    sums = effect.sum(axis=2, keepdims=True)
    shares = np.divide(effect, sums, out=np.zeros_like(effect), where=sums > 0)
    credited = shares * totals[:, :, None]
    return credited[:, 0], credited[:, 1]


def matrix_table(chain: Chain) -> pd.DataFrame:
    """Transitions in long form: ``from_state``, ``to_state`` (states as ``"a > b"``, plus
    ``(start)``, ``(conversion)``, ``(null)``), ``transitions`` (journeys making the step) and
    ``probability`` (share of the from-state's exits, 0..1). Steps never made are left out."""
    labels = [" > ".join(s) for s in chain.states]
    records = []
    exits = chain.trans.sum(axis=1) + chain.conv + chain.null
    total_start = chain.start.sum()
    for j, label in enumerate(labels):
        if chain.start[j]:
            records.append((START, label, chain.start[j], chain.start[j] / total_start))
    for i, label in enumerate(labels):
        for j in np.flatnonzero(chain.trans[i]):
            records.append((label, labels[j], chain.trans[i, j], chain.trans[i, j] / exits[i]))
        for end, counts in ((CONVERSION, chain.conv), (NULL, chain.null)):
            if counts[i]:
                records.append((label, end, counts[i], counts[i] / exits[i]))
    return pd.DataFrame.from_records(
        records, columns=["from_state", "to_state", "transitions", "probability"]
    )
