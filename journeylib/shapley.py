"""Exact Shapley values over channel coalitions, with journeys' channel sets as bitmasks.

The worth of a coalition S is what journeys whose channel set is a subset of S achieved
(conversions or revenue), so the values add up to the total. Bitmasks come from a PathTable
(a Dataset's is cut in the engine by :func:`journeylib.paths_table.path_table`).
"""

from __future__ import annotations

from math import factorial

import numpy as np
import pandas as pd
from scipy import sparse

from journeylib import limits
from journeylib.paths_table import PathTable

MAX_SHAPLEY_CHANNELS = limits.MAX_SHAPLEY_CHANNELS


def check_players(n: int) -> None:
    """Raise :class:`~journeylib.limits.LimitError` (code ``too_many_shapley_channels``) above
    the Shapley channel limit, before any of the 2^n coalitions is built."""
    limits.check(limits.SHAPLEY_CHANNELS, n)


def shapley_values(worth: dict[frozenset[str], float]) -> dict[str, float]:
    """Exact Shapley values of a cooperative game.

    ``worth`` maps coalitions (frozensets of player names) to their worth; coalitions not given
    are worth 0, as is the empty one. Players are every name in any coalition. Returns
    player -> value, with the standard weights |S|!(n-|S|-1)!/n!; the values sum to the worth
    of the grand coalition. Raises :class:`~journeylib.limits.LimitError` above the
    Shapley channel limit (15 by default).
    """
    players = sorted({p for coalition in worth for p in coalition})
    check_players(len(players))
    bit = {p: 1 << i for i, p in enumerate(players)}
    v = np.zeros(1 << len(players))
    for coalition, value in worth.items():
        v[sum(bit[p] for p in coalition)] = float(value)
    v[0] = 0.0
    return dict(zip(players, values_from_worth(v, len(players)).tolist(), strict=True))


def values_from_worth(v: np.ndarray, n: int) -> np.ndarray:
    """Shapley values of players 0..n-1 from ``v[..., mask]``, the worth of each coalition mask
    (leading axes, e.g. bootstrap resamples, are kept: the result is ``(..., n)``)."""
    masks = np.arange(1 << n)
    size = np.zeros(1 << n, dtype=np.int64)
    for i in range(n):
        size += (masks >> i) & 1
    weight = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)])
    out = np.zeros((*v.shape[:-1], n))
    for i in range(n):
        without = masks[(masks >> i) & 1 == 0]
        out[..., i] = (v[..., without | (1 << i)] - v[..., without]) @ weight[size[without]]
    return out


def subset_sums(c: np.ndarray, n: int) -> np.ndarray:
    """``v[..., S] = sum of c[..., T] over T subset of S`` for every mask S (the zeta
    transform, along the last axis)."""
    v = np.array(c, dtype=float, order="C", copy=True)
    for i in range(n):
        grid = v.reshape(*v.shape[:-1], -1, 2, 1 << i)
        grid[..., 1, :] += grid[..., 0, :]
    return v


def path_masks(paths: PathTable) -> np.ndarray:
    """The channel-set bitmask of each path of a PathTable (bit i = ``paths.channels[i]``)."""
    channels, codes, lengths = paths.encoded
    check_players(len(channels))
    starts = np.cumsum(lengths) - lengths
    return np.bitwise_or.reduceat(np.left_shift(1, codes), starts).astype(np.int64)


def credit(masks: np.ndarray, conversions: np.ndarray, value: np.ndarray,
           channels: list[str]) -> pd.DataFrame:
    """Shapley credit of each channel for journeys with channel-set ``masks``.

    Returns ``channel``, ``conversions``, ``revenue``.
    """
    conv, rev = credits(masks, conversions, value, len(channels))
    return pd.DataFrame({"channel": channels, "conversions": conv[0], "revenue": rev[0]})


def credits(masks: np.ndarray, conversions: np.ndarray, value: np.ndarray,
            n: int) -> tuple[np.ndarray, np.ndarray]:
    """Shapley credit of players 0..n-1 for k weightings of the paths at once: ``conversions``
    and ``value`` are (paths x k) (or 1-D for one), ``masks`` the paths' channel sets. Returns
    ``(conversions, revenue)``, each (k x n). See :class:`PathCoalitions`."""
    return PathCoalitions(masks, n).credits(conversions, value)


class PathCoalitions:
    """The paths' channel sets as a sparse (channel set x path) incidence, so that the
    coalition worths of any path weights, or of a block of bootstrap resamples at once, are
    one sparse product away."""

    def __init__(self, masks: np.ndarray, n: int) -> None:
        check_players(n)
        self.n = n
        self.present, index = np.unique(masks, return_inverse=True)
        # Column major, one entry per path: built as it stands.
        self._incidence = sparse.csc_matrix(
            (np.ones(len(masks)), index, np.arange(len(masks) + 1)),
            shape=(len(self.present), len(masks)),
        )

    def credits(self, conversions: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Shapley credit of each player for (paths x k) weightings ``conversions`` and
        ``value`` (1-D: one). Returns ``(conversions, revenue)``, each (k x n)."""
        out = []
        for amounts in (conversions, value):
            amounts = np.asarray(amounts, float).reshape(self._incidence.shape[1], -1)
            c = np.zeros((amounts.shape[1], 1 << self.n))
            c[:, self.present] = (self._incidence @ amounts).T
            out.append(values_from_worth(subset_sums(c, self.n), self.n))
        return out[0], out[1]
