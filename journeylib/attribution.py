"""Channel attribution: every heuristic model, exact Markov chains and Shapley, side by side.

``attribution(data, models)`` takes a :class:`~journeylib.dataset.Dataset` or a
:class:`~journeylib.paths_table.PathTable`, and returns one tidy frame: conversions and revenue
credited to each channel by each model, with bootstrap intervals for the data-driven ones.

Every model is computed from one path table: a Dataset's journeys are cut once, in the engine
(:func:`journeylib.paths_table.path_table`, time-decay weights included when asked), and
everything else is numpy over the distinct paths. A caller showing several analyses of one
view (attribution, removal effects, transitions) cuts the path table once and passes it to
each function.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from journeylib import markov, shapley
from journeylib.dataset import Dataset
from journeylib.durations import duration_seconds
from journeylib.engine import to_pandas
from journeylib.i18n import label, t
from journeylib.paths_table import DEFAULT_LOOKBACK, PathTable, journey_touches, path_table

# Resamples' Poisson weights are drawn in blocks of at most this many (resample, path) cells,
# so memory stays bounded on a million distinct paths.
_BLOCK_CELLS = 4_000_000

HEURISTIC_MODELS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "position_based",
    "time_decay",
    "participation",
)
DATA_DRIVEN_MODELS = ("markov", "shapley")
# Model names are codes in results and links; journeylib.i18n.label(model) is the name people
# read and model_note(model) what the model means.
ALL = HEURISTIC_MODELS + DATA_DRIVEN_MODELS
DIRECT_CHANNELS = ("direct", "(direct)", "direct traffic", "typed/bookmarked")
COLUMNS = [
    "model", "channel", "conversions", "revenue", "share", "ci_low", "ci_high",
    "revenue_ci_low", "revenue_ci_high", "ci_mc_error", "revenue_ci_mc_error",
]


def model_note(model: str) -> str:
    """What the attribution model ``model`` (a name from :data:`ALL`) means, in one or two
    sentences in the current language."""
    if model not in ALL:
        raise ValueError(f"unknown model {model!r}; choose from {', '.join(ALL)}")
    return t(f"attribution.notes.{model}")


def attribution(
    data: Dataset | PathTable,
    models: Sequence[str] = ALL,
    *,
    lookback: str | None = DEFAULT_LOOKBACK,
    order: int = 1,
    position_weights: tuple[float, float] = (0.4, 0.4),
    half_life: str = "7d",
    direct: Sequence[str] = DIRECT_CHANNELS,
    conversion_touch: bool = False,
    collapse_repeats: bool = False,
    n_boot: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Conversions and revenue credited to each channel by each model.

    ``models``: names from :data:`ALL`. ``lookback``, ``conversion_touch`` and
    ``collapse_repeats`` say how a Dataset's journeys are cut (see
    :func:`~journeylib.paths_table.journey_touches`; ignored for a PathTable except
    ``collapse_repeats``). ``order``: Markov order 1..4. ``position_weights``: (first, last)
    shares of position_based, the middle touches share the rest. ``half_life``: time_decay's
    half-life (weight 2^(-t/half_life), t the time from touch to conversion; needs timestamps:
    a PathTable has them only when :func:`~journeylib.paths_table.path_table` was given the
    same ``half_life``). ``direct``: channel names last_non_direct skips (case is ignored).
    ``n_boot``: bootstrap resamples for the markov and shapley intervals (0 for none), seeded
    by ``seed`` (see :func:`bootstrap_intervals`).

    Returns one row per model and channel: ``model``, ``channel``, ``conversions`` (credited,
    may be fractional), ``revenue`` (credited conversion value), ``share`` (of all conversions,
    0..1; per model these sum to 1 except for participation, which is reach), ``ci_low`` /
    ``ci_high`` and ``revenue_ci_low`` / ``revenue_ci_high`` (percentile bootstrap interval at
    ``confidence``; NaN for models without one), ``ci_mc_error`` / ``revenue_ci_mc_error``
    (the Monte Carlo standard error of those endpoints from using ``n_boot`` resamples, the
    larger of the two ends; NaN without an interval).

    Raises :class:`~journeylib.limits.LimitError` before the work when Markov's state estimate
    (channels and ``order``) or Shapley's channel count is above its limit.
    """
    unknown = [m for m in models if m not in ALL]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(ALL)}")
    markov.order_check(order)
    if "markov" in models:
        markov.check_size(data, order)  # from the channel count, before any journey is cut
    paths = _paths(data, lookback, conversion_touch, collapse_repeats,
                   half_life if "time_decay" in models else None)
    if "shapley" in models:
        shapley.check_players(len(paths.channels))  # before the Markov counts and resamples
    total, total_value = paths.total_conversions, float(paths.value.sum())
    edges = markov.PathEdges(paths, order) if "markov" in models else None
    driven = [m for m in models if m in DATA_DRIVEN_MODELS]
    intervals = (
        bootstrap_intervals(paths, driven, order, n_boot, confidence, seed, edges=edges)
        if driven and n_boot > 0 else {}
    )
    frames = []
    for model in models:
        if model == "time_decay":
            credited = _time_decay(paths)
        elif model == "markov":
            chain = edges.chain(paths.conversions, paths.nulls, paths.value)
            credited = markov.credit(chain, total, total_value)
        elif model == "shapley":
            credited = shapley.credit(shapley.path_masks(paths), paths.conversions,
                                      paths.value, paths.channels)
        else:
            credited = heuristic_credit(paths, model, position_weights, direct)
        credited.insert(0, "model", model)
        credited["share"] = credited["conversions"] / total if total else 0.0
        if model in intervals:
            credited = credited.merge(intervals[model], on="channel", how="left")
        frames.append(credited)
    out = pd.concat(frames, ignore_index=True).reindex(columns=COLUMNS)
    return out.astype({c: float for c in COLUMNS[2:]})


