"""Stage funnels: how many customers reach each step, how fast, and where they drop out.

Every function here builds one Ibis query on ``Dataset.table``; only per-step or per-bin
aggregates come back. The shared core is :func:`customer_steps`, the time each customer reached
each step.

Rules (the same for every function):

- Entry is the customer's first event in step 1. In ``"ordered"`` mode each next step is the
  first event of that step's stage at or after the previous step's event (equal timestamps
  count as in order); other events may come between. ``"strict"`` also requires that no other
  stage comes between two steps: the customer's stages, with consecutive repeats collapsed, run
  exactly step 1, step 2, ... (events at the same moment are taken in funnel order). ``"any"``
  only requires each step's stage at or after the entry, in any order.
- ``window`` (``"30d"``, ``"12h"``, ``"90min"``, ``"2w"`` or a ``timedelta``): every step must
  happen within that time of the entry. An event exactly at the end of the window counts.
- A customer counts at step *k* only when they reached steps 1 to *k*, so counts never
  increase from one step to the next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from journeylib import limits
from journeylib.dataset import Dataset
from journeylib.durations import window_seconds
from journeylib.engine import to_pandas
from journeylib.epoch import epoch_micros, epoch_seconds
from journeylib.i18n import label, percent, t
from journeylib.journeys import BUYER_JOURNEY, CUSTOMER_JOURNEY, journey_part

MODES = ("ordered", "strict", "any")
TOP_VALUES = 8
OTHER = "Other"
NONE_VALUE = "(none)"
ALL = "All customers"


@dataclass(frozen=True)
class Exclusion:
    """Leave out customers who hit ``value`` (a stage or, with ``field="touchpoint"``, a
    touchpoint) after reaching step ``after_step`` and before reaching step ``before_step``
    (strictly between the two events; for a customer who never reached ``before_step``, any
    time after ``after_step`` and within the window). Steps are 1-based."""

    value: str
    after_step: int = 1
    before_step: int = 2
    field: str = "stage"


def funnel_stages(ds: Dataset, stages: Sequence[str] | None) -> list[str]:
    """The funnel's steps: ``stages`` as given (distinct, at least one) or all of ``ds.stages``.

    Raises :class:`~journeylib.limits.LimitError` (code ``too_many_funnel_steps``) above the
    funnel-step limit, before any query is built."""
    steps = list(ds.stages if stages is None else stages)
    if not steps:
        raise ValueError("a funnel needs at least one stage")
    limits.check(limits.FUNNEL_STEPS, len(steps))
    if len(set(steps)) != len(steps):
        raise ValueError(f"each stage can be a funnel step only once: {steps}")
    return steps


def customer_steps(
    ds: Dataset,
    stages: Sequence[str] | None = None,
    *,
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
    by: str | None = None,
    exclude: Iterable[Exclusion] | None = None,
) -> ir.Table:
    """Per entering customer, when they reached each step (an Ibis table, not executed).

    Columns: ``customer_id``, ``breakdown`` (the ``by`` value on the customer's first
    touchpoint, ``"(none)"`` when empty; ``"All customers"`` without ``by``), ``t1`` ... ``tN``
    (UTC timestamp of the step's event; null when the step was not reached, and null for every
    step after the first one missed). Only customers with an event in step 1 are present.
    """
    steps, seconds = _checked(ds, stages, window, mode, by)
    t = ds.table
    n = len(steps)
    mins = _firsts(t, steps, seconds, by)
    names = ["customer_id", "breakdown", *(f"t{k}" for k in range(1, n + 1))]
    if mode == "strict":
        exact = _strict_steps(t, steps, seconds)
        out = mins.select("customer_id", "breakdown").join(exact, "customer_id").select(names)
    else:
        regular = _steps_from_firsts(mins, n, seconds, mode)
        exact = _irregular_steps(t, regular, steps, seconds, mode)
        exact = exact.rename(**{f"x{k}": f"t{k}" for k in range(1, n + 1)})
        # A left join rather than a union of filtered parts: the engine then computes the
        # per-customer table once instead of once per filter.
        j = regular.left_join(exact, "customer_id")
        out = j.select(
            "customer_id",
            "breakdown",
            **{f"t{k}": ibis.ifelse(j.irregular, j[f"x{k}"], j[f"t{k}"]) for k in range(1, n + 1)},
        )
    for rule in exclude or ():
        out = _apply_exclusion(out, t, rule, n, seconds)
    return out


def _checked(
    ds: Dataset,
    stages: Sequence[str] | None,
    window: str | dt.timedelta | None,
    mode: str,
    by: str | None,
) -> tuple[list[str], int | None]:
    """The funnel's steps and window in seconds, after checking the arguments."""
    steps = funnel_stages(ds, stages)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    seconds = window_seconds(window)
    columns = ds.table.columns
    if by is not None and (by not in columns or by in ("customer_id", "timestamp")):
        raise ValueError(f"cannot break a funnel down by {by!r}")
    return steps, seconds


