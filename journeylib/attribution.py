"""Channel attribution: every heuristic model, exact Markov chains and Shapley, side by side.

``attribution(data, models)`` takes a :class:`~journeylib.dataset.Dataset` (journeys are cut in
the engine, see :func:`journeylib.paths_table.journey_touches`) or a
:class:`~journeylib.paths_table.PathTable`, and returns one tidy frame: conversions and revenue
credited to each channel by each model, with bootstrap intervals for the data-driven ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import numpy as np
import pandas as pd

from journeylib import markov, shapley
from journeylib.dataset import Dataset
from journeylib.durations import duration_seconds
from journeylib.engine import to_pandas
from journeylib.i18n import label, t
from journeylib.paths_table import DEFAULT_LOOKBACK, PathTable, journey_touches, path_table

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
    "revenue_ci_low", "revenue_ci_high",
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
    half-life (weight 2^(-t/half_life), t the time from touch to conversion; needs timestamps,
    so not available for a PathTable). ``direct``: channel names last_non_direct skips (case
    is ignored). ``n_boot``: bootstrap resamples of journeys for the markov and shapley
    intervals (0 for none), seeded by ``seed``.

    Returns one row per model and channel: ``model``, ``channel``, ``conversions`` (credited,
    may be fractional), ``revenue`` (credited conversion value), ``share`` (of all conversions,
    0..1; per model these sum to 1 except for participation, which is reach), ``ci_low`` /
    ``ci_high`` and ``revenue_ci_low`` / ``revenue_ci_high`` (percentile bootstrap interval at
    ``confidence``; NaN for models without one).

    Raises :class:`~journeylib.limits.LimitError` before the work when Markov's state estimate
    (channels and ``order``) or Shapley's channel count is above its limit.
    """
    unknown = [m for m in models if m not in ALL]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(ALL)}")
    if isinstance(data, PathTable) and "time_decay" in models:
        raise ValueError("time_decay needs touch timestamps, which a path table does not have")
    markov.order_check(order)
    if "markov" in models:
        markov.check_size(data, order)  # from the channel count, before any journey is cut
    cut = {"conversion_touch": conversion_touch, "collapse_repeats": collapse_repeats}
    paths = None
    if isinstance(data, PathTable):
        paths = data.without_repeats() if collapse_repeats else data
    elif _needs_paths(models, n_boot):
        paths = path_table(data, lookback, **cut)
    if paths is not None and "shapley" in models:
        shapley.check_players(len(paths.channels))  # before the Markov counts and resamples
    total, total_value = _totals(data, paths, lookback, cut)
    # With the path table at hand, the data-driven models count from it in numpy rather than
    # cutting the journeys again in the engine (on 10M touchpoints each cut took 7-15 s).
    edges = markov.PathEdges(paths, order) if paths is not None and "markov" in models else None
    driven = [m for m in models if m in DATA_DRIVEN_MODELS]
    intervals = (
        _bootstrap(paths, driven, edges, n_boot, confidence, seed)
        if paths is not None and driven and n_boot > 0 else {}
    )

    frames = []
    for model in models:
        if model == "time_decay":
            credited = _time_decay(data, lookback, half_life, cut)
        elif model == "markov":
            chain = (
                edges.chain(paths.conversions, paths.nulls, paths.value)
                if edges is not None
                else markov.chain_from_dataset(data, order, lookback, **cut)
            )
            credited = markov.credit(chain, total, total_value)
        elif model == "shapley":
            credited = _shapley(data, paths, lookback, cut)
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


def _time_decay(
    data: Dataset | PathTable, lookback: str | None, half_life: str, cut: dict
) -> pd.DataFrame:
    """Time-decay credit, computed in the engine (one query)."""
    hours = duration_seconds(half_life) / 3600.0
    t = journey_touches(data, lookback, **cut)
    t = t.filter(t.converted == 1)
    t = t.mutate(w=(ibis.literal(2.0) ** (-t.hours_before_end / hours)))
    t = t.mutate(w=t.w / t.w.sum().over(ibis.window(group_by=["customer_id", "journey"])))
    out = to_pandas(
        t.group_by("channel")
        .agg(conversions=t.w.sum(), revenue=(t.w * t.revenue).sum())
    )
    channels = _paths_channels(data, lookback, cut)
    out = pd.DataFrame({"channel": channels}).merge(out, on="channel", how="left")
    return out.fillna({"conversions": 0.0, "revenue": 0.0})