def removal_effects(
    data: Dataset | PathTable,
    order: int = 1,
    *,
    lookback: str | None = DEFAULT_LOOKBACK,
    conversion_touch: bool = False,
    collapse_repeats: bool = False,
) -> pd.DataFrame:
    """Markov removal effects, solved exactly.

    Returns one row per channel: ``channel``, ``removal_effect`` (share of the conversion
    probability lost when the channel is removed, 0..1), ``value_removal_effect`` (the same for
    expected revenue) and ``conversion_probability_without`` (0..1); sorted by removal effect.
    """
    chain = _chain(data, order, lookback, conversion_touch, collapse_repeats)
    return markov.removal_table(chain).sort_values("removal_effect", ascending=False,
                                                  ignore_index=True)


def conversion_probability(
    data: Dataset | PathTable,
    order: int = 1,
    *,
    lookback: str | None = DEFAULT_LOOKBACK,
    conversion_touch: bool = False,
    collapse_repeats: bool = False,
) -> float:
    """Probability (0..1) that a journey ends in a conversion under the Markov chain."""
    return _chain(data, order, lookback, conversion_touch, collapse_repeats).probability()


def transition_matrix(
    data: Dataset | PathTable,
    order: int = 1,
    *,
    lookback: str | None = DEFAULT_LOOKBACK,
    conversion_touch: bool = False,
    collapse_repeats: bool = False,
) -> pd.DataFrame:
    """The Markov chain's observed steps: ``from_state``, ``to_state`` (``"a > b"`` for higher
    orders; ``(start)``, ``(conversion)``, ``(null)``), ``transitions`` (journeys making the
    step) and ``probability`` (share of the from-state's exits, 0..1)."""
    return markov.matrix_table(_chain(data, order, lookback, conversion_touch, collapse_repeats))


def heuristic_credit(
    paths: PathTable,
    model: str,
    position_weights: tuple[float, float] = (0.4, 0.4),
    direct: Sequence[str] = DIRECT_CHANNELS,
) -> pd.DataFrame:
    """Credit of a position-based heuristic model (every model of :data:`HEURISTIC_MODELS`
    except time_decay) from paths. Returns ``channel``, ``conversions``, ``revenue``."""
    channels, touch, lengths = paths.encoded
    path_idx, pos = paths.positions()
    n = lengths[path_idx]
    weight = _heuristic_weights(model, touch, pos, n, path_idx, channels, position_weights, direct)
    conversions = paths.conversions[path_idx]
    value = paths.value[path_idx]
    size = len(channels)
    return pd.DataFrame(
        {
            "channel": channels,
            "conversions": np.bincount(touch, weights=weight * conversions, minlength=size),
            "revenue": np.bincount(touch, weights=weight * value, minlength=size),
        }
    )