def _firsts(t: ir.Table, steps: list[str], seconds: int | None, by: str | None) -> ir.Table:
    """Per customer with an event in step 1 (the one pass over all events): ``customer_id``,
    ``breakdown``, ``m1`` ... ``mN`` (first event of each step's stage) and, with a window,
    ``deadline``."""
    firsts = {f"m{k}": t.timestamp.min(where=t.stage == s) for k, s in enumerate(steps, 1)}
    # Computed once per customer here: DuckDB adds intervals to time-zone-aware timestamps
    # slowly, and the conditions on the steps would repeat the sum for every step.
    if seconds is not None:
        firsts["deadline"] = _deadline(firsts["m1"], seconds)
    if by is not None:
        firsts["breakdown"] = t[by].cast("string").argmin(t.timestamp)
    mins = t.group_by("customer_id").agg(**firsts).filter(lambda m: m.m1.notnull())
    value = ibis.literal(ALL) if by is None else mins.breakdown.fill_null(NONE_VALUE)
    return mins.mutate(breakdown=value)


def _irregular_steps(
    t: ir.Table, regular: ir.Table, steps: list[str], seconds: int | None, mode: str
) -> ir.Table:
    """Exact step times (``customer_id``, ``t1`` ... ``tN``) of the customers that
    :func:`_steps_from_firsts` flags: most customers meet the stages' first events in funnel
    order, and for them the first event of each stage is the step; only the rest need the
    per-event pass."""
    odd = regular.filter(regular.irregular).select("customer_id")
    return _ordered_steps(t.semi_join(odd, "customer_id"), steps, seconds, mode)


def _deadline(t1: ir.TimestampValue, seconds: int | None) -> ir.IntegerValue | None:
    """The window's end as epoch microseconds (None without a window). Integer arithmetic:
    DuckDB adds an interval to a zoned timestamp through the time-zone library, ~10x slower."""
    return None if seconds is None else epoch_micros(t1) + seconds * 1_000_000


def _within(ts: ir.TimestampValue, deadline: ir.IntegerValue) -> ir.BooleanValue:
    """``ts`` at or before the window's end (``deadline`` from :func:`_deadline`)."""
    return epoch_micros(ts) <= deadline


def _steps_from_firsts(mins: ir.Table, n: int, seconds: int | None, mode: str) -> ir.Table:
    """Step times from each stage's first event, flagging customers for whom that is not
    enough: the first event of the stage where they stop comes before the step it must
    follow (a later event of that stage might still count)."""
    ok, early = [], []
    for k in range(2, n + 1):
        m = mins[f"m{k}"]
        after = mins.m1 if mode == "any" else mins[f"m{k - 1}"]
        reached = m >= after
        if seconds is not None:
            reached = reached & _within(m, mins.deadline)
        ok.append((~reached.fill_null(False), k - 1))
        early.append((k - 1, (m < after).fill_null(False)))
    # The number of steps reached, from one CASE, so each condition is evaluated once per
    # customer (the window test adds intervals, which DuckDB does slowly on zoned timestamps).
    level = ibis.cases(*ok, else_=n) if ok else ibis.literal(1)
    mins = mins.mutate(level=level)
    irregular = (
        ibis.cases(*((mins.level == k, cond) for k, cond in early), else_=False)
        if early else ibis.literal(False)  # a one-step funnel: nothing can come out of order
    )
    times = {
        f"t{k}": ibis.ifelse(mins.level >= k, mins[f"m{k}"], ibis.null(mins.m1.type()))
        for k in range(1, n + 1)
    }
    return mins.mutate(**times, irregular=irregular)


