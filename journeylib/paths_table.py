"""Conversion paths: a :class:`PathTable` read from a file, or journeys cut from a Dataset.

A journey is the ordered channels one customer touched up to a conversion (or up to their last
touch, for a journey that never converted: a null path). The Dataset side is one Ibis query
(:func:`journey_touches`) that every attribution model builds on.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from journeylib import i18n
from journeylib.dataset import Dataset
from journeylib.durations import duration_seconds
from journeylib.engine import to_arrow
from journeylib.epoch import epoch_seconds
from journeylib.errors import DataError
from journeylib.journeys import conversion_event
from journeylib.numeric import parse_numbers

DEFAULT_LOOKBACK = "30d"

# Column names tried in order when the caller does not name them; the first of each list is
# ChannelAttribution's layout (path;total_conversions;total_conversion_value;total_null).
PATH_COLUMNS = {
    "path": ("path", "paths", "conversion path", "channel path", "top conversion paths"),
    "conversions": ("total_conversions", "conversions", "conversion", "total conversions"),
    "value": ("total_conversion_value", "conversion_value", "value", "revenue",
              "conversion value", "total conversion value"),
    "nulls": ("total_null", "nulls", "null", "total nulls", "non-conversions"),
}


@dataclass(frozen=True, eq=False)
class PathTable:
    """Distinct channel paths with their outcomes (the input of path-based attribution).

    Stored as flat arrays so that a million paths stay fast: ``channels`` (names, sorted),
    ``codes`` (every touch of every path in order, as an index into ``channels``), ``lengths``
    (touches per path, at least 1), and per path ``conversions`` (journeys along the path that
    converted), ``value`` (their conversion value, e.g. revenue) and ``nulls`` (journeys along
    the path that did not convert). :attr:`frame` shows the same as a DataFrame.

    A table cut from a Dataset with a ``half_life`` (see :func:`path_table`) also carries what
    time-decay attribution needs, per touch like ``codes``: ``decay`` (the touch's time-decay
    weights summed over the converting journeys along the path; each journey's weights sum to
    1) and ``decay_value`` (the same weights times each journey's conversion value);
    ``half_life`` is the half-life they were computed with. They are None otherwise (a table
    read from a file has no timestamps).
    """

    channels: list[str]
    codes: np.ndarray
    lengths: np.ndarray
    conversions: np.ndarray
    value: np.ndarray
    nulls: np.ndarray
    name: str = "path table"
    decay: np.ndarray | None = None
    decay_value: np.ndarray | None = None
    half_life: str | None = None

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        path: str | None = None,
        conversions: str | None = None,
        value: str | None = None,
        nulls: str | None = None,
        sep: str = ">",
        name: str = "path table",
    ) -> PathTable:
        """Read a conversion-path export.

        ``path`` names the column holding paths such as ``"search > email > direct"`` (split on
        ``sep``, blanks trimmed); ``conversions``, ``value`` and ``nulls`` name the count
        columns. Unnamed columns are found by name (ChannelAttribution's
        ``path;total_conversions;total_conversion_value;total_null`` and common analytics
        exports); ``value`` and ``nulls`` are optional (0 when absent). Numbers may use decimal
        commas. Repeated paths are summed; empty paths are dropped. Raises :class:`DataError`
        with what is missing or wrong.
        """
        chosen = {"path": path, "conversions": conversions, "value": value, "nulls": nulls}
        columns = {_key(c): c for c in df.columns}
        for field, given in chosen.items():
            if given is not None:
                if given not in df.columns:
                    raise DataError(
                        i18n.t(
                            "errors.path_column_missing",
                            column=str(given),
                            columns=", ".join(map(str, df.columns)),
                        )
                    )
                continue
            chosen[field] = next(
                (columns[_key(k)] for k in PATH_COLUMNS[field] if _key(k) in columns), None
            )
        if chosen["path"] is None or chosen["conversions"] is None:
            raise DataError(
                i18n.t("errors.path_table_columns", columns=", ".join(map(str, df.columns)))
            )
        counts = {
            field: _numbers(df[column], str(column)) if column is not None else np.zeros(len(df))
            for field, column in chosen.items()
            if field != "path"
        }
        # Split in Arrow: a million paths take a fraction of a second.
        parts = pc.split_pattern(pa.array(df[chosen["path"]].astype("string")), sep)
        flat = pc.utf8_trim_whitespace(pc.list_flatten(parts))
        keep = pc.not_equal(flat, "")
        parent = pc.list_parent_indices(parts).to_numpy()[
            keep.to_numpy(zero_copy_only=False)
        ]
        flat = flat.filter(keep)
        lengths = np.bincount(parent, minlength=len(df))
        # Identical paths, found by hashing their cleaned text in Arrow.
        offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]), pa.int64())
        cleaned = pc.binary_join(
            pa.LargeListArray.from_arrays(offsets, flat), pa.scalar("\x1f", flat.type)
        )
        encoded = flat.dictionary_encode()
        return cls._grouped(
            [str(c) for c in encoded.dictionary.to_pylist()],
            encoded.indices.to_numpy().astype(np.int64),
            lengths,
            name=name,
            group=cleaned.dictionary_encode().indices.to_numpy().astype(np.int64),
            **counts,
        )

    @classmethod
    def from_paths(
        cls,
        paths: Sequence[Sequence[str]],
        conversions: Sequence[float],
        value: Sequence[float] | None = None,
        nulls: Sequence[float] | None = None,
        name: str = "path table",
    ) -> PathTable:
        """Build from paths given as sequences of channel names, with their counts
        (``value`` and ``nulls`` default to 0). Repeated paths are summed; empty ones dropped."""
        lengths = np.fromiter((len(p) for p in paths), dtype=np.int64, count=len(paths))
        flat = np.fromiter(itertools.chain.from_iterable(paths), dtype=object,
                           count=int(lengths.sum()))
        codes, channels = pd.factorize(flat)
        zeros = np.zeros(len(paths))
        return cls._grouped(
            [str(c) for c in channels],
            codes.astype(np.int64),
            lengths,
            conversions=np.asarray(conversions, dtype=float),
            value=zeros if value is None else np.asarray(value, dtype=float),
            nulls=zeros if nulls is None else np.asarray(nulls, dtype=float),
            name=name,
        )

    @classmethod
    def _grouped(
        cls,
        channels: list[str],
        codes: np.ndarray,
        lengths: np.ndarray,
        *,
        conversions: np.ndarray,
        value: np.ndarray,
        nulls: np.ndarray,
        name: str,
        group: np.ndarray | None = None,
        decay: tuple[np.ndarray, np.ndarray, str] | None = None,
    ) -> PathTable:
        """Sum repeated paths, drop empty ones and sort the channels by name. ``group``: an id
        per path, equal for identical paths and numbered by first appearance (computed when
        not given). ``decay``: ``(decay, decay_value, half_life)`` with the two per-touch
        arrays aligned with ``codes`` (summed touch by touch over repeated paths)."""
        if not lengths.any():
            raise DataError(i18n.t("errors.path_table_empty"))
        order = np.argsort(np.asarray(channels, dtype=object), kind="stable")
        rank = np.empty(len(channels), dtype=np.int64)
        rank[order] = np.arange(len(channels))
        codes = rank[codes].astype(np.int32)
        if group is None:
            raw = codes.tobytes()
            ends = np.cumsum(lengths).tolist()
            # Two paths are the same when their code sequences are: group by those bytes.
            keys = [raw[4 * (e - k) : 4 * e] for e, k in zip(ends, lengths.tolist(),
                                                              strict=True)]
            group, _ = pd.factorize(pd.Series(keys, dtype=object))
        present = lengths > 0
        group_ids, first = np.unique(group[present], return_index=True)
        rows = np.flatnonzero(present)[first]
        n = len(group_ids)
        new_group = np.full(group.max() + 1, -1)
        new_group[group_ids] = np.arange(n)
        target = new_group[group[present]]

        def total(values: np.ndarray) -> np.ndarray:
            return np.bincount(target, weights=np.asarray(values, float)[present], minlength=n)

        kept = lengths[rows]
        decayed = {}
        if decay is not None:
            # Touch k of a path adds into touch k of its group's first path.
            row_target = np.full(len(lengths), -1)
            row_target[present] = target
            starts = np.cumsum(kept) - kept
            touch = starts[np.repeat(row_target, lengths)] + _positions(lengths)
            size = int(kept.sum())
            decayed = {
                "decay": np.bincount(touch, weights=decay[0], minlength=size),
                "decay_value": np.bincount(touch, weights=decay[1], minlength=size),
                "half_life": decay[2],
            }
        if len(rows) < len(lengths):
            # Group ids follow first appearance, so the first rows are in group order.
            chosen = np.zeros(len(lengths), dtype=bool)
            chosen[rows] = True
            codes = codes[np.repeat(chosen, lengths)]
        used = np.flatnonzero(np.bincount(codes, minlength=len(channels)))
        remap = np.full(len(channels), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        names = [channels[i] for i in order[used]]
        return cls(names, remap[codes], kept.astype(np.int64), total(conversions),
                   total(value), total(nulls), name, **decayed)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """One row per distinct path: ``path`` (tuple of channel names in touch order),
        ``conversions``, ``value``, ``nulls``."""
        names = np.asarray(self.channels, dtype=object)[self.codes]
        ends = np.cumsum(self.lengths)
        paths = [tuple(names[e - k : e]) for e, k in zip(ends, self.lengths, strict=True)]
        return pd.DataFrame({"path": paths, "conversions": self.conversions,
                             "value": self.value, "nulls": self.nulls})

    @property
    def encoded(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """``(channels, codes, lengths)``: the paths as flat arrays."""
        return self.channels, self.codes, self.lengths

    @property
    def n_paths(self) -> int:
        """Distinct paths."""
        return len(self.lengths)

    @property
    def total_conversions(self) -> float:
        """Sum of conversions over all paths."""
        return float(self.conversions.sum())

    def positions(self) -> tuple[np.ndarray, np.ndarray]:
        """For every touch in :attr:`codes`: the index of its path and its 0-based position."""
        return np.repeat(np.arange(len(self.lengths)), self.lengths), _positions(self.lengths)

    def without_repeats(self) -> PathTable:
        """The paths with consecutive touches of one channel merged (``a > a > b`` ->
        ``a > b``); paths that become equal are summed, and merged touches add their time-decay
        weights."""
        path_idx, pos = self.positions()
        keep = (pos == 0) | (self.codes != np.roll(self.codes, 1))
        decay = None
        if self.decay is not None:
            merged = np.cumsum(keep) - 1
            size = int(keep.sum())
            decay = (np.bincount(merged, weights=self.decay, minlength=size),
                     np.bincount(merged, weights=self.decay_value, minlength=size),
                     self.half_life)
        return PathTable._grouped(
            self.channels,
            self.codes[keep],
            np.bincount(path_idx[keep], minlength=self.n_paths),
            conversions=self.conversions,
            value=self.value,
            nulls=self.nulls,
            name=self.name,
            decay=decay,
        )

    def to_frame(self, sep: str = " > ") -> pd.DataFrame:
        """The table with paths as text: ``path`` (str), ``conversions``, ``value``, ``nulls``."""
        out = self.frame.copy()
        out["path"] = out["path"].map(sep.join)
        return out


def looks_like_path_table(df: pd.DataFrame) -> bool:
    """True when ``df`` has a recognisable path column and conversions column."""
    columns = {_key(c) for c in df.columns}
    return all(any(_key(k) in columns for k in PATH_COLUMNS[f]) for f in ("path", "conversions"))


def journey_touches(
    ds: Dataset,
    lookback: str | None = DEFAULT_LOOKBACK,
    *,
    conversion_touch: bool = False,
    collapse_repeats: bool = False,
    lags: int = 0,
) -> ibis.Table:
    """The touches of every journey, as an Ibis expression (nothing is executed).

    A row is a conversion under the data's conversion rule
    (:func:`journeylib.journeys.conversion_event`); each conversion closes the customer's
    current journey, and touches after a customer's last conversion form a null journey. Only
    touches within ``lookback``
    (e.g. ``"30d"``, ``"12h"``; None for no limit) before the journey's end (the conversion, or
    the last touch of a null journey) count. The converting event's own channel is a touch only
    with ``conversion_touch`` or when the journey has no earlier touch in the window.
    ``collapse_repeats`` merges consecutive touches of the same channel into one. ``lags``
    adds the channels of the ``lags`` previous touches and of the next one.

    Columns: ``customer_id``, ``journey`` (0-based per customer), ``position`` (0-based touch
    order), ``touches`` (touches in the journey), ``channel``, ``hours_before_end`` (hours
    from the touch to the journey's end), ``converted`` (0/1 for the journey), ``revenue``
    (of the conversion; 0 for null journeys); with ``lags``, ``lag1``.. (null before the
    journey's first touch) and ``next_channel`` (null after its last).
    """
    t = ds.table
    t = t.mutate(_conv=conversion_event(ds).cast("int64"), _secs=epoch_seconds(t.timestamp))
    order = ["timestamp", "source_row"]
    t = t.mutate(journey=t._conv.cumsum(group_by=t.customer_id, order_by=order) - t._conv)
    journey = ["customer_id", "journey"]
    w_journey = ibis.window(group_by=journey)
    t = t.mutate(
        converted=t._conv.max().over(w_journey),
        revenue=t.revenue.fill_null(0).sum(where=t._conv == 1).over(w_journey).fill_null(0),
        _end=t._secs.max().over(w_journey),
    )
    t = t.filter(t.channel.notnull())
    if lookback is not None:
        t = t.filter(t._secs >= t._end - duration_seconds(lookback))
    # Window values go into a column before a filter reads them: Spark has no QUALIFY, and
    # Ibis's rewrite of a filter on a window loses the table alias there.
    if not conversion_touch:
        t = t.mutate(_earlier=(1 - t._conv).sum().over(w_journey))
        t = t.filter((t._conv == 0) | (t._earlier == 0))
    if collapse_repeats:
        t = t.mutate(_previous=t.channel.lag().over(ibis.window(group_by=journey, order_by=order)))
        t = t.filter(t._previous.isnull() | (t._previous != t.channel))
    # One partition and order for every column below, so the engine sorts the touches once.
    ordered = ibis.window(group_by=journey, order_by=order)
    whole = ibis.window(group_by=journey, order_by=order, rows=(None, None))
    neighbours = {f"lag{k}": t.channel.lag(k).over(ordered) for k in range(1, lags + 1)}
    if lags:
        neighbours["next_channel"] = t.channel.lead().over(ordered)
    t = t.mutate(
        position=ibis.row_number().over(ordered),
        touches=t.channel.count().over(whole),
        hours_before_end=(t._end - t._secs) / 3600.0,
        **neighbours,
    )
    return t.select(
        "customer_id", "journey", "position", "touches", "channel", "hours_before_end",
        "converted", "revenue", *neighbours,
    )


def path_table(
    ds: Dataset,
    lookback: str | None = DEFAULT_LOOKBACK,
    *,
    conversion_touch: bool = False,
    collapse_repeats: bool = False,
    half_life: str | None = None,
) -> PathTable:
    """Journeys of a Dataset grouped into distinct paths, from one query: the one cut of the
    journeys that every attribution model of a view is computed from.

    See :func:`journey_touches` for how journeys are cut. Returns a :class:`PathTable` whose
    ``conversions`` and ``nulls`` count journeys and ``value`` sums conversion revenue. With
    ``half_life`` (e.g. ``"7d"``) the same query also weighs each converting journey's touches
    by 2^(-t/half_life), t the time from the touch to the conversion, normalised to sum to 1
    per journey (the table's ``decay`` and ``decay_value``, for time-decay attribution).
    """
    t = journey_touches(
        ds, lookback, conversion_touch=conversion_touch, collapse_repeats=collapse_repeats
    )
    fields = {"position": t.position, "channel": t.channel}
    if half_life is not None:
        hours = duration_seconds(half_life) / 3600.0
        t = t.mutate(_w=ibis.literal(2.0) ** (-t.hours_before_end / hours))
        t = t.mutate(_w=t._w / t._w.sum().over(ibis.window(group_by=["customer_id", "journey"])))
        fields["w"] = t._w
    step = ibis.struct(fields)
    per_journey = t.group_by(["customer_id", "journey"]).agg(
        steps=step.collect(), converted=t.converted.max(), revenue=t.revenue.max()
    )
    steps = per_journey.steps.sort()
    per_journey = per_journey.mutate(path=steps.map(lambda s: s.channel))
    if half_life is not None:
        per_journey = per_journey.mutate(weights=steps.map(lambda s: s.w))
    aggregates = {
        "conversions": per_journey.converted.sum(),
        "value": per_journey.revenue.sum(),
        "journeys": per_journey.count(),
    }
    if half_life is not None:
        weighted = ibis.struct({"w": per_journey.weights, "r": per_journey.revenue})
        aggregates["weighted"] = weighted.collect(where=per_journey.converted == 1)
    grouped = to_arrow(
        per_journey.group_by("path")
        .agg(**aggregates)
        # In path order: the engine's own row order changes from run to run, and the
        # bootstrap's resamples follow row order, so a seed would not repeat its intervals.
        .order_by("path")
    )
    # Straight from Arrow: converting a million list cells to Python lists (what to_pandas
    # does) took ~10 s of the 20 s this function took on 10M touchpoints.
    paths = grouped["path"].combine_chunks()
    encoded = pc.dictionary_encode(paths.flatten())
    lengths = pc.fill_null(pc.list_value_length(paths), 0).to_numpy().astype(np.int64)

    def numbers(column: str) -> np.ndarray:
        return pc.fill_null(grouped[column], 0).to_numpy().astype(float)

    conversions = numbers("conversions")
    decay = None
    if half_life is not None:
        decay = (*_decay_weights(grouped["weighted"].combine_chunks(), lengths), half_life)
    return PathTable._grouped(
        [str(c) for c in encoded.dictionary.to_pylist()],
        encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64),
        lengths,
        conversions=conversions,
        value=numbers("value"),
        nulls=numbers("journeys") - conversions,
        name=ds.name,
        # The engine grouped identical paths already: each row is its own path.
        group=np.arange(len(paths)),
        decay=decay,
    )


def _decay_weights(weighted: pa.ListArray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per touch of the paths (lengths ``lengths``): the time-decay weights of the converting
    journeys along each path summed, plain and times each journey's value. ``weighted`` holds
    per path a list of journeys, each ``{w: weights in touch order, r: value}``."""
    journeys = weighted.flatten()  # one struct per converting journey
    journey_path = pc.list_parent_indices(weighted).to_numpy()
    w_lists = pc.struct_field(journeys, "w")
    value = pc.fill_null(pc.struct_field(journeys, "r"), 0).to_numpy(zero_copy_only=False)
    value = value.astype(float)
    w = pc.fill_null(w_lists.flatten(), 0).to_numpy(zero_copy_only=False).astype(float)
    w_journey = pc.list_parent_indices(w_lists).to_numpy()
    offsets = w_lists.offsets.to_numpy()
    position = np.arange(len(w)) - (offsets[w_journey] - offsets[0])
    starts = np.cumsum(lengths) - lengths
    touch = starts[journey_path[w_journey]] + position
    size = int(lengths.sum())
    return (np.bincount(touch, weights=w, minlength=size),
            np.bincount(touch, weights=w * value[w_journey], minlength=size))


def _key(column: object) -> str:
    return str(column).strip().lower().replace("_", " ") if column is not None else ""


def _numbers(values: pd.Series, column: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.astype(float)
    else:
        numbers, _ = parse_numbers(values.astype("str").where(values.notna(), ""))
        numbers = numbers.astype(float)
        bad = values.notna() & numbers.isna() & (values.astype("str").str.strip() != "")
        if bad.any():
            example = i18n.t("load.quoted", value=str(values[bad].iloc[0]))
            raise DataError(i18n.t("errors.path_not_numbers", column=column, value=example))
    numbers = numbers.fillna(0.0).to_numpy(float)
    if (numbers < 0).any():
        raise DataError(i18n.t("errors.path_negative", column=column))
    return numbers


def _positions(lengths: np.ndarray) -> np.ndarray:
    """0, 1, ..., k-1 for each length k, concatenated."""
    starts = np.cumsum(lengths) - lengths
    return np.arange(int(lengths.sum())) - np.repeat(starts, lengths)