def describe_disagreement(result: pd.DataFrame, data_driven: str | None = None) -> str:
    """One sentence naming the channels whose share of conversions moves most between last
    touch and a data-driven model (``data_driven``, default markov, else shapley), from the
    output of :func:`attribution`."""
    models = set(result["model"])
    if data_driven is None:
        data_driven = next((m for m in DATA_DRIVEN_MODELS if m in models), None)
    if "last_touch" not in models or data_driven not in models:
        return t("attribution.describe.pick_models")
    shares = result.pivot_table(index="channel", columns="model", values="share", aggfunc="sum")
    move = (shares[data_driven] - shares["last_touch"]).sort_values()
    loser, winner = move.index[0], move.index[-1]
    name = label(data_driven)
    if abs(move.iloc[0]) < 0.02 and abs(move.iloc[-1]) < 0.02:
        return t("attribution.describe.models_agree", model=name)
    return t(
        "attribution.describe.models_disagree",
        model=name,
        loser=loser,
        winner=winner,
        loser_last=float(shares.at[loser, "last_touch"]),
        loser_model=float(shares.at[loser, data_driven]),
        winner_last=float(shares.at[winner, "last_touch"]),
        winner_model=float(shares.at[winner, data_driven]),
    )


def describe_intervals(result: pd.DataFrame, n_boot: int = 200) -> str:
    """One sentence on how the intervals of :func:`attribution`'s output were made (``n_boot``
    bootstrap resamples) and their largest Monte Carlo error in conversions; "" when no row
    has an interval."""
    errors = result["ci_mc_error"].dropna() if "ci_mc_error" in result else pd.Series()
    if errors.empty:
        return ""
    return t("attribution.describe.intervals", n=n_boot, error=float(errors.max()))


def describe_removal_effects(effects: pd.DataFrame) -> str:
    """One sentence on the largest removal effect, from :func:`removal_effects`."""
    if effects.empty:
        return t("attribution.describe.no_channels")
    top = effects.sort_values("removal_effect", ascending=False).iloc[0]
    return t(
        "attribution.describe.removal_effect",
        channel=top["channel"],
        effect=float(top["removal_effect"]),
    )


def describe_transitions(matrix: pd.DataFrame) -> str:
    """One sentence on the most travelled step between channels, from
    :func:`transition_matrix`."""
    ends = {markov.START, markov.CONVERSION, markov.NULL}
    steps = matrix[~matrix["from_state"].isin(ends) & ~matrix["to_state"].isin(ends)]
    if steps.empty:
        return t("attribution.describe.no_steps")
    top = steps.sort_values("transitions", ascending=False).iloc[0]
    return t(
        "attribution.describe.top_step",
        first=top["from_state"],
        second=top["to_state"],
        n=round(float(top["transitions"])),
        share=float(top["probability"]),
    )


def _heuristic_weights(
    model: str,
    touch: np.ndarray,
    pos: np.ndarray,
    n: np.ndarray,
    path_idx: np.ndarray,
    channels: list[str],
    position_weights: tuple[float, float],
    direct: Sequence[str],
) -> np.ndarray:
    first, last = pos == 0, pos == n - 1
    if model == "first_touch":
        return first.astype(float)
    if model == "last_touch":
        return last.astype(float)
    if model == "linear":
        return 1.0 / n
    if model == "position_based":
        w_first, w_last = position_weights
        if w_first < 0 or w_last < 0 or w_first + w_last > 1:
            raise ValueError("position weights must be >= 0 and sum to at most 1")
        middle = (1.0 - w_first - w_last) / np.maximum(n - 2, 1)
        weight = np.where(first, w_first, np.where(last, w_last, middle))
        # Two touches split the conversion in the first:last ratio; one touch takes it all.
        two = w_first / (w_first + w_last) if w_first + w_last else 0.5
        weight = np.where(n == 2, np.where(first, two, 1.0 - two), weight)
        return np.where(n == 1, 1.0, weight)
    if model == "last_non_direct":
        skip = {d.lower() for d in direct}
        is_direct = np.array([c.lower() in skip for c in channels])[touch]
        last_other = np.full(path_idx.max() + 1 if len(path_idx) else 0, -1)
        np.maximum.at(last_other, path_idx, np.where(is_direct, -1, pos))
        mark = last_other[path_idx]
        return np.where(mark >= 0, pos == mark, last).astype(float)
    if model == "participation":
        pairs = path_idx * len(channels) + touch
        _, first_seen = np.unique(pairs, return_index=True)
        weight = np.zeros(len(touch))
        weight[first_seen] = 1.0
        return weight
    raise ValueError(f"{model} is not a path-based heuristic model")