def _ordered_steps(events: ir.Table, steps: list[str], seconds: int | None, mode: str):
    """Exact step times from every event (``ordered`` and ``any`` modes), one row per
    customer with an event in step 1: ``customer_id``, ``t1`` ... ``tN``.

    Step by step: the customers who reached step k-1 (with its time) joined to the events of
    step k's stage, keeping each customer's first event at or after the previous step (the
    entry, in ``"any"`` mode) and within the window. Each step is one join of constant size on
    the previous step's table, and the steps come together in one union, so the SQL grows
    linearly with the steps (each step's table is written once, as a common table expression;
    no window functions, QUALIFY or engine-only functions, so it runs on DuckDB and Spark).
    """
    s = events.filter(events.stage == steps[0])
    reached = s.group_by("customer_id").agg(at=s.timestamp.min())
    reached = reached.mutate(entry=reached.at)
    keys = ["customer_id", "entry"]
    if seconds is not None:
        reached = reached.mutate(deadline=_deadline(reached.entry, seconds))
        keys.append("deadline")
    per_step = [reached]
    for stage in steps[1:]:
        s = events.filter(events.stage == stage)
        j = reached.join(s.select("customer_id", event=s.timestamp), "customer_id")
        hit = j.event >= (j.entry if mode == "any" else j.at)
        if seconds is not None:
            hit = hit & _within(j.event, j.deadline)
        j = j.filter(hit)
        reached = j.group_by(keys).agg(at=j.event.min())
        per_step.append(reached)
    parts = [r.select("customer_id", "at", step=ibis.literal(k)) for k, r in enumerate(per_step, 1)]
    long = ibis.union(*parts, distinct=False)
    return long.group_by("customer_id").agg(
        **{f"t{k}": long.at.min(where=long.step == k) for k in range(1, len(steps) + 1)}
    )


def _strict_steps(t: ir.Table, steps: list[str], seconds: int | None) -> ir.Table:
    """Step times in strict mode: runs of one stage, counted from the entry's run."""
    rank = ibis.cases(*((t.stage == s, i) for i, s in enumerate(steps)), else_=len(steps))
    e = t.filter(t.stage.notnull()).mutate(step_rank=rank)
    order = ["timestamp", "step_rank", "source_row"]
    e = e.mutate(previous=e.stage.lag().over(group_by="customer_id", order_by=order))
    e = e.mutate(new_run=ibis.ifelse(e.previous.isnull() | (e.previous != e.stage), 1, 0))
    e = e.mutate(
        run=e.new_run.sum().over(ibis.cumulative_window(group_by="customer_id", order_by=order))
    )
    runs = e.group_by(["customer_id", "run"]).agg(stage=e.stage.max(), start=e.timestamp.min())
    entry = runs.group_by("customer_id").agg(entry_run=runs.run.min(where=runs.stage == steps[0]))
    r = runs.join(entry.filter(entry.entry_run.notnull()), "customer_id")
    r = r.mutate(offset=r.run - r.entry_run)
    starts = {
        f"s{k}": r.start.min(where=(r.offset == k - 1) & (r.stage == s))
        for k, s in enumerate(steps, 1)
    }
    per = r.group_by("customer_id").agg(**starts)
    if seconds is not None:
        per = per.mutate(deadline=_deadline(per.s1, seconds))
    # The steps reached, from one CASE over the first step missed, rather than each step's
    # condition nesting the one before (a query that grew with the square of the steps).
    missed = []
    for k in range(2, len(steps) + 1):
        ok = per[f"s{k}"].notnull()
        if seconds is not None:
            ok = ok & _within(per[f"s{k}"], per.deadline)
        missed.append((~ok.fill_null(False), k - 1))
    per = per.mutate(level=ibis.cases(*missed, else_=len(steps)) if missed else ibis.literal(1))
    none = ibis.null(per.s1.type())
    times = {
        f"t{k}": ibis.ifelse(per.level >= k, per[f"s{k}"], none) for k in range(1, len(steps) + 1)
    }
    return per.select("customer_id", **times)


