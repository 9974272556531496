"""Normative against organic path: how many customers follow the journey the team intends.

The team states the intended path (:class:`NormativePath`): the order of stages and, for some
stages, the touchpoints expected in them. :func:`path_conformance` sorts every customer's
journey against it, in the query engine, into the deviations of :data:`KINDS`:

- ``"skipped_stage"``: a move forward past a stage of the path (a journey that starts past the
  path's first stage skipped the stages before it);
- ``"went_back"``: a move to an earlier stage of the path;
- ``"touchpoint_outside_stage"``: a touchpoint in a stage that lists its expected touchpoints,
  and is not one of them;
- ``"loop"``: a stage visited again after leaving it;
- ``"off_path_stage"``: a touchpoint in a stage that is not on the path;
- ``"followed"``: none of these.

Moves are read like :func:`journeylib.paths.stage_transitions`: events in the order
(timestamp, source_row), consecutive repeats of a stage collapsed. Skips and moves back are
read on the path's stages only (an off-path stage between two path stages is not a step of the
path); loops on every stage. A customer may have several deviations and is counted in each.
A converted customer's path is read up to the first conversion (that moment included): what a
customer does after buying (going back to a product page, a second purchase) cannot explain the
purchase, and counting it would make every such deviation "convert" 100% by definition.
Stage and touchpoint names are the user's text: they reach the engine as data (joined from a
small table), never in a query's text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from journeylib import limits
from journeylib.dataset import Dataset
from journeylib.engine import scalar, to_pandas
from journeylib.epoch import epoch_seconds
from journeylib.errors import DataError
from journeylib.journeys import EVENT_ORDER, conversion_event
from journeylib.stats import proportion_difference, wilson_interval

FOLLOWED = "followed"
SKIPPED = "skipped_stage"
BACK = "went_back"
OUTSIDE = "touchpoint_outside_stage"
LOOP = "loop"
OFF_PATH = "off_path_stage"
# Every kind a customer is sorted into, "followed" first.
KINDS = (FOLLOWED, SKIPPED, BACK, OUTSIDE, LOOP, OFF_PATH)
DEVIATIONS = KINDS[1:]
# Error codes (catalogue keys normative.error.<code>).
EMPTY = "empty"
DUPLICATE = "duplicate_stage"
UNKNOWN_STAGE = "unknown_stage"
UNKNOWN_TOUCHPOINT_STAGE = "touchpoint_stage_not_on_path"
_ORDER = list(EVENT_ORDER)


class PathError(DataError):
    """An intended path the data cannot take: ``code`` one of the codes above, ``names`` the
    stages concerned (worded by ``normative.error.<code>``)."""

    def __init__(self, code: str, names: Sequence[str] = ()) -> None:
        super().__init__(code=f"normative.error.{code}", params={"names": list(names)})
        self.reason = code
        self.names = list(names)


@dataclass(frozen=True)
class NormativePath:
    """The intended journey: ``stages`` in order and, optionally, ``touchpoints``: for a stage,
    the touchpoints expected in it (a stage without an entry accepts any touchpoint)."""

    stages: tuple[str, ...]
    touchpoints: Mapping[str, tuple[str, ...]] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "stages", tuple(str(s) for s in self.stages))
        if self.touchpoints is not None:
            kept = {str(s): tuple(dict.fromkeys(str(v) for v in tps))
                    for s, tps in self.touchpoints.items() if tps}
            object.__setattr__(self, "touchpoints", kept or None)
        if not self.stages:
            raise PathError(EMPTY)
        repeated = [s for s in dict.fromkeys(self.stages) if self.stages.count(s) > 1]
        if repeated:
            raise PathError(DUPLICATE, repeated)
        stray = [s for s in self.touchpoints or {} if s not in self.stages]
        if stray:
            raise PathError(UNKNOWN_TOUCHPOINT_STAGE, stray)

    def __hash__(self) -> int:
        return hash(self.to_text())

    def expected(self, stage: str) -> tuple[str, ...]:
        """The touchpoints expected in ``stage`` (empty: any)."""
        return (self.touchpoints or {}).get(stage, ())

    def items(self) -> list[str]:
        """One text per stage, for a repeated link parameter: the stage, and after ``=`` its
        expected touchpoints separated by commas, each percent-encoded."""
        out = []
        for stage in self.stages:
            text = quote(stage, safe="")
            tps = self.expected(stage)
            if tps:
                text += "=" + ",".join(quote(v, safe="") for v in tps)
            out.append(text)
        return out

    @classmethod
    def from_items(cls, items: Iterable[str]) -> NormativePath:
        """The path written by :meth:`items`. Raises ValueError (a :class:`PathError` for an
        empty or repeating path) when it is not one."""
        stages, tps = [], {}
        for item in items:
            if not isinstance(item, str) or not item:
                raise ValueError("an empty stage in a path")
            head, sep, tail = item.partition("=")
            stage = unquote(head)
            if not stage:
                raise ValueError("an empty stage in a path")
            stages.append(stage)
            if sep:
                values = [unquote(v) for v in tail.split(",")]
                if any(not v for v in values):
                    raise ValueError("an empty touchpoint in a path")
                tps[stage] = tuple(values)
        return cls(tuple(stages), tps or None)

    def to_text(self) -> str:
        """The path as one text: :meth:`items` joined by ``|``."""
        return "|".join(self.items())

    @classmethod
    def from_text(cls, text: str) -> NormativePath:
        """The path written by :meth:`to_text`. Raises ValueError when it is not one."""
        if not isinstance(text, str) or not text:
            raise ValueError("an empty path")
        return cls.from_items(text.split("|"))

    def check(self, ds: Dataset) -> None:
        """Raise :class:`journeylib.limits.LimitError` for more stages than the stage limit,
        :class:`PathError` for a stage ``ds`` does not have."""
        limits.check(limits.STAGES, len(self.stages))
        unknown = [s for s in self.stages if s not in ds.stages]
        if unknown:
            raise PathError(UNKNOWN_STAGE, unknown)


def default_path(ds: Dataset) -> NormativePath:
    """The dataset's own stage order as the intended path (at most the stage limit)."""
    return NormativePath(tuple(ds.stages[: limits.setting(limits.STAGES)]))