def _time_decay(paths: PathTable) -> pd.DataFrame:
    """Time-decay credit from a path table's per-touch decay weights."""
    size = len(paths.channels)
    return pd.DataFrame(
        {
            "channel": paths.channels,
            "conversions": np.bincount(paths.codes, weights=paths.decay, minlength=size),
            "revenue": np.bincount(paths.codes, weights=paths.decay_value, minlength=size),
        }
    )


def _paths(
    data: Dataset | PathTable,
    lookback: str | None,
    conversion_touch: bool,
    collapse_repeats: bool,
    half_life: str | None = None,
) -> PathTable:
    """The one path table every model of a call is computed from: a Dataset's journeys cut
    once in the engine (with time-decay weights when ``half_life`` is given), or the
    PathTable given (repeats merged with ``collapse_repeats``)."""
    if isinstance(data, Dataset):
        return path_table(data, lookback, conversion_touch=conversion_touch,
                          collapse_repeats=collapse_repeats, half_life=half_life)
    if half_life is not None:
        if data.decay is None:
            raise ValueError("time_decay needs touch timestamps, which a path table does not "
                             "have unless path_table() was given a half_life")
        if duration_seconds(data.half_life) != duration_seconds(half_life):
            raise ValueError(f"this path table's time-decay weights have a half-life of "
                             f"{data.half_life}, not {half_life}")
    return data.without_repeats() if collapse_repeats else data