def _apply_exclusion(
    steps: ir.Table, t: ir.Table, rule: Exclusion, n: int, seconds: int | None
) -> ir.Table:
    if not 1 <= rule.after_step < rule.before_step <= n:
        raise ValueError(
            f"an exclusion must lie between two steps 1..{n} in order, "
            f"not {rule.after_step} -> {rule.before_step}"
        )
    if rule.field not in ("stage", "touchpoint"):
        raise ValueError(f"exclusions match a stage or a touchpoint, not {rule.field!r}")
    hits = t.filter(t[rule.field] == rule.value).select("customer_id", hit=t.timestamp)
    j = steps.join(hits, "customer_id")
    start, end = j[f"t{rule.after_step}"], j[f"t{rule.before_step}"]
    limit = ibis.ifelse(end.notnull(), j.hit < end, ibis.literal(True))
    if seconds is not None:
        limit = limit & _within(j.hit, _deadline(j.t1, seconds))
    excluded = j.filter(start.notnull() & (j.hit > start) & limit).select("customer_id")
    return steps.anti_join(excluded, "customer_id")


def _step_rows(
    t: ir.Table, steps: list[str], seconds: int | None, mode: str, by: str | None
) -> ir.Table:
    """Rows whose per-step counts and gaps add up to the funnel (``"ordered"`` and ``"any"``
    modes): ``breakdown``, ``t1`` ... ``tN`` (as in :func:`customer_steps`) and ``g2`` ...
    ``gN`` (hours from the previous step).

    Every entering customer has a row with the steps reached through the stages' first events.
    A customer flagged irregular at level L (steps 1..L reached that way, and those are their
    exact steps) has a second row with only the steps after L, found from their events. A
    union instead of a join back to the per-customer table: joining a million customers costs
    about as much as grouping the events once more.
    """
    n = len(steps)
    regular = _steps_from_firsts(_firsts(t, steps, seconds, by), n, seconds, mode)
    names = ["breakdown", *(f"t{k}" for k in range(1, n + 1)), *(f"g{k}" for k in range(2, n + 1))]
    first = _with_gaps(regular, n).select(names)
    odd = regular.filter(regular.irregular).select("customer_id", "breakdown", "level")
    x = _with_gaps(_irregular_steps(t, regular, steps, seconds, mode), n).join(odd, "customer_id")
    no_time, no_gap = ibis.null(t.timestamp.type()), ibis.null("float64")
    later = x.select(
        "breakdown",
        **{f"t{k}": ibis.ifelse(x.level < k, x[f"t{k}"], no_time) for k in range(1, n + 1)},
        **{f"g{k}": ibis.ifelse(x.level < k, x[f"g{k}"], no_gap) for k in range(2, n + 1)},
    )
    return first.union(later)


def _with_gaps(steps: ir.Table, n: int) -> ir.Table:
    """``steps`` plus ``g2`` ... ``gN``: hours from step k-1's event to step k's (null unless
    both were reached)."""
    # Each step's time in epoch seconds once, rather than twice (as end and as start of a gap).
    e = steps.mutate(**{f"e{k}": epoch_seconds(steps[f"t{k}"]) for k in range(1, n + 1)})
    gaps = {f"g{k}": (e[f"e{k}"] - e[f"e{k - 1}"]).cast("float64") / 3600 for k in range(2, n + 1)}
    return e.mutate(**gaps).drop(*(f"e{k}" for k in range(1, n + 1)))


