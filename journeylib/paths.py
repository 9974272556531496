"""Journey paths: how customers move between stages, and the most common routes.

Journeys are not linear: customers skip stages and go back. Each function is one Ibis query on
``Dataset.table``; only per-transition or per-path aggregates come back.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from journeylib.dataset import Dataset
from journeylib.engine import to_pandas
from journeylib.i18n import t
from journeylib.journeys import conversion_event

LEVELS = ("stage", "touchpoint", "channel")
ARROW = " → "
MORE = "…"
MAX_STEPS = 8
# The fewest customers a path needs before describe_paths calls it the best converting.
BIG_PATH = 30


def _ordered_changes(t: ir.Table, column: str) -> ir.Table:
    """Events where ``column`` differs from the customer's previous event (consecutive
    repeats collapsed), with ``previous`` (null on a customer's first event)."""
    e = t.filter(t[column].notnull())
    previous = e[column].lag().over(group_by="customer_id", order_by=["timestamp", "source_row"])
    e = e.mutate(previous=previous)
    return e.filter(e.previous.isnull() | (e.previous != e[column]))


def stage_transitions(ds: Dataset) -> pd.DataFrame:
    """Moves from one stage to a different stage between consecutive touchpoints.

    Repeated touchpoints in the same stage are not moves; moves backwards and skipped stages
    are counted like any other. Returns one row per (from, to) pair that occurs:
    ``from_stage``, ``to_stage``, ``customers`` (distinct customers who made the move at least
    once), ``moves`` (times it happened), ``direction`` ("forward" to the next stage,
    "skip" forward past a stage, "backward", or "other" for stages outside the stage model);
    sorted by customers, most first.
    """
    moves = _ordered_changes(ds.table, "stage")
    moves = moves.filter(moves.previous.notnull())
    out = to_pandas(
        moves.group_by(from_stage=moves.previous, to_stage=moves.stage)
        .agg(customers=moves.customer_id.nunique(), moves=moves.count())
    )
    rank = {s: i for i, s in enumerate(ds.stages)}

    def direction(row) -> str:
        a, b = rank.get(row.from_stage), rank.get(row.to_stage)
        if a is None or b is None:
            return "other"
        return "forward" if b == a + 1 else "skip" if b > a else "backward"

    out["direction"] = [direction(r) for r in out.itertuples(index=False)]
    out[["customers", "moves"]] = out[["customers", "moves"]].astype("int64")
    out = out.sort_values(["customers", "from_stage", "to_stage"], ascending=[False, True, True])
    return out.reset_index(drop=True)


def describe_transitions(frame: pd.DataFrame) -> str:
    """One sentence about :func:`stage_transitions`: the most common move, and how many
    customers went backwards or skipped a stage."""
    if frame.empty:
        return t("journeys.describe.no_moves")
    top = frame.iloc[0]
    parts = [
        t(
            "journeys.describe.top_move",
            first=top["from_stage"],
            second=top["to_stage"],
            n=int(top["customers"]),
        )
    ]
    back = frame[frame["direction"] == "backward"]
    if not back.empty:
        worst = back.iloc[0]
        parts.append(
            t(
                "journeys.describe.back_move",
                first=worst["from_stage"],
                second=worst["to_stage"],
                n=int(worst["customers"]),
            )
        )
    skips = frame[frame["direction"] == "skip"]
    if not skips.empty:
        parts.append(t("journeys.describe.skips", n=int(skips["moves"].sum())))
    return "; ".join(parts) + "."


def top_paths(
    ds: Dataset, level: str = "stage", n: int = 20, max_steps: int = MAX_STEPS
) -> pd.DataFrame:
    """The most common journeys, as sequences of stages, touchpoints or channels.

    ``level``: ``"stage"``, ``"touchpoint"`` or ``"channel"``. Consecutive repeats are
    collapsed (Awareness, Awareness, Consideration is "Awareness → Consideration"). A path
    longer than ``max_steps`` keeps its first and last steps with "…" between them (the start
    and the end of a journey are what tell it apart). A customer converted when any of their
    touchpoints is a conversion under the data's rule (:mod:`journeylib.journeys`).

    Returns the ``n`` paths with the most customers: ``path``, ``steps`` (steps in the
    journey, before shortening), ``customers``, ``share`` (of all customers with a path,
    0..1), ``converted`` (customers), ``conversion_rate`` (0..1) and ``includes_conversion``
    (True when the path holds a step that is a conversion every time it happens, such as the
    purchase stage: such a path converts by definition, not by merit).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if max_steps < 2:
        raise ValueError("max_steps must be at least 2")
    t = ds.table
    won = conversion_event(ds)
    outcome = t.group_by("customer_id").agg(won=won.any())
    # Values that are a conversion every time they occur (the purchase stage under the stage
    # rule, a touchpoint that carries the converted flag on every row).
    valued = t.filter(t[level].notnull()).mutate(won=won)
    given = valued.group_by(value=valued[level]).agg(always=valued.won.all())
    given = given.filter(given.always).select("value")
    e = _ordered_changes(t, level)
    e = e.left_join(given, e[level] == given.value).mutate(
        given=lambda x: x.value.notnull()).drop("value")
    order = ["timestamp", "source_row"]
    e = e.mutate(
        step=ibis.row_number().over(group_by="customer_id", order_by=order),
        back=ibis.row_number().over(
            group_by="customer_id", order_by=[ibis.desc("timestamp"), ibis.desc("source_row")]),
    )
    head, tail = max_steps - max_steps // 2, max_steps // 2 - (1 if max_steps > 2 else 0)
    tail = max(tail, 1)
    # One column per position instead of an ordered string aggregate, which Spark lacks.
    per = e.group_by("customer_id").agg(
        steps=e.count(),
        given=e.given.any(),
        **{f"s{i}": e[level].max(where=e.step == i) for i in range(max_steps)},
        **{f"b{i}": e[level].max(where=e.back == i) for i in range(tail)},
    )
    per = per.join(outcome, "customer_id")
    full = per.s0
    for i in range(1, max_steps):
        full = full + ibis.ifelse(per[f"s{i}"].notnull(), ARROW + per[f"s{i}"], "")
    short = per.s0
    for i in range(1, head):
        short = short + ARROW + per[f"s{i}"]
    short = short + ARROW + MORE
    for i in reversed(range(tail)):
        short = short + ARROW + per[f"b{i}"]
    per = per.mutate(text=ibis.ifelse(per.steps > max_steps, short, full))
    paths = per.group_by(path=per.text).agg(
        steps=per.steps.max(),
        customers=per.count(),
        converted=per.won.cast("int64").sum(),
        includes_conversion=per.given.any(),
    )
    paths = paths.mutate(total=paths.customers.sum().over())
    paths = paths.order_by([ibis.desc(paths.customers), paths.path]).limit(n)
    out = to_pandas(paths)
    for col in ("steps", "customers", "converted", "total"):
        out[col] = out[col].astype("int64")
    out["includes_conversion"] = out["includes_conversion"].fillna(False).astype(bool)
    out["share"] = out["customers"] / out["total"]
    out["conversion_rate"] = out["converted"] / out["customers"]
    return out[["path", "steps", "customers", "share", "converted", "conversion_rate",
                "includes_conversion"]]


def describe_paths(frame: pd.DataFrame) -> str:
    """One sentence about :func:`top_paths`: the most common path and the best-converting
    path among those taken by at least 30 customers that do not hold the conversion itself."""
    if frame.empty:
        return t("journeys.describe.no_paths")
    top = frame.iloc[0]
    common = {
        "path": top["path"],
        "share": float(top["share"]),
        "rate": float(top["conversion_rate"]),
    }
    big = frame[frame["customers"] >= BIG_PATH]
    if "includes_conversion" in big.columns:
        # A path that holds the conversion itself converts by definition: not a finding.
        big = big[~big["includes_conversion"].astype(bool)]
    if len(big) > 1:
        best = big.loc[big["conversion_rate"].idxmax()]
        if best["path"] != top["path"]:
            return t(
                "journeys.describe.top_and_best_path",
                **common,
                n=BIG_PATH,
                best=best["path"],
                best_rate=float(best["conversion_rate"]),
            )
    return t("journeys.describe.top_path", **common)
