"""Exact Shapley values over channel coalitions, with journeys' channel sets as bitmasks.

The worth of a coalition S is what journeys whose channel set is a subset of S achieved
(conversions or revenue), so the values add up to the total. Bitmask counts of a Dataset come
from the engine; a PathTable's from numpy.
"""

from __future__ import annotations

from math import factorial

import numpy as np
import pandas as pd

from journeylib import limits
from journeylib.dataset import Dataset
from journeylib.engine import to_pandas
from journeylib.paths_table import DEFAULT_LOOKBACK, PathTable, journey_touches

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
    """Shapley values of players 0..n-1 from ``v[mask]``, the worth of each coalition mask."""
    masks = np.arange(1 << n)
    size = np.zeros(1 << n, dtype=np.int64)
    for i in range(n):
        size += (masks >> i) & 1
    weight = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)])
    out = np.zeros(n)
    for i in range(n):
        without = masks[(masks >> i) & 1 == 0]
        out[i] = weight[size[without]] @ (v[without | (1 << i)] - v[without])
    return out


def subset_sums(c: np.ndarray, n: int) -> np.ndarray:
    """``v[S] = sum of c[T] over T subset of S`` for every mask S (the zeta transform)."""
    v = c.astype(float).copy()
    for i in range(n):
        grid = v.reshape(-1, 2, 1 << i)
        grid[:, 1, :] += grid[:, 0, :]
    return v


def path_masks(paths: PathTable) -> np.ndarray:
    """The channel-set bitmask of each path of a PathTable (bit i = ``paths.channels[i]``)."""
    channels, codes, lengths = paths.encoded
    check_players(len(channels))
    starts = np.cumsum(lengths) - lengths
    return np.bitwise_or.reduceat(np.left_shift(1, codes), starts).astype(np.int64)


def mask_counts_from_dataset(
    ds: Dataset,
    lookback: str | None = DEFAULT_LOOKBACK,
    *,
    conversion_touch: bool = False,
    collapse_repeats: bool = False,
) -> tuple[list[str], pd.DataFrame]:
    """Journeys per channel set, counted in the engine (two queries: channels, then masks).

    Returns ``(channels, frame)``: bit i of a mask is ``channels[i]``; ``frame`` has ``mask``,
    ``conversions``, ``revenue`` and ``journeys`` per distinct channel set.
    """
    t = journey_touches(
        ds, lookback, conversion_touch=conversion_touch, collapse_repeats=collapse_repeats
    )
    channels = sorted(to_pandas(t.select("channel").distinct())["channel"].tolist())
    check_players(len(channels))
    distinct = t.select("customer_id", "journey", "channel", "converted", "revenue").distinct()
    bits = {c: 1 << i for i, c in enumerate(channels)}
    distinct = distinct.mutate(bit=distinct.channel.substitute(bits, else_=0).cast("int64"))
    per_journey = distinct.group_by(["customer_id", "journey"]).agg(
        mask=distinct.bit.sum(), converted=distinct.converted.max(), revenue=distinct.revenue.max()
    )
    frame = to_pandas(
        per_journey.group_by("mask")
        .agg(
            conversions=per_journey.converted.sum(),
            revenue=per_journey.revenue.sum(),
            journeys=per_journey.count(),
        )
    )
    frame = frame.astype({"mask": np.int64, "conversions": float, "revenue": float})
    return channels, frame.sort_values("mask").reset_index(drop=True)


def credit(masks: np.ndarray, conversions: np.ndarray, value: np.ndarray,
           channels: list[str]) -> pd.DataFrame:
    """Shapley credit of each channel for journeys with channel-set ``masks``.

    Returns ``channel``, ``conversions``, ``revenue``.
    """
    n = len(channels)
    check_players(n)
    out = {"channel": channels}
    for column, amounts in (("conversions", conversions), ("revenue", value)):
        c = np.bincount(masks, weights=amounts, minlength=1 << n)
        out[column] = values_from_worth(subset_sums(c, n), n)
    return pd.DataFrame(out)