def _top_values(steps: ir.Table, top: int = TOP_VALUES) -> ir.Table:
    """Keep the ``top`` breakdown values with the most entering customers (rows with ``t1``);
    the rest become "Other"."""
    counts = steps.group_by("breakdown").agg(n=steps.t1.count())
    counts = counts.mutate(
        rank=ibis.row_number().over(order_by=[ibis.desc(counts.n), counts.breakdown])
    )
    j = steps.join(counts, "breakdown")
    return j.mutate(breakdown=ibis.ifelse(j["rank"] < top, j.breakdown, OTHER)).drop("n", "rank")


def funnel(
    ds: Dataset,
    stages: Sequence[str] | None = None,
    *,
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
    by: str | None = None,
    count: str = "customers",
    exclude: Iterable[Exclusion] | None = None,
) -> pd.DataFrame:
    """Customers reaching each step of a stage funnel (rules in the module docstring).

    ``stages``: the steps in order (default: all of ``ds.stages``). ``by``: break the funnel
    down by ``"segment"``, ``"channel"`` (the channel of the customer's first touchpoint) or
    any other column, using its value on the customer's first touchpoint; the 8 values with
    the most entering customers are kept and the rest grouped as ``"Other"``. ``count``:
    ``"customers"`` (each customer counts once per step; the only unit so far).
    ``exclude``: :class:`Exclusion` rules; excluded customers leave the whole funnel.

    Returns one row per step (and per breakdown value): ``breakdown`` (only with ``by``),
    ``step`` (1-based), ``stage``, ``journey`` ("Buyer journey" up to the purchase stage,
    "Customer journey" after it), ``customers``, ``conversion_from_previous`` and
    ``conversion_from_start`` (fractions 0..1; 0 when nobody reached the previous step),
    ``drop_off`` (customers who reached the previous step but not this one),
    ``median_hours_from_previous`` and ``p90_hours_from_previous`` (hours between the previous
    step's event and this one's, NaN at step 1; in ``"any"`` mode negative when the customer
    did this step first).
    """
    if count != "customers":
        raise ValueError(f"count must be 'customers', not {count!r}")
    steps, seconds = _checked(ds, stages, window, mode, by)
    rules = list(exclude or ())
    n = len(steps)
    if mode == "strict" or rules:
        per = customer_steps(ds, steps, window=window, mode=mode, by=by, exclude=rules)
        rows = _with_gaps(per, n)
    else:
        rows = _step_rows(ds.table, steps, seconds, mode, by)
    if by is not None:
        rows = _top_values(rows)
    metrics = {}
    for k in range(1, n + 1):
        metrics[f"n{k}"] = rows[f"t{k}"].count()
        if k > 1:
            # Both quantiles from one aggregate: the engine sorts each step's gaps once.
            metrics[f"q{k}"] = rows[f"g{k}"].quantile([0.5, 0.9])
    wide = to_pandas(rows.group_by("breakdown").agg(**metrics))
    if by is None and wide.empty:
        wide = pd.DataFrame([{"breakdown": ALL}])
    frame = _long_funnel(ds, wide, steps)
    if by is None:
        return frame.drop(columns="breakdown")
    return frame


def _long_funnel(ds: Dataset, wide: pd.DataFrame, steps: list[str]) -> pd.DataFrame:
    rows = []
    wide = wide.assign(_order=wide.get("n1", 0)).sort_values(
        ["_order", "breakdown"], ascending=[False, True]
    )
    others = wide["breakdown"] == OTHER
    wide = pd.concat([wide[~others], wide[others]])
    for rec in wide.to_dict("records"):
        start = previous = _int(rec.get("n1"))
        for k, stage in enumerate(steps, 1):
            customers = _int(rec.get(f"n{k}"))
            rows.append(
                {
                    "breakdown": rec["breakdown"],
                    "step": k,
                    "stage": stage,
                    "journey": journey_part(ds, stage),
                    "customers": customers,
                    "conversion_from_previous": customers / previous if previous else 0.0,
                    "conversion_from_start": customers / start if start else 0.0,
                    "drop_off": previous - customers,
                    "median_hours_from_previous": _quantile(rec.get(f"q{k}"), 0),
                    "p90_hours_from_previous": _quantile(rec.get(f"q{k}"), 1),
                }
            )
            previous = customers
    return pd.DataFrame.from_records(rows)