# --- Per-customer deviations, in the engine ---------------------------------------------------


def _ranks(spec: NormativePath) -> ir.Table:
    return ibis.memtable(pd.DataFrame({
        "_ns": pd.Series(spec.stages, dtype=object),
        "_nr": pd.Series(range(len(spec.stages)), dtype="int64"),
    }))


def _staged(ds: Dataset, spec: NormativePath) -> ir.Table:
    """Events with a stage, with ``_nr``: the stage's place on the path (null: off the path)."""
    t = ds.table
    e = t.filter(t.stage.notnull())
    ranks = _ranks(spec)
    j = e.left_join(ranks, e.stage == ranks._ns)
    return j.select(*[j[c] for c in e.columns], j._nr)


def _moves(ds: Dataset, spec: NormativePath) -> ir.Table:
    """The path's stages as a customer passes them, consecutive repeats collapsed: ``_nr``,
    ``_pr`` (the previous stage's place; -1 on the first) and ``_ps`` (the previous stage)."""
    o = _staged(ds, spec)
    o = o.filter(o._nr.notnull())
    w = dict(group_by="customer_id", order_by=_ORDER)
    o = o.mutate(_prev=o._nr.lag().over(**w), _pstage=o.stage.lag().over(**w))
    o = o.filter(o._prev.isnull() | (o._prev != o._nr))
    return o.mutate(_pr=o._prev.fill_null(-1), _ps=o._pstage)


def _loops(ds: Dataset) -> ir.Table:
    """(customer_id, stage) for every stage a customer entered more than once (after leaving
    it), over all stages."""
    t = ds.table
    e = t.filter(t.stage.notnull())
    prev = e.stage.lag().over(group_by="customer_id", order_by=_ORDER)
    e = e.mutate(_prev=prev)
    runs = e.filter(e._prev.isnull() | (e._prev != e.stage))
    runs = runs.group_by(["customer_id", "stage"]).agg(_runs=runs.count())
    return runs.filter(runs._runs > 1).select("customer_id", "stage")