def _paths_channels(data: Dataset, lookback: str | None, cut: dict) -> list[str]:
    t = journey_touches(data, lookback, **cut)
    return sorted(to_pandas(t.select("channel").distinct())["channel"].tolist())


def _shapley(
    data: Dataset | PathTable, paths: PathTable | None, lookback: str | None, cut: dict
) -> pd.DataFrame:
    if paths is None:
        channels, counts = shapley.mask_counts_from_dataset(data, lookback, **cut)
        masks = counts["mask"].to_numpy(np.int64)
        return shapley.credit(
            masks, counts["conversions"].to_numpy(), counts["revenue"].to_numpy(), channels
        )
    channels = paths.channels
    return shapley.credit(
        shapley.path_masks(paths),
        paths.conversions,
        paths.value,
        channels,
    )


def _bootstrap(
    paths: PathTable, models: Sequence[str], edges: markov.PathEdges | None, n_boot: int,
    confidence: float, seed: int,
) -> dict[str, pd.DataFrame]:
    """Percentile intervals of each data-driven model in ``models`` ("markov" needs
    ``edges``) from resampling journeys: each path's conversions and nulls are redrawn as
    Poisson counts (the Poisson bootstrap), its value scaled with its conversions. The models
    share the resamples, so each one's interval is what it would be alone with this ``seed``.

    Returns model -> ``channel``, ``ci_low``, ``ci_high``, ``revenue_ci_low``,
    ``revenue_ci_high``.
    """
    rng = np.random.default_rng(seed)
    conversions = paths.conversions
    nulls = paths.nulls
    value = paths.value
    per_conversion = np.divide(value, conversions, out=np.zeros_like(value),
                               where=conversions > 0)
    channels = paths.channels
    masks = shapley.path_masks(paths) if "shapley" in models else None
    draws = {model: np.zeros((n_boot, 2, len(channels))) for model in models}
    for b in range(n_boot):
        conv_b = rng.poisson(conversions).astype(float)
        null_b = rng.poisson(nulls).astype(float)
        value_b = conv_b * per_conversion
        for model in models:
            if model == "markov":
                credited = markov.credit(edges.chain(conv_b, null_b, value_b), conv_b.sum(),
                                         value_b.sum())
                credited = credited.set_index("channel").reindex(channels, fill_value=0.0)
            else:
                credited = shapley.credit(masks, conv_b, value_b, channels)
            draws[model][b, 0] = credited["conversions"].to_numpy()
            draws[model][b, 1] = credited["revenue"].to_numpy()
    tail = (1.0 - confidence) / 2 * 100
    out = {}
    for model, drawn in draws.items():
        low, high = np.percentile(drawn, [tail, 100 - tail], axis=0)
        out[model] = pd.DataFrame(
            {
                "channel": channels,
                "ci_low": low[0],
                "ci_high": high[0],
                "revenue_ci_low": low[1],
                "revenue_ci_high": high[1],
            }
        )
    return out


def _needs_paths(models: Sequence[str], n_boot: int) -> bool:
    heuristics = set(models) & (set(HEURISTIC_MODELS) - {"time_decay"})
    return bool(heuristics) or (n_boot > 0 and bool(set(models) & set(DATA_DRIVEN_MODELS)))


def _totals(
    data: Dataset | PathTable, paths: PathTable | None, lookback: str | None, cut: dict
) -> tuple[float, float]:
    if paths is None:
        t = journey_touches(data, lookback, **cut)
        ends = t.filter(t.position == 0)
        row = to_pandas(ends.aggregate(c=ends.converted.sum(), v=ends.revenue.sum())).iloc[0]
        return float(row["c"]) if pd.notna(row["c"]) else 0.0, \
            float(row["v"]) if pd.notna(row["v"]) else 0.0
    return paths.total_conversions, float(paths.value.sum())


def _chain(
    data: Dataset | PathTable,
    order: int,
    lookback: str | None,
    conversion_touch: bool,
    collapse_repeats: bool,
) -> markov.Chain:
    if isinstance(data, Dataset):
        return markov.chain_from_dataset(
            data, order, lookback, conversion_touch=conversion_touch,
            collapse_repeats=collapse_repeats,
        )
    return markov.chain_from_paths(data.without_repeats() if collapse_repeats else data, order)


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