def _int(value: object) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _quantile(values: object, i: int) -> float:
    """Element ``i`` of a multi-quantile result (None or NaN entries when nobody converted)."""
    if values is None or not hasattr(values, "__len__") or len(values) <= i:
        return float("nan")
    value = values[i]
    return float("nan") if value is None or pd.isna(value) else float(value)


def _pct(x: float) -> str:
    """A share for a sentence, in the current language; shares below 1% read "<1%"."""
    return percent(x) if x >= 0.01 or x == 0 else "<" + percent(0.01)


def breakdown_label(value: object) -> str:
    """A ``breakdown`` value as shown: the library's own values ("Other", "(none)", "All
    customers") in the current language, the user's values as they are (a segment the user
    named "other" stays "other")."""
    return label(value) if value in (OTHER, NONE_VALUE, ALL) else str(value)


def describe_funnel(frame: pd.DataFrame) -> str:
    """One plain sentence about a :func:`funnel` result: end-to-end conversion and the step
    that loses the largest share of customers. With a breakdown, also the best and worst
    value."""
    if frame.empty:
        return t("funnel.describe.empty")
    if "breakdown" in frame.columns:
        sentence = describe_funnel(_total_funnel(frame))
        groups = frame.groupby("breakdown", sort=False)["customers"]
        start, end = groups.first(), groups.last()
        rate = (end / start)[start > 0]
        if len(rate) > 1:
            sentence += " " + t(
                "funnel.describe.best_and_worst",
                best=breakdown_label(rate.idxmax()),
                best_share=_pct(rate.max()),
                worst=breakdown_label(rate.idxmin()),
                worst_share=_pct(rate.min()),
            )
        return sentence
    first, last = frame.iloc[0], frame.iloc[-1]
    n = int(first["customers"])
    if n == 0:
        return t("funnel.describe.nobody_at_first", stage=first["stage"])
    if len(frame) == 1:
        return t("funnel.describe.one_step", n=n, stage=first["stage"])
    through = {
        "share": _pct(last["conversion_from_start"]),
        "n": n,
        "first": first["stage"],
        "last": last["stage"],
    }
    step = largest_drop(frame)
    if step is None:
        return t("funnel.describe.through", **through)
    worst = frame.loc[frame["step"] == step].iloc[0]
    before = frame.loc[frame["step"] == step - 1, "stage"].iloc[0]
    return t(
        "funnel.describe.through_with_drop",
        **through,
        before=before,
        after=worst["stage"],
        lost=_pct(1 - worst["conversion_from_previous"]),
    )


def largest_drop(frame: pd.DataFrame) -> int | None:
    """The step (2..N) of a :func:`funnel` result without breakdown that keeps the smallest
    share of the step before it; None when no later step had anyone to lose."""
    later = frame.iloc[1:]
    later = later[frame["customers"].shift(1).iloc[1:] > 0]
    if later.empty:
        return None
    return int(later.loc[later["conversion_from_previous"].idxmin(), "step"])