def _outside(ds: Dataset, spec: NormativePath) -> ir.Table | None:
    """Events whose touchpoint is not among those expected in their stage (stages with
    expectations only); None when the path expects no touchpoints."""
    if not spec.touchpoints:
        return None
    pairs = [(s, v) for s in spec.stages for v in spec.expected(s)]
    allowed = ibis.memtable(pd.DataFrame(pairs, columns=["_as", "_at"], dtype=object))
    listed = ibis.memtable(pd.DataFrame({"_ls": pd.Series(list(spec.touchpoints), dtype=object)}))
    t = ds.table
    e = t.filter(t.stage.notnull() & t.touchpoint.notnull())
    e = e.join(listed, e.stage == listed._ls).select(*e.columns)
    j = e.left_join(allowed, (e.stage == allowed._as) & (e.touchpoint == allowed._at))
    j = j.filter(j._as.isnull())
    return j.select(*[j[c] for c in e.columns])


def _flag(per: ir.Table, flags: ir.Table, name: str) -> ir.Table:
    """``per`` with the boolean column ``name``: whether the customer is in ``flags``."""
    flags = flags.select("customer_id").distinct().mutate(**{name: ibis.literal(True)})
    j = per.left_join(flags, "customer_id")
    return j.select(*[c for c in per.columns], **{name: j[name].fill_null(False)})


def _to_conversion(ds: Dataset) -> Dataset:
    """``ds`` with each customer's touchpoints up to their first conversion (that moment
    included; every touchpoint of a customer who never converted): the path to a purchase, so
    a move back or a loop after buying is never read as what went with buying."""
    t = ds.table
    w = t.mutate(_won=conversion_event(ds))
    first = w.group_by("customer_id").agg(_won_at=w.timestamp.min(where=w._won))
    j = t.join(first, "customer_id")
    cut = j.filter(j._won_at.isnull() | (j.timestamp <= j._won_at)).select(*t.columns)
    return dataclasses.replace(ds, table=cut)


def customer_deviations(ds: Dataset, spec: NormativePath) -> ir.Table:
    """One row per customer (an engine table): ``customer_id``, one boolean per kind of
    :data:`KINDS`, ``won`` (converted under :func:`journeylib.journeys.conversion_event`) and
    ``hours`` (first touch to first conversion, hours; null for customers who did not convert).
    """
    spec.check(ds)
    t = ds.table
    won = conversion_event(ds)
    w = t.mutate(_won=won)
    per = w.group_by("customer_id").agg(
        won=w._won.any(), _first=w.timestamp.min(), _won_at=w.timestamp.min(where=w._won))
    per = per.mutate(
        hours=(epoch_seconds(per._won_at) - epoch_seconds(per._first)) / 3600.0
    ).select("customer_id", "won", "hours")
    ds = _to_conversion(ds)
    moves = _moves(ds, spec)
    per = _flag(per, moves.filter(moves._nr > moves._pr + 1), SKIPPED)
    per = _flag(per, moves.filter(moves._nr < moves._pr), BACK)
    outside = _outside(ds, spec)
    if outside is None:
        per = per.mutate(**{OUTSIDE: ibis.literal(False)})
    else:
        per = _flag(per, outside, OUTSIDE)
    per = _flag(per, _loops(ds), LOOP)
    staged = _staged(ds, spec)
    per = _flag(per, staged.filter(staged._nr.isnull()), OFF_PATH)
    any_deviation = ibis.literal(False)
    for kind in DEVIATIONS:
        any_deviation = any_deviation | per[kind]
    return per.mutate(**{FOLLOWED: ~any_deviation})