def bootstrap_intervals(
    paths: PathTable,
    models: Sequence[str] = DATA_DRIVEN_MODELS,
    order: int = 1,
    n_boot: int = 200,
    confidence: float = 0.95,
    seed: int = 0,
    *,
    edges: markov.PathEdges | None = None,
) -> dict[str, pd.DataFrame]:
    """Percentile bootstrap intervals of the data-driven models in ``models`` (markov of
    ``order``, shapley) from ``n_boot`` resamples of the journeys.

    The Poisson bootstrap over distinct paths: in each resample every path's conversions and
    nulls are redrawn as Poisson counts with the observed counts as means (its value scaled
    with its conversions), which resamples the journeys without touching them. The weights are
    drawn as one (resamples x paths) matrix, in blocks of bounded size, and each model is
    evaluated from weighted aggregates: Markov's transition counts for every resample of a
    block are one sparse product of the weights with the paths' transition incidence, and
    Shapley's coalition worths one sparse product with the paths' channel-set incidence. The
    models share the resamples, so each one's interval is what it would be alone with this
    ``seed``; the same seed gives the same intervals. ``edges``: the paths' transitions for
    ``order`` when already at hand.

    Returns model -> ``channel``, ``ci_low``, ``ci_high``, ``revenue_ci_low``,
    ``revenue_ci_high``, ``ci_mc_error``, ``revenue_ci_mc_error`` (Monte Carlo standard error
    of the interval's endpoints from using ``n_boot`` resamples, the larger of the two, from
    the order statistics around each percentile).
    """
    channels = paths.channels
    if "markov" in models and edges is None:
        edges = markov.PathEdges(paths, order)
    coalitions = (shapley.PathCoalitions(shapley.path_masks(paths), len(channels))
                  if "shapley" in models else None)
    per_conversion = np.divide(paths.value, paths.conversions,
                               out=np.zeros_like(paths.value), where=paths.conversions > 0)
    draws = {model: np.zeros((n_boot, 2, len(channels))) for model in models}
    rng = np.random.default_rng(seed)
    block = max(1, min(n_boot, _BLOCK_CELLS // max(paths.n_paths, 1)))
    draw_conversions, draw_nulls = poisson_sampler(paths.conversions), poisson_sampler(paths.nulls)
    for first in range(0, n_boot, block):
        rows = min(block, n_boot - first)
        # (paths x rows): each column a resample's counts per path.
        conv_b = draw_conversions(rng, rows)
        null_b = draw_nulls(rng, rows)
        value_b = conv_b * per_conversion[:, None]
        done = slice(first, first + rows)
        for model in models:
            if model == "markov":
                conv_credit, value_credit = markov.credits(
                    edges.chains(conv_b, null_b, value_b), conv_b.sum(axis=0),
                    value_b.sum(axis=0), channels,
                )
            else:
                conv_credit, value_credit = coalitions.credits(conv_b, value_b)
            draws[model][done, 0] = conv_credit
            draws[model][done, 1] = value_credit
    tail = (1.0 - confidence) / 2 * 100
    out = {}
    for model, drawn in draws.items():
        low, high = np.percentile(drawn, [tail, 100 - tail], axis=0)
        error = np.maximum(_percentile_error(drawn, tail), _percentile_error(drawn, 100 - tail))
        out[model] = pd.DataFrame(
            {
                "channel": channels,
                "ci_low": low[0],
                "ci_high": high[0],
                "revenue_ci_low": low[1],
                "revenue_ci_high": high[1],
                "ci_mc_error": error[0],
                "revenue_ci_mc_error": error[1],
            }
        )
    return out


def poisson_weights(rng: np.random.Generator, mean: np.ndarray, rows: int) -> np.ndarray:
    """A (len(mean) x rows) matrix of independent Poisson draws, row i with mean ``mean[i]``.

    Means that are small whole numbers (the usual journey counts of a path) are drawn exactly
    by inverting the Poisson distribution function on uniforms through a lookup table (a
    uniform whose table cell straddles a step of the distribution function is looked up
    exactly), several times faster than numpy's Poisson sampler on a million paths; other
    means use that sampler. Deterministic for a given ``rng`` state. See
    :func:`poisson_sampler` to draw many blocks for the same means.
    """
    return poisson_sampler(mean)(rng, rows)


def poisson_sampler(mean: np.ndarray):
    """:func:`poisson_weights` for fixed ``mean``: the rows grouped by mean once, returning a
    function ``(rng, rows) -> (len(mean) x rows) draws``."""
    mean = np.asarray(mean, float)
    whole = (mean == np.round(mean)) & (mean >= 1) & (mean <= _TABLE_MEANS)
    values, inverse = np.unique(mean[whole], return_inverse=True)
    rows_of = np.flatnonzero(whole)
    order = np.argsort(inverse, kind="stable")
    bounds = np.cumsum(np.bincount(inverse, minlength=len(values)))[:-1]
    groups = np.split(rows_of[order], bounds) if len(values) else []
    other = np.flatnonzero(~whole & (mean > 0))

    def draw(rng: np.random.Generator, rows: int) -> np.ndarray:
        out = np.zeros((len(mean), rows))
        for lam, idx in zip(values, groups, strict=True):
            cdf, table, straddles = _poisson_table(float(lam))
            u = rng.random((len(idx), rows))
            cell = (u * _TABLE_CELLS).astype(np.int64)
            drawn = table[cell]
            exact = straddles[cell]
            drawn[exact] = np.searchsorted(cdf, u[exact], side="right")
            out[idx] = drawn
        if len(other):
            out[other] = rng.poisson(mean[other][:, None], size=(len(other), rows))
        return out

    return draw


_TABLE_MEANS = 30
_TABLE_CELLS = 1 << 16


@functools.lru_cache(maxsize=_TABLE_MEANS)
def _poisson_table(lam: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson(``lam``)'s distribution function (up to where its tail is below 1e-17), the
    draw for each of :data:`_TABLE_CELLS` equal cells of [0, 1), and which cells straddle a
    step (their uniforms need an exact look-up)."""
    k = np.arange(int(lam + 12 * np.sqrt(lam) + 20))
    cdf = np.cumsum(np.exp(k * np.log(lam) - lam - np.cumsum(np.log(np.maximum(k, 1)))))
    edges = np.arange(_TABLE_CELLS + 1) / _TABLE_CELLS
    low = np.searchsorted(cdf, edges[:-1], side="right")
    high = np.searchsorted(cdf, edges[1:], side="left")
    return cdf, low.astype(float), low != high


def _percentile_error(drawn: np.ndarray, q: float) -> np.ndarray:
    """Monte Carlo standard error of the ``q``-th percentile (0..100) of ``drawn`` along its
    first axis: half the spread between the order statistics one binomial standard deviation
    either side of the percentile's rank (distribution-free)."""
    n = drawn.shape[0]
    p = q / 100.0
    spread = np.sqrt(n * p * (1.0 - p))
    rank = p * (n - 1)
    low = int(np.clip(np.floor(rank - spread), 0, n - 1))
    high = int(np.clip(np.ceil(rank + spread), 0, n - 1))
    ordered = np.sort(drawn, axis=0)
    return (ordered[high] - ordered[low]) / 2.0


def _chain(
    data: Dataset | PathTable,
    order: int,
    lookback: str | None,
    conversion_touch: bool,
    collapse_repeats: bool,
) -> markov.Chain:
    markov.check_size(data, order)  # before any journey is cut
    return markov.chain_from_paths(_paths(data, lookback, conversion_touch, collapse_repeats),
                                   order)


def channel_reach(
    data: Dataset | PathTable,
    *,
    lookback: str | None = DEFAULT_LOOKBACK,
    conversion_touch: bool = False,
) -> pd.DataFrame:
    """How many journeys each channel reached, to read credit per journey.

    Returns one row per channel: ``channel``, ``journeys`` (journeys with at least one touch of
    the channel), ``converting_journeys`` (of those, journeys that converted) and ``touches``;
    sorted by channel.
    """
    if isinstance(data, PathTable):
        path_idx, _ = data.positions()
        journeys = (data.conversions + data.nulls)[path_idx]
        size = len(data.channels)
        pair = path_idx * size + data.codes
        _, first = np.unique(pair, return_index=True)
        return pd.DataFrame(
            {
                "channel": data.channels,
                "journeys": np.bincount(data.codes[first], journeys[first], size),
                "converting_journeys": np.bincount(
                    data.codes[first], data.conversions[path_idx][first], size
                ),
                "touches": np.bincount(data.codes, journeys, size),
            }
        )
    t = journey_touches(data, lookback, conversion_touch=conversion_touch)
    per = t.group_by(["customer_id", "journey", "channel"]).agg(
        touches=t.count(), converted=t.converted.max()
    )
    out = to_pandas(
        per.group_by("channel")
        .agg(journeys=per.count(), converting_journeys=per.converted.sum(),
             touches=per.touches.sum())
    )
    return out.astype({c: float for c in out.columns[1:]}).sort_values(
        "channel", ignore_index=True
    )


def by_channel(result: pd.DataFrame, measure: str = "conversions") -> pd.DataFrame:
    """The output of :func:`attribution` as one row per channel and the models side by side
    (the table analysts compare models in).

    ``measure``: ``"conversions"`` or ``"revenue"``. Returns ``channel``, then for each model
    of ``result`` (in its order) ``<model>`` (the channel's credit: conversions, or revenue in
    the data's unit), ``<model>_low`` and ``<model>_high`` (its 95% bootstrap interval; NaN
    for the heuristic models, which have none). Channels are ordered by the first
    data-driven model's credit (else the first model's), largest first.
    """
    if measure not in ("conversions", "revenue"):
        raise ValueError(f"measure must be 'conversions' or 'revenue', not {measure!r}")
    low, high = ("ci_low", "ci_high") if measure == "conversions" else (
        "revenue_ci_low", "revenue_ci_high")
    models = list(dict.fromkeys(result["model"]))
    channels = list(dict.fromkeys(result["channel"]))
    out = pd.DataFrame({"channel": channels})
    for model in models:
        part = result[result["model"] == model].set_index("channel")
        for column, source in ((model, measure), (f"{model}_low", low), (f"{model}_high", high)):
            values = part[source] if source in part.columns else pd.Series(dtype=float)
            out[column] = [float(values.get(c, np.nan)) for c in channels]
    driven = [m for m in models if m in ("markov", "shapley")] or models[:1]
    if driven:
        out = out.sort_values(driven[0], ascending=False, kind="stable", ignore_index=True)
    return out