def _total_funnel(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts summed over breakdown values, with conversions recomputed."""
    total = frame.groupby(["step", "stage"], as_index=False)["customers"].sum()
    start = total["customers"].iloc[0]
    previous = total["customers"].shift(1).fillna(start)
    total["conversion_from_previous"] = (total["customers"] / previous.where(previous > 0)).fillna(
        0.0
    )
    total["conversion_from_start"] = total["customers"] / start if start else 0.0
    return total


def journey_parts(frame: pd.DataFrame) -> pd.DataFrame:
    """The buyer journey (steps up to the purchase) and the customer journey (after it) of a
    :func:`funnel` result without breakdown, as two parts of one funnel.

    Returns one row per part present: ``journey``, ``from_stage``, ``to_stage``, ``entered``
    (customers at the part's first step; for the customer journey, the buyers at the last
    buyer-journey step), ``reached`` (customers at the part's last step), ``conversion``
    (0..1; 0 when nobody entered).
    """
    rows = []
    buyer = frame[frame["journey"] == BUYER_JOURNEY]
    after = frame[frame["journey"] == CUSTOMER_JOURNEY]
    if not buyer.empty:
        rows.append((BUYER_JOURNEY, buyer.iloc[0], buyer.iloc[-1]))
    if not after.empty:
        start = buyer.iloc[-1] if not buyer.empty else after.iloc[0]
        rows.append((CUSTOMER_JOURNEY, start, after.iloc[-1]))
    return pd.DataFrame.from_records(
        [
            {
                "journey": part,
                "from_stage": a["stage"],
                "to_stage": b["stage"],
                "entered": int(a["customers"]),
                "reached": int(b["customers"]),
                "conversion": b["customers"] / a["customers"] if a["customers"] else 0.0,
            }
            for part, a, b in rows
        ],
        columns=["journey", "from_stage", "to_stage", "entered", "reached", "conversion"],
    )


def describe_journey_parts(parts: pd.DataFrame) -> str:
    """One sentence about :func:`journey_parts`: how each part of the journey converts."""
    if parts.empty:
        return t("funnel.describe.no_parts")
    sentences = [
        t(
            "funnel.describe.part",
            journey=label(r.journey),
            share=_pct(r.conversion),
            n=int(r.entered),
            first=r.from_stage,
            last=r.to_stage,
        )
        for r in parts.itertuples(index=False)
    ]
    return " ".join(sentences)


def drop_offs(
    ds: Dataset,
    step: int,
    stages: Sequence[str] | None = None,
    *,
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
    exclude: Iterable[Exclusion] | None = None,
) -> pd.DataFrame:
    """The customers lost at ``step`` (2..N): they reached the step before but not this one,
    under the same rules as :func:`funnel` (so their number equals its ``drop_off``).

    Returns one row per customer, most recently seen first: ``customer_id``,
    ``reached_stage`` (the last step reached), ``reached_at`` (UTC), ``last_seen`` (UTC time
    of their latest touchpoint), ``last_stage``, ``last_touchpoint``, ``last_channel``,
    ``touchpoints`` (all of theirs), ``last_rated_touchpoint``, ``last_emotion`` (the score or
    label as written there) and ``last_valence`` (-1..1) from their latest touchpoint with an
    emotion (empty when none), and ``segment`` (on their latest touchpoint).
    """
    steps = funnel_stages(ds, stages)
    if not 2 <= step <= len(steps):
        raise ValueError(f"step must be between 2 and {len(steps)}, not {step}")
    per = customer_steps(ds, steps, window=window, mode=mode, exclude=exclude)
    lost = per.filter(per[f"t{step - 1}"].notnull() & per[f"t{step}"].isnull())
    lost = lost.select("customer_id", reached_at=lost[f"t{step - 1}"])
    t = ds.table.semi_join(lost, "customer_id")
    rated = t.valence.notnull()
    info = t.group_by("customer_id").agg(
        last_seen=t.timestamp.max(),
        last_stage=t.stage.argmax(t.timestamp),
        last_touchpoint=t.touchpoint.argmax(t.timestamp),
        last_channel=t.channel.argmax(t.timestamp),
        touchpoints=t.count(),
        last_rated_touchpoint=t.touchpoint.argmax(t.timestamp, where=rated),
        last_emotion=t.emotion_raw.argmax(t.timestamp, where=rated),
        last_valence=t.valence.argmax(t.timestamp, where=rated),
        segment=t.segment.argmax(t.timestamp),
    )
    out = to_pandas(
        lost.join(info, "customer_id").order_by([ibis.desc("last_seen"), "customer_id"])
    )
    out.insert(1, "reached_stage", steps[step - 2])
    out["touchpoints"] = out["touchpoints"].astype("int64")
    return out[
        [
            "customer_id",
            "reached_stage",
            "reached_at",
            "last_seen",
            "last_stage",
            "last_touchpoint",
            "last_channel",
            "touchpoints",
            "last_rated_touchpoint",
            "last_emotion",
            "last_valence",
            "segment",
        ]
    ]