def path_conformance(ds: Dataset, spec: NormativePath) -> pd.DataFrame:
    """How many customers followed the intended path and how many deviated, by kind.

    Returns one row per kind of :data:`KINDS` (in that order): ``kind`` (the code),
    ``customers``, ``share`` (of all customers, 0..1), ``converted`` (customers),
    ``conversion_rate`` (0..1; NaN without customers), ``conversion_low`` /
    ``conversion_high`` (its 95% Wilson interval), ``median_hours`` (median hours from a
    converted customer's first touchpoint to their first conversion; NaN when none converted),
    ``difference`` (conversion minus that of the customers who followed the path, in
    proportion points -1..1; NaN on the "followed" row and when a group is empty),
    ``difference_low`` / ``difference_high`` (its 95% interval,
    :func:`journeylib.stats.proportion_difference`) and ``p_value``. A customer with several
    deviations is counted in each; the deviation rows do not add up to all customers.
    """
    per = customer_deviations(ds, spec)
    aggs = {"_all": per.count()}
    for kind in KINDS:
        aggs[f"n_{kind}"] = per.count(where=per[kind])
        aggs[f"c_{kind}"] = per.count(where=per[kind] & per.won)
        aggs[f"m_{kind}"] = per.hours.quantile(0.5, where=per[kind] & per.won)
    row = to_pandas(per.aggregate(**aggs)).iloc[0]
    total = int(row["_all"] or 0)
    out = pd.DataFrame({
        "kind": list(KINDS),
        "customers": [int(row[f"n_{k}"] or 0) for k in KINDS],
        "converted": [int(row[f"c_{k}"] or 0) for k in KINDS],
        "median_hours": [_number(row[f"m_{k}"]) for k in KINDS],
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = out["customers"] / total if total else np.nan
        out["conversion_rate"] = np.where(out["customers"] > 0,
                                          out["converted"] / out["customers"].clip(lower=1),
                                          np.nan)
    low, high = wilson_interval(out["converted"].to_numpy(), out["customers"].to_numpy())
    out["conversion_low"], out["conversion_high"] = low, high
    base = out.iloc[0]
    diff = proportion_difference(
        np.full(len(out), base["converted"]), np.full(len(out), base["customers"]),
        out["converted"].to_numpy(), out["customers"].to_numpy())
    empty = (out["customers"] == 0) | (base["customers"] == 0)
    for name, key in (("difference", "effect"), ("difference_low", "ci_low"),
                      ("difference_high", "ci_high"), ("p_value", "p_value")):
        values = np.asarray(diff[key], dtype=float)
        values = np.where(empty, np.nan, values)
        values[0] = np.nan
        out[name] = values
    return out[["kind", "customers", "share", "converted", "conversion_rate", "conversion_low",
                "conversion_high", "median_hours", "difference", "difference_low",
                "difference_high", "p_value"]]


def _number(value) -> float:
    try:
        return float(value) if value is not None and not pd.isna(value) else float("nan")
    except (TypeError, ValueError):
        return float("nan")


def deviation_details(ds: Dataset, spec: NormativePath, kind: str, n: int = 10) -> pd.DataFrame:
    """The most common concrete instances of one deviation ``kind`` (a code of
    :data:`DEVIATIONS`).

    Returns at most ``n`` rows, most customers first: ``stage`` (the skipped stage; the stage
    gone back from; the touchpoint's stage; the stage looped to; the off-path stage),
    ``to_stage`` (the stage gone back to; else null), ``touchpoint`` (the unexpected
    touchpoint; else null), ``customers`` (with that instance at least once), ``share`` (of all
    customers, 0..1), ``converted`` (customers) and ``conversion_rate`` (0..1).
    """
    if kind not in DEVIATIONS:
        raise ValueError(f"kind must be one of {', '.join(DEVIATIONS)}, not {kind!r}")
    if n < 1:
        raise ValueError("n must be at least 1")
    spec.check(ds)
    t = ds.table
    w = t.mutate(_won=conversion_event(ds))
    outcome = w.group_by("customer_id").agg(won=w._won.any())
    total = outcome.count()
    null = ibis.literal(None, type="string")
    ds = _to_conversion(ds)
    if kind == SKIPPED:
        moves = _moves(ds, spec)
        ranks = ibis.memtable(pd.DataFrame({
            "_ss": pd.Series(spec.stages, dtype=object),
            "_sr": pd.Series(range(len(spec.stages)), dtype="int64"),
        }))
        j = moves.join(ranks, (ranks._sr > moves._pr) & (ranks._sr < moves._nr))
        found = j.select("customer_id", stage=j._ss, to_stage=null, touchpoint=null)
    elif kind == BACK:
        moves = _moves(ds, spec)
        back = moves.filter(moves._nr < moves._pr)
        found = back.select("customer_id", stage=back._ps, to_stage=back.stage, touchpoint=null)
    elif kind == OUTSIDE:
        outside = _outside(ds, spec)
        if outside is None:
            return _no_details()
        found = outside.select("customer_id", "stage", to_stage=null,
                               touchpoint=outside.touchpoint)
    elif kind == LOOP:
        loops = _loops(ds)
        found = loops.select("customer_id", "stage", to_stage=null, touchpoint=null)
    else:
        staged = _staged(ds, spec)
        off = staged.filter(staged._nr.isnull())
        found = off.select("customer_id", "stage", to_stage=null, touchpoint=null)
    found = found.distinct()
    j = found.join(outcome, "customer_id")
    groups = j.group_by(["stage", "to_stage", "touchpoint"]).agg(
        customers=j.count(), converted=j.count(where=j.won))
    groups = groups.order_by([ibis.desc("customers"), "stage", "to_stage", "touchpoint"]).limit(n)
    out = to_pandas(groups)
    if out.empty:
        return _no_details()
    n_all = int(scalar(total) or 0)
    out[["customers", "converted"]] = out[["customers", "converted"]].astype("int64")
    out["share"] = out["customers"] / n_all if n_all else np.nan
    out["conversion_rate"] = out["converted"] / out["customers"]
    out = out.astype({"stage": object, "to_stage": object, "touchpoint": object})
    return out[["stage", "to_stage", "touchpoint", "customers", "share", "converted",
                "conversion_rate"]].reset_index(drop=True)


def _no_details() -> pd.DataFrame:
    return pd.DataFrame({
        "stage": pd.Series(dtype=object), "to_stage": pd.Series(dtype=object),
        "touchpoint": pd.Series(dtype=object), "customers": pd.Series(dtype="int64"),
        "share": pd.Series(dtype=float), "converted": pd.Series(dtype="int64"),
        "conversion_rate": pd.Series(dtype=float),
    })


def describe(frame: pd.DataFrame) -> tuple[str, dict[str, float | int | str]]:
    """The reading of :func:`path_conformance` as a catalogue code under
    ``normative.describe`` and its values: ``"none"`` without customers; ``"all_followed"``;
    ``"followed_and_top"`` with the most common deviation ``kind`` (its code), its customers
    ``n``, ``share`` and ``difference`` (points, NaN when not estimable); values ``followed``
    (customers who followed) and ``followed_share`` in every case but the first."""
    rows = frame.set_index("kind")
    total_share = rows["share"]
    if frame["customers"].sum() == 0 or pd.isna(total_share.get(FOLLOWED)):
        return "none", {}
    followed = {"followed": int(rows.loc[FOLLOWED, "customers"]),
                "followed_share": float(rows.loc[FOLLOWED, "share"])}
    dev = frame[frame["kind"] != FOLLOWED]
    dev = dev[dev["customers"] > 0]
    if dev.empty:
        return "all_followed", followed
    top = dev.sort_values(["customers", "kind"], ascending=[False, True]).iloc[0]
    return "followed_and_top", {**followed, "kind": str(top["kind"]), "n": int(top["customers"]),
                                "share": float(top["share"]),
                                "difference": float(top["difference"])}


# The most touchpoints offered as expected ones (a file of page addresses could hold many).
MAX_TOUCHPOINT_OPTIONS = 500


def touchpoint_options(ds: Dataset, limit: int = MAX_TOUCHPOINT_OPTIONS) -> list[str]:
    """The data's touchpoint names, sorted, at most ``limit`` of them: what a stage's expected
    touchpoints are chosen from."""
    t = ds.table
    names = t.filter(t.touchpoint.notnull()).select("touchpoint").distinct()
    out = to_pandas(names.order_by("touchpoint").limit(limit))
    return [str(v) for v in out["touchpoint"]]
