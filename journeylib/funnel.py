"""Funnels: how many customers reach each step, how fast, and where they drop out.

Every function here builds one Ibis query on ``Dataset.table``; only per-step or per-bin
aggregates (or the customers asked for) come back. The shared core is :func:`customer_steps`,
the time each customer reached each step. Steps are :class:`~journeylib.funnel_spec.Step`
values (a stage, touchpoint or channel, or a combination) or stage names; the same step may
come several times (its k-th time is the k-th matching touchpoint, never one already used).

Rules (the same for every function):

- **Attempts** (``entry``). With ``"best"`` (the default, as in PostHog, Amplitude, Mixpanel and
  ClickHouse's ``windowFunnel``) every event of step 1 starts an attempt (in ``"any"`` mode,
  every event of any step); the customer counts at the furthest step any attempt reaches, and
  the step times are that attempt's (between attempts reaching equally far, the earliest).
  With ``"first"`` only the customer's first such event starts one.
- **Order** (``mode``). ``"ordered"``: each next step is the first matching event at or after
  the previous step's event (equal timestamps count as in order); other events may come
  between. ``"strict"`` (steps must be distinct stages): no other stage comes between two
  steps: the customer's stages, with consecutive repeats collapsed, run exactly step 1,
  step 2, ... (events at the same moment are taken in funnel order). ``"any"``: any k of the
  steps, in any order, from the attempt's first event: the attempt is at step k when k of the
  steps happened (step k's time is the k-th of them); an event matching two different step
  definitions fills both. ``"any_after_first"``: step 1 first, then each other step at or after
  it in any order (the rule this library had as ``"any"`` before).
- ``window`` (``"30d"``, ``"12h"``, ``"90min"``, ``"2w"``, ``"3mo"`` or a ``timedelta``): every
  step must happen within that time of the attempt's start (months are calendar months, in
  UTC). An event exactly at the end of the window counts.
- **Exclusions** are judged within an attempt: an attempt with an excluded event between its
  steps is dropped; the customer counts at their best remaining attempt (with ``"first"``,
  dropping the only attempt takes the customer out of the funnel).
- A customer counts at step *k* only when they reached steps 1 to *k*, so counts never
  increase from one step to the next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from journeylib import limits
from journeylib.dataset import Dataset
from journeylib.durations import Window, parse_window
from journeylib.engine import to_pandas
from journeylib.epoch import epoch_micros, epoch_seconds
from journeylib.funnel_spec import (
    ENTRIES,
    MODES,
    Exclusion,
    FunnelSpec,
    Step,
    as_steps,
    check_rules,
)
from journeylib.i18n import formats, label, t
from journeylib.journeys import BUYER_JOURNEY, CUSTOMER_JOURNEY, event_key, journey_part

__all__ = ["ENTRIES", "MODES", "Exclusion", "FunnelSpec", "Step"]
TOP_VALUES = 8
OTHER = "Other"
NONE_VALUE = "(none)"
ALL = "All customers"
StepsArg = Sequence[str | Step] | FunnelSpec | None


def funnel_steps(ds: Dataset, stages: StepsArg) -> tuple[Step, ...]:
    """The funnel's steps: ``stages`` as given (stage names or :class:`Step` values, at least
    one; a :class:`FunnelSpec`'s steps) or one step per stage of ``ds.stages``.

    Raises :class:`~journeylib.limits.LimitError` (code ``too_many_funnel_steps``) above the
    funnel-step limit, before any query is built."""
    if isinstance(stages, FunnelSpec):
        stages = stages.steps
    raw = list(ds.stages if stages is None else stages)
    limits.check(limits.FUNNEL_STEPS, len(raw))
    if not raw:
        raise ValueError("a funnel needs at least one step")
    return as_steps(raw)


def funnel_stages(ds: Dataset, stages: StepsArg) -> list[Step]:
    """The funnel's steps as a list (see :func:`funnel_steps`), for callers that pass them on
    to :func:`customer_steps` or :func:`funnel`; ``Step.name()`` gives each step's name."""
    return list(funnel_steps(ds, stages))


def customer_steps(
    ds: Dataset,
    stages: StepsArg = None,
    *,
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
    by: str | None = None,
    exclude: Iterable[Exclusion] | None = None,
    entry: str = "best",
) -> ir.Table:
    """Per entering customer, when they reached each step (an Ibis table, not executed).

    Columns: ``customer_id``, ``breakdown`` (the ``by`` value on the customer's first
    touchpoint, ``"(none)"`` when empty; ``"All customers"`` without ``by``), ``t1`` ... ``tN``
    (UTC timestamp of the step's event in the attempt that counts; null when the step was not
    reached, and null for every step after the first one missed). Only customers with an
    attempt (an event in step 1; in ``"any"`` mode, in any step) that no exclusion dropped are
    present.
    """
    steps, win = _checked(ds, stages, window, mode, by, entry)
    rules = list(exclude or ())
    n = len(steps)
    for rule in rules:
        _check_exclusion(rule, n)
    t = ds.table
    if _best_from_firsts(steps, mode, entry):
        if mode == "any":
            return _best_unordered_steps(t, steps, win, by, rules)
        return _best_ordered_steps(t, steps, win, mode, by, rules)
    if not _fast(steps, mode, entry):
        chosen = _best_attempts(t, steps, win, mode, entry, rules)
        return _with_breakdown(chosen, t, by, n)
    stage_names = [s.stage for s in steps]
    mins = _firsts(t, stage_names, win, by)
    names = ["customer_id", "breakdown", *(f"t{k}" for k in range(1, n + 1))]
    if mode == "strict":
        exact = _strict_steps(t, stage_names, win)
        out = mins.select("customer_id", "breakdown").join(exact, "customer_id").select(names)
    else:
        regular = _steps_from_firsts(mins, n, win, mode)
        exact = _irregular_steps(t, regular, stage_names, win, mode)
        exact = exact.rename(**{f"x{k}": f"t{k}" for k in range(1, n + 1)})
        # A left join rather than a union of filtered parts: the engine then computes the
        # per-customer table once instead of once per filter.
        j = regular.left_join(exact, "customer_id")
        out = j.select(
            "customer_id",
            "breakdown",
            **{f"t{k}": ibis.ifelse(j.irregular, j[f"x{k}"], j[f"t{k}"]) for k in range(1, n + 1)},
        )
    for rule in rules:
        out = _apply_exclusion(out, t, rule, win)
    return out


def _fast(steps: Sequence[Step], mode: str, entry: str) -> bool:
    """Whether the first-entry queries over each stage's first event apply: first entry,
    distinct stage-only steps, a mode other than ``"any"``."""
    stages = [s.stage for s in steps]
    return (
        entry == "first"
        and mode != "any"
        and all(s.only_stage() for s in steps)
        and len(set(stages)) == len(stages)
    )


def _best_from_firsts(steps: Sequence[Step], mode: str, entry: str) -> bool:
    """Whether the best attempt can start from each step's first event per customer (see
    :func:`_best_ordered_steps` and :func:`_best_unordered_steps`): best attempt, no event
    matching two steps (so no step twice either), a mode other than ``"strict"``."""
    return entry == "best" and mode != "strict" and _disjoint(steps)


def _best_ordered_steps(
    t: ir.Table, steps: Sequence[Step], win: Window | None, mode: str, by: str | None,
    rules: Sequence[Exclusion] = (),
) -> ir.Table:
    """The best attempt (``"ordered"`` and ``"any_after_first"``) from each step's first event
    for most customers, and from every attempt only for the few who need it: columns of
    :func:`customer_steps`.

    The first attempt (at the first step-1 event) has the earliest event of every step it
    reaches, so no later attempt reaches further unless the window stopped the first one
    (without a window it always counts, and on equal reach the earliest attempt wins). When
    the first attempt stops at step L < N and the customer has no event of step L+1 at all,
    no attempt can reach step L+1: the first attempt counts, and its steps are the ones
    :func:`_steps_from_firsts` finds. Only customers at L < N with an event of step L+1 (the
    window stopped them, or their events came out of order) go through
    :func:`_best_attempts`, and so do those whose first attempt an exclusion drops (see
    :func:`_first_or_every`)."""
    n = len(steps)
    regular = _steps_from_firsts(_firsts(t, steps, win, by), n, win, mode)
    retry = (
        ibis.cases(*((regular.level == k, regular[f"m{k + 1}"].notnull()) for k in range(1, n)),
                   else_=False)
        if n > 1 else ibis.literal(False)
    )
    regular = regular.mutate(retry=retry)
    names = ["customer_id", "breakdown", *(f"t{k}" for k in range(1, n + 1))]
    first = regular.filter(~regular.retry).select(names)
    odd = regular.filter(regular.retry).select("customer_id", "breakdown")
    return _first_or_every(t, steps, win, mode, rules, first, odd)


def _first_or_every(
    t: ir.Table, steps: Sequence[Step], win: Window | None, mode: str,
    rules: Sequence[Exclusion], first: ir.Table, odd: ir.Table,
) -> ir.Table:
    """``first`` (the first attempt's rows, columns of :func:`customer_steps`, of customers for
    whom it is the best attempt unless excluded) and, for the customers of ``odd``
    (``customer_id``, ``breakdown``) and those of ``first`` whose first attempt an exclusion
    drops, the best attempt of :func:`_best_attempts`: one union."""
    names = ["customer_id", "breakdown", *(f"t{k}" for k in range(1, len(steps) + 1))]
    if rules:
        dropped = ibis.union(*(_excluded_customers(first, t, rule, win) for rule in rules),
                             distinct=True)
        odd = odd.union(first.semi_join(dropped, "customer_id").select(odd.columns))
        first = first.anti_join(dropped, "customer_id")
    exact = _best_attempts(t.semi_join(odd, "customer_id"), steps, win, mode, "best", rules)
    return first.union(exact.join(odd, "customer_id").select(names))


def _best_unordered_steps(
    t: ir.Table, steps: Sequence[Step], win: Window | None, by: str | None,
    rules: Sequence[Exclusion] = (),
) -> ir.Table:
    """The best attempt in ``"any"`` mode (steps that no event matches twice) from each step's
    first event for customers whose step events all lie within the window of their first
    one, and from every attempt for the rest: columns of :func:`customer_steps`.

    The first attempt (at the customer's first step event) then sees every step event, so no
    later attempt counts more steps, and it is the earliest; its step k is the k-th of the
    steps' first events (the first events sorted per customer: a few rows each). Customers
    whose first attempt an exclusion drops go through :func:`_best_attempts` too."""
    n = len(steps)
    hit = ibis.or_(*(s.matches(t) for s in steps))
    firsts = {f"m{k}": t.timestamp.min(where=s.matches(t)) for k, s in enumerate(steps, 1)}
    firsts["start"] = t.timestamp.min(where=hit)
    firsts["last"] = t.timestamp.max(where=hit)
    if by is not None:
        firsts["breakdown"] = t[by].cast("string").argmin(event_key(t))
    mins = t.group_by("customer_id").agg(**firsts).filter(lambda m: m.start.notnull())
    value = ibis.literal(ALL) if by is None else mins.breakdown.fill_null(NONE_VALUE)
    mins = mins.mutate(breakdown=value)
    inside = (ibis.literal(True) if win is None
              else _within(mins["last"], _deadline(mins.start, win)))
    mins = mins.mutate(inside=inside)
    names = ["customer_id", "breakdown", *(f"t{k}" for k in range(1, n + 1))]
    easy = mins.filter(mins.inside)
    long = ibis.union(*(
        easy.select("customer_id", at=easy[f"m{k}"]) for k in range(1, n + 1)
    ), distinct=False)
    long = long.filter(long.at.notnull())
    long = long.mutate(position=ibis.row_number().over(
        ibis.window(group_by="customer_id", order_by=[long.at])))
    first = long.group_by("customer_id").agg(
        **{f"t{k}": long.at.min(where=long.position == k - 1) for k in range(1, n + 1)})
    first = first.join(easy.select("customer_id", "breakdown"), "customer_id").select(names)
    odd = mins.filter(~mins.inside).select("customer_id", "breakdown")
    return _first_or_every(t, steps, win, "any", rules, first, odd)


def _checked(
    ds: Dataset,
    stages: StepsArg,
    window: str | dt.timedelta | None,
    mode: str,
    by: str | None,
    entry: str = "best",
) -> tuple[tuple[Step, ...], Window | None]:
    """The funnel's steps and window, after checking the arguments."""
    steps = funnel_steps(ds, stages)
    check_rules(steps, mode, entry)
    win = parse_window(window)
    columns = ds.table.columns
    if by is not None and (by not in columns or by in ("customer_id", "timestamp")):
        raise ValueError(f"cannot break a funnel down by {by!r}")
    return steps, win


def _check_exclusion(rule: Exclusion, n: int) -> None:
    if not 1 <= rule.after_step < rule.before_step <= n:
        raise ValueError(
            f"an exclusion must lie between two steps 1..{n} in order, "
            f"not {rule.after_step} -> {rule.before_step}"
        )
    if rule.field not in ("stage", "touchpoint", "channel"):
        raise ValueError(f"exclusions match a stage, touchpoint or channel, not {rule.field!r}")


# --- Attempts -------------------------------------------------------------------------------
# Each attempt is keyed by (customer_id, start_row): the source row of the event that starts
# it. Ties in time are ordered by (timestamp, source_row) everywhere, so every engine picks
# the same events; window values go into a column before any filter on them (Spark).


def _step_events(t: ir.Table, step: Step) -> ir.Table:
    """``customer_id``, ``ts``, ``row`` of the events matching ``step``."""
    e = t.filter(step.matches(t))
    return e.select("customer_id", ts=e.timestamp, row=e.source_row)


def _first_only(e: ir.Table, key: str = "customer_id") -> ir.Table:
    """Each customer's first row of ``e`` by (``ts``, ``row``)."""
    w = ibis.window(group_by=key, order_by=["ts", "row"])
    e = e.mutate(_rank=ibis.row_number().over(w))
    return e.filter(e._rank == 0).drop("_rank")


def _starts(events: ir.Table, win: Window | None, entry: str) -> ir.Table:
    """Attempts: ``customer_id``, ``start_row``, ``start`` and, with a window, ``deadline``."""
    if entry == "first":
        events = _first_only(events)
    a = events.select("customer_id", start_row=events.row, start=events.ts)
    return a if win is None else a.mutate(deadline=_deadline(a.start, win))


def _best_attempts(
    t: ir.Table, steps: Sequence[Step], win: Window | None, mode: str, entry: str,
    rules: Sequence[Exclusion],
) -> ir.Table:
    """The attempt that counts per customer: ``customer_id``, ``t1`` ... ``tN``."""
    if mode == "any" and _disjoint(list(dict.fromkeys(steps))):
        per = _linear_unordered(t, steps, win, entry)
    elif mode == "any":
        per = _unordered_attempts(t, steps, win, entry)
    elif mode == "strict":
        per = _strict_attempts(t, [s.stage for s in steps], win, entry)
    elif _disjoint(steps):
        per = _linear_attempts(t, steps, win, mode, entry)
    else:
        per = _ordered_attempts(t, steps, win, mode, entry)
    n = len(steps)
    for rule in rules:
        per = _drop_excluded(per, t, rule)
    level = sum((per[f"t{k}"].notnull().cast("int64") for k in range(1, n + 1)),
                ibis.literal(0))
    per = per.mutate(level=level)
    w = ibis.window(group_by="customer_id",
                    order_by=[ibis.desc(per.level), per.start, per.start_row])
    per = per.mutate(_rank=ibis.row_number().over(w))
    return per.filter(per._rank == 0).select("customer_id", *(f"t{k}" for k in range(1, n + 1)))


def _disjoint(steps: Sequence[Step]) -> bool:
    """Whether no event can match two of the steps (e.g. distinct stages)."""
    return all(a.disjoint(b) for i, a in enumerate(steps) for b in steps[i + 1:])


def _linear_attempts(
    t: ir.Table, steps: Sequence[Step], win: Window | None, mode: str, entry: str
) -> ir.Table:
    """Step times of every attempt (``"ordered"`` and ``"any_after_first"``) when no event can
    match two steps: columns as :func:`_ordered_attempts`, in work linear in the events.

    The steps' events in one table, ordered per customer by (time, step, row); on each, one
    window aggregate per step gives the first event of that step at or after it (events of a
    later step at the same moment come after it in that order, so they count, as the rules
    say). An attempt's step k+1 is then the value on its step-k event: a join on (customer,
    time) per step, each one row per attempt, instead of every attempt meeting every event."""
    n = len(steps)
    idx = ibis.cases(*((s.matches(t), i) for i, s in enumerate(steps)), else_=-1)
    e = t.mutate(step=idx)
    e = e.filter(e.step >= 0).select("customer_id", ts=e.timestamp, row=e.source_row, step="step")
    w = ibis.window(group_by="customer_id", order_by=[e.ts, e.step, e.row], rows=(0, None))
    e = e.mutate(**{f"next{k}": e.ts.min(where=e.step == k).over(w) for k in range(1, n)})
    a = _starts(e.filter(e.step == 0), win, entry)
    first = e.filter(e.step == 0).select("customer_id", start_row="row",
                                          **{f"next{k}": f"next{k}" for k in range(1, n)})
    a = a.join(first, ["customer_id", "start_row"])
    keys = ["customer_id", "start_row", "start", *(["deadline"] if win is not None else [])]
    a = a.mutate(t1=a.start)
    none = ibis.null(a.start.type())

    def inside(ts):
        return ts.notnull() if win is None else ts.notnull() & _within(ts, a.deadline)

    if mode == "any_after_first":
        # The steps reached, from one CASE over the first step missed (no nesting).
        missed = [(~inside(a[f"next{k - 1}"]), k - 1) for k in range(2, n + 1)]
        a = a.mutate(level=ibis.cases(*missed, else_=n) if missed else ibis.literal(1))
        return a.select(*keys, t1="t1", **{
            f"t{k}": ibis.ifelse(a.level >= k, a[f"next{k - 1}"], none) for k in range(2, n + 1)
        })
    # Times only grow along an attempt, so the window is applied once at the end; a step
    # not found stays null through the later joins.
    a = a.select(*keys, "t1", *(["next1"] if n > 1 else []))
    if n > 1:
        a = a.rename(t2="next1")
    for k in range(2, n):
        # The first event of step k+1 at or after the attempt's step-k event.
        at = e.filter(e.step == k - 1)
        lookup = at.group_by(["customer_id", "ts"]).agg(found=at[f"next{k}"].min())
        j = a.left_join(lookup, [a.customer_id == lookup.customer_id, a[f"t{k}"] == lookup.ts])
        a = j.select(*keys, *(f"t{i}" for i in range(1, k + 1)), **{f"t{k + 1}": j.found})
    if win is None:
        return a
    return a.select(*keys, **{f"t{k}": ibis.ifelse(inside(a[f"t{k}"]), a[f"t{k}"], none)
                              for k in range(1, n + 1)})


def _ordered_attempts(
    t: ir.Table, steps: Sequence[Step], win: Window | None, mode: str, entry: str
) -> ir.Table:
    """Step times of every attempt (``"ordered"`` and ``"any_after_first"``): ``customer_id``,
    ``start_row``, ``start``, ``deadline`` (with a window), ``t1`` ... ``tN``.

    Step by step: the attempts that reached step k-1 joined to the customer's events of step
    k, keeping per attempt the first (by time, then row) at or after the previous step (the
    start, in ``"any_after_first"``), within the window and not already used by an earlier
    step that could match it. One join per step on the previous step's table: the query grows
    linearly with the steps (the used-event checks, only between steps that can match the same
    event, at most quadratically)."""
    n = len(steps)
    keys = ["customer_id", "start_row", "start", *(["deadline"] if win is not None else [])]
    # The events of step j whose row a later step must not reuse.
    keep_row = {
        j for j in range(n) if any(not steps[j].disjoint(steps[k]) for k in range(j + 1, n))
    }
    s = _starts(_step_events(t, steps[0]), win, entry)
    reached = s.mutate(at=s.start, **({"r0": s.start_row} if 0 in keep_row else {}))
    per_step = [reached.select(*keys, "at", step=ibis.literal(1))]
    used: list[str] = ["r0"] if 0 in keep_row else []
    for k in range(1, n):
        e = _step_events(t, steps[k])
        j = reached.join(e, "customer_id")
        hit = j.ts >= (j.start if mode == "any_after_first" else j.at)
        if win is not None:
            hit = hit & _within(j.ts, j.deadline)
        for name in used:
            if not steps[int(name[1:])].disjoint(steps[k]):
                hit = hit & (j.row != j[name])
        j = j.filter(hit)
        carry = [*keys, *used]
        if k in keep_row:
            w = ibis.window(group_by=["customer_id", "start_row"], order_by=[j.ts, j.row])
            j = j.mutate(_rank=ibis.row_number().over(w))
            j = j.filter(j._rank == 0)
            reached = j.select(*carry, at=j.ts, **{f"r{k}": j.row})
            used.append(f"r{k}")
        else:
            reached = j.group_by(carry).agg(at=j.ts.min())
        per_step.append(reached.select(*keys, "at", step=ibis.literal(k + 1)))
    return _pivot(per_step, keys, n)


def _pivot(parts: list[ir.Table], keys: list[str], n: int) -> ir.Table:
    """One row per attempt from per-step rows (``at``, ``step``): ``keys``, ``t1`` ...
    ``tN``."""
    long = ibis.union(*parts, distinct=False)
    return long.group_by(keys).agg(
        **{f"t{k}": long.at.min(where=long.step == k) for k in range(1, n + 1)}
    )


def _linear_unordered(
    t: ir.Table, steps: Sequence[Step], win: Window | None, entry: str
) -> ir.Table:
    """Step times of every attempt in ``"any"`` mode when no event can match two different
    step definitions: the rules of :func:`_unordered_attempts`, in work linear in the events.

    Each definition's events are numbered in time order; per moment a customer has step
    events, one window pass gives the number of each definition's first event at or after it.
    An attempt (one per such moment: attempts starting together are the same) then needs the
    definition's events with those numbers and the next ones (as many as the definition
    appears in the funnel): one equi-join, one row per attempt and step."""
    n = len(steps)
    kinds = list(dict.fromkeys(steps))
    times = {d: steps.count(d) for d in kinds}
    kind = ibis.cases(*((d.matches(t), i) for i, d in enumerate(kinds)), else_=-1)
    e = t.mutate(kind=kind)
    e = e.filter(e.kind >= 0).select("customer_id", ts=e.timestamp, row=e.source_row,
                                     kind="kind")
    e = e.mutate(i=ibis.row_number().over(
        ibis.window(group_by=["customer_id", "kind"], order_by=[e.ts, e.row])))
    g = e.group_by(["customer_id", "ts"]).agg(
        row=e.row.min(), **{f"first{i}": e.i.min(where=e.kind == i) for i in range(len(kinds))})
    w = ibis.window(group_by="customer_id", order_by=[g.ts], rows=(0, None))
    g = g.mutate(**{f"from{i}": g[f"first{i}"].min().over(w) for i in range(len(kinds))})
    if entry == "first":
        g = _first_only(g)
    a = g.select("customer_id", start_row=g.row, start=g.ts,
                 **{f"from{i}": f"from{i}" for i in range(len(kinds))})
    if win is not None:
        a = a.mutate(deadline=_deadline(a.start, win))
    keys = ["customer_id", "start_row", "start", *(["deadline"] if win is not None else [])]
    wanted = ibis.union(*(
        a.select(*keys, kind=ibis.literal(i), i=a[f"from{i}"] + j)
        for i, d in enumerate(kinds) for j in range(times[d])
    ), distinct=False)
    j = wanted.join(e.select("customer_id", "kind", "i", "ts", "row"),
                    ["customer_id", "kind", "i"])
    if win is not None:
        j = j.filter(_within(j.ts, j.deadline))
    j = j.mutate(position=ibis.row_number().over(
        ibis.window(group_by=["customer_id", "start_row"], order_by=[j.ts, j.row, j.kind])))
    per = j.group_by(keys).agg(
        **{f"t{k}": j.ts.min(where=j.position == k - 1) for k in range(1, n + 1)})
    return per


def _unordered_attempts(
    t: ir.Table, steps: Sequence[Step], win: Window | None, entry: str
) -> ir.Table:
    """Step times of every attempt in ``"any"`` mode: ``customer_id``, ``start_row``,
    ``start``, ``deadline`` (with a window), ``t1`` ... ``tN``.

    An attempt starts at any event of any step; its events are those at or after the start
    and within the window. A step defined m times counts its first m events there; step k's
    time is the k-th of the counted events (by time, then row). Work: every attempt meets the
    customer's step events once (linear in the steps)."""
    n = len(steps)
    kinds = list(dict.fromkeys(steps))
    times = {d: steps.count(d) for d in kinds}
    pairs = ibis.union(
        *(_step_events(t, d).mutate(kind=ibis.literal(i)) for i, d in enumerate(kinds)),
        distinct=False,
    )
    events = pairs.select("customer_id", "ts", "row").distinct()
    a = _starts(events, win, entry)
    keys = list(a.columns)
    j = a.join(pairs, "customer_id")
    hit = j.ts >= j.start
    if win is not None:
        hit = hit & _within(j.ts, j.deadline)
    j = j.filter(hit)
    w = ibis.window(group_by=["customer_id", "start_row", "kind"], order_by=[j.ts, j.row])
    j = j.mutate(nth=ibis.row_number().over(w))
    allowed = ibis.cases(*((j.kind == i, times[d]) for i, d in enumerate(kinds)), else_=0)
    j = j.mutate(allowed=allowed)
    j = j.filter(j.nth < j.allowed)
    w = ibis.window(group_by=["customer_id", "start_row"], order_by=[j.ts, j.row, j.kind])
    j = j.mutate(position=ibis.row_number().over(w))
    return j.group_by(keys).agg(
        **{f"t{k}": j.ts.min(where=j.position == k - 1) for k in range(1, n + 1)}
    )


def _strict_attempts(
    t: ir.Table, steps: list[str], win: Window | None, entry: str
) -> ir.Table:
    """Step times of every attempt in ``"strict"`` mode: each step-1 event starts one; step k
    is the start of the (k-1)-th run of one stage after the event's run, when that run is of
    step k's stage and within the window. Columns as :func:`_ordered_attempts`."""
    n = len(steps)
    e = _stage_runs(t, steps)
    first = e.filter(e.stage == steps[0])
    first = first.select("customer_id", ts=first.timestamp, row=first.source_row,
                         start_run=first.run)
    if entry == "first":
        first = _first_only(first)
    a = first.select("customer_id", start_row=first.row, start=first.ts, start_run="start_run")
    if win is not None:
        a = a.mutate(deadline=_deadline(a.start, win))
    keys = [c for c in a.columns if c != "start_run"]
    runs = e.group_by(["customer_id", "run"]).agg(stage=e.stage.max(), run_start=e.timestamp.min())
    # The runs each attempt needs, by number: an equi-join, n-1 rows per attempt.
    later = None
    if n > 1:
        wanted = ibis.union(*(
            a.select(*keys, offset=ibis.literal(k), run=a.start_run + k) for k in range(1, n)
        ), distinct=False)
        j = wanted.join(runs, ["customer_id", "run"])
        later = j.group_by(keys).agg(**{
            f"s{k}": j.run_start.min(where=(j.offset == k - 1) & (j.stage == s))
            for k, s in enumerate(steps, 1) if k > 1
        })
    per = a.select(*keys) if later is None else a.select(*keys).left_join(later, keys)
    per = per.select(*keys, *(f"s{k}" for k in range(2, n + 1)))
    missed = []
    for k in range(2, n + 1):
        ok = per[f"s{k}"].notnull()
        if win is not None:
            ok = ok & _within(per[f"s{k}"], per.deadline)
        missed.append((~ok.fill_null(False), k - 1))
    level = ibis.cases(*missed, else_=n) if missed else ibis.literal(1)
    per = per.mutate(level=level)
    none = ibis.null(per.start.type())
    times = {"t1": per.start, **{
        f"t{k}": ibis.ifelse(per.level >= k, per[f"s{k}"], none) for k in range(2, n + 1)
    }}
    return per.select(*keys, **times)


def _drop_excluded(per: ir.Table, t: ir.Table, rule: Exclusion) -> ir.Table:
    """``per`` (one row per attempt) without the attempts ``rule`` excludes."""
    hits = t.filter(t[rule.field] == rule.value).select("customer_id", hit=t.timestamp)
    j = per.join(hits, "customer_id")
    start, end = j[f"t{rule.after_step}"], j[f"t{rule.before_step}"]
    limit = ibis.ifelse(end.notnull(), j.hit < end, ibis.literal(True))
    if "deadline" in per.columns:
        limit = limit & _within(j.hit, j.deadline)
    excluded = j.filter(start.notnull() & (j.hit > start) & limit)
    return per.anti_join(excluded.select("customer_id", "start_row").distinct(),
                         ["customer_id", "start_row"])


def _with_breakdown(per: ir.Table, t: ir.Table, by: str | None, n: int) -> ir.Table:
    """``per`` with ``breakdown`` (the ``by`` value on the customer's first touchpoint)."""
    names = ["customer_id", "breakdown", *(f"t{k}" for k in range(1, n + 1))]
    if by is None:
        return per.mutate(breakdown=ibis.literal(ALL)).select(names)
    first = t.semi_join(per, "customer_id")
    value = first[by].cast("string").argmin(event_key(first))
    first = first.group_by("customer_id").agg(value=value)
    j = per.join(first, "customer_id")
    return j.mutate(breakdown=j.value.fill_null(NONE_VALUE)).select(names)


def _stage_runs(t: ir.Table, steps: list[str]) -> ir.Table:
    """Events with a stage and ``run``: the number of the run of one stage they belong to, per
    customer (events at the same moment in funnel order, then by source row)."""
    rank = ibis.cases(*((t.stage == s, i) for i, s in enumerate(steps)), else_=len(steps))
    e = t.filter(t.stage.notnull()).mutate(step_rank=rank)
    order = ["timestamp", "step_rank", "source_row"]
    e = e.mutate(previous=e.stage.lag().over(group_by="customer_id", order_by=order))
    e = e.mutate(new_run=ibis.ifelse(e.previous.isnull() | (e.previous != e.stage), 1, 0))
    return e.mutate(
        run=e.new_run.sum().over(ibis.cumulative_window(group_by="customer_id", order_by=order))
    )


def _firsts(
    t: ir.Table, steps: Sequence[str | Step], win: Window | None, by: str | None
) -> ir.Table:
    """Per customer with an event in step 1 (the one pass over all events): ``customer_id``,
    ``breakdown``, ``m1`` ... ``mN`` (first event of each step: a stage name or a
    :class:`Step`) and, with a window, ``deadline``."""
    conditions = [t.stage == s if isinstance(s, str) else s.matches(t) for s in steps]
    firsts = {f"m{k}": t.timestamp.min(where=c) for k, c in enumerate(conditions, 1)}
    # Computed once per customer here: DuckDB adds intervals to time-zone-aware timestamps
    # slowly, and the conditions on the steps would repeat the sum for every step.
    if win is not None:
        firsts["deadline"] = _deadline(firsts["m1"], win)
    if by is not None:
        firsts["breakdown"] = t[by].cast("string").argmin(event_key(t))
    mins = t.group_by("customer_id").agg(**firsts).filter(lambda m: m.m1.notnull())
    value = ibis.literal(ALL) if by is None else mins.breakdown.fill_null(NONE_VALUE)
    return mins.mutate(breakdown=value)


def _irregular_steps(
    t: ir.Table, regular: ir.Table, steps: list[str], win: Window | None, mode: str
) -> ir.Table:
    """Exact step times (``customer_id``, ``t1`` ... ``tN``) of the customers that
    :func:`_steps_from_firsts` flags: most customers meet the stages' first events in funnel
    order, and for them the first event of each stage is the step; only the rest need the
    per-event pass."""
    odd = regular.filter(regular.irregular).select("customer_id")
    return _ordered_steps(t.semi_join(odd, "customer_id"), steps, win, mode)


def _deadline(t1: ir.TimestampValue, win: Window | None) -> ir.IntegerValue | None:
    """The window's end as epoch microseconds (None without a window). Integer arithmetic for
    fixed lengths: DuckDB adds an interval to a zoned timestamp through the time-zone library,
    ~10x slower; calendar months need that addition (in the session's UTC)."""
    if win is None:
        return None
    if win.months is not None:
        return epoch_micros(t1 + ibis.interval(months=win.months))
    return epoch_micros(t1) + win.seconds * 1_000_000


def _within(ts: ir.TimestampValue, deadline: ir.IntegerValue) -> ir.BooleanValue:
    """``ts`` at or before the window's end (``deadline`` from :func:`_deadline`)."""
    return epoch_micros(ts) <= deadline


def _steps_from_firsts(mins: ir.Table, n: int, win: Window | None, mode: str) -> ir.Table:
    """Step times from each stage's first event, flagging customers for whom that is not
    enough: the first event of the stage where they stop comes before the step it must
    follow (a later event of that stage might still count)."""
    ok, early = [], []
    for k in range(2, n + 1):
        m = mins[f"m{k}"]
        after = mins.m1 if mode == "any_after_first" else mins[f"m{k - 1}"]
        reached = m >= after
        if win is not None:
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


def _ordered_steps(events: ir.Table, steps: list[str], win: Window | None, mode: str):
    """Exact step times from every event (``ordered`` and ``any_after_first`` modes), one row per
    customer with an event in step 1: ``customer_id``, ``t1`` ... ``tN``.

    Step by step: the customers who reached step k-1 (with its time) joined to the events of
    step k's stage, keeping each customer's first event at or after the previous step (the
    entry, in ``"any_after_first"`` mode) and within the window. Each step is one join of
    constant size on the previous step's table, and the steps come together in one union, so
    the SQL grows linearly with the steps (each step's table is written once, as a common
    table expression; no window functions, QUALIFY or engine-only functions, so it runs on
    DuckDB and Spark).
    """
    s = events.filter(events.stage == steps[0])
    reached = s.group_by("customer_id").agg(at=s.timestamp.min())
    reached = reached.mutate(entry=reached.at)
    keys = ["customer_id", "entry"]
    if win is not None:
        reached = reached.mutate(deadline=_deadline(reached.entry, win))
        keys.append("deadline")
    per_step = [reached]
    for stage in steps[1:]:
        s = events.filter(events.stage == stage)
        j = reached.join(s.select("customer_id", event=s.timestamp), "customer_id")
        hit = j.event >= (j.entry if mode == "any_after_first" else j.at)
        if win is not None:
            hit = hit & _within(j.event, j.deadline)
        j = j.filter(hit)
        reached = j.group_by(keys).agg(at=j.event.min())
        per_step.append(reached)
    parts = [r.select("customer_id", "at", step=ibis.literal(k)) for k, r in enumerate(per_step, 1)]
    long = ibis.union(*parts, distinct=False)
    return long.group_by("customer_id").agg(
        **{f"t{k}": long.at.min(where=long.step == k) for k in range(1, len(steps) + 1)}
    )


def _strict_steps(t: ir.Table, steps: list[str], win: Window | None) -> ir.Table:
    """Step times in strict mode: runs of one stage, counted from the entry's run."""
    e = _stage_runs(t, steps)
    runs = e.group_by(["customer_id", "run"]).agg(stage=e.stage.max(), start=e.timestamp.min())
    entry = runs.group_by("customer_id").agg(entry_run=runs.run.min(where=runs.stage == steps[0]))
    r = runs.join(entry.filter(entry.entry_run.notnull()), "customer_id")
    r = r.mutate(offset=r.run - r.entry_run)
    starts = {
        f"s{k}": r.start.min(where=(r.offset == k - 1) & (r.stage == s))
        for k, s in enumerate(steps, 1)
    }
    per = r.group_by("customer_id").agg(**starts)
    if win is not None:
        per = per.mutate(deadline=_deadline(per.s1, win))
    # The steps reached, from one CASE over the first step missed, rather than each step's
    # condition nesting the one before (a query that grew with the square of the steps).
    missed = []
    for k in range(2, len(steps) + 1):
        ok = per[f"s{k}"].notnull()
        if win is not None:
            ok = ok & _within(per[f"s{k}"], per.deadline)
        missed.append((~ok.fill_null(False), k - 1))
    per = per.mutate(level=ibis.cases(*missed, else_=len(steps)) if missed else ibis.literal(1))
    none = ibis.null(per.s1.type())
    times = {
        f"t{k}": ibis.ifelse(per.level >= k, per[f"s{k}"], none) for k in range(1, len(steps) + 1)
    }
    return per.select("customer_id", **times)


def _apply_exclusion(
    steps: ir.Table, t: ir.Table, rule: Exclusion, win: Window | None
) -> ir.Table:
    """``steps`` (one row per customer, first entry) without the customers ``rule`` excludes."""
    return steps.anti_join(_excluded_customers(steps, t, rule, win), "customer_id")


def _excluded_customers(
    steps: ir.Table, t: ir.Table, rule: Exclusion, win: Window | None
) -> ir.Table:
    """``customer_id`` of the rows of ``steps`` (one attempt per customer: ``t1`` ... ``tN``)
    that ``rule`` excludes (once per excluded event)."""
    hits = t.filter(t[rule.field] == rule.value).select("customer_id", hit=t.timestamp)
    j = steps.join(hits, "customer_id")
    start, end = j[f"t{rule.after_step}"], j[f"t{rule.before_step}"]
    limit = ibis.ifelse(end.notnull(), j.hit < end, ibis.literal(True))
    if win is not None:
        limit = limit & _within(j.hit, _deadline(j.t1, win))
    return j.filter(start.notnull() & (j.hit > start) & limit).select("customer_id")


def _step_rows(
    t: ir.Table, steps: list[str], win: Window | None, mode: str, by: str | None
) -> ir.Table:
    """Rows whose per-step counts and gaps add up to the funnel (first entry, ``"ordered"``
    and ``"any_after_first"`` modes): ``breakdown``, ``t1`` ... ``tN`` (as in
    :func:`customer_steps`) and ``g2`` ... ``gN`` (hours from the previous step).

    Every entering customer has a row with the steps reached through the stages' first events.
    A customer flagged irregular at level L (steps 1..L reached that way, and those are their
    exact steps) has a second row with only the steps after L, found from their events. A
    union instead of a join back to the per-customer table: joining a million customers costs
    about as much as grouping the events once more.
    """
    n = len(steps)
    regular = _steps_from_firsts(_firsts(t, steps, win, by), n, win, mode)
    names = ["breakdown", *(f"t{k}" for k in range(1, n + 1)), *(f"g{k}" for k in range(2, n + 1))]
    first = _with_gaps(regular, n).select(names)
    odd = regular.filter(regular.irregular).select("customer_id", "breakdown", "level")
    x = _with_gaps(_irregular_steps(t, regular, steps, win, mode), n).join(odd, "customer_id")
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
    stages: StepsArg = None,
    *,
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
    by: str | None = None,
    count: str = "customers",
    exclude: Iterable[Exclusion] | None = None,
    entry: str = "best",
) -> pd.DataFrame:
    """Customers reaching each step of a funnel (rules in the module docstring).

    ``stages``: the steps in order: stage names, :class:`Step` values or a :class:`FunnelSpec`
    (default: one step per stage of ``ds.stages``). ``mode``: one of :data:`MODES`; ``entry``:
    ``"best"`` (best attempt, the default) or ``"first"`` (first entry). ``by``: break the
    funnel down by ``"segment"``, ``"channel"`` or any other column, using its value on the
    customer's first touchpoint; the 8 values with the most entering customers are kept and
    the rest grouped as ``"Other"``. ``count``: ``"customers"`` (each customer counts once per
    step; the only unit so far). ``exclude``: :class:`Exclusion` rules.

    Returns one row per step (and per breakdown value): ``breakdown`` (only with ``by``),
    ``step`` (1-based), ``stage`` (the step's name: its stage for a stage step, else its values
    joined by " · "), ``journey`` ("Buyer journey" up to the purchase stage, "Customer journey"
    after it; by the step's stage, "Buyer journey" for a step without one), ``customers``,
    ``conversion_from_previous`` and ``conversion_from_start`` (fractions 0..1; 0 when nobody
    reached the previous step), ``drop_off`` (customers who reached the previous step but not
    this one), ``median_hours_from_previous`` and ``p90_hours_from_previous`` (hours between
    the previous step's event and this one's, NaN at step 1; in ``"any_after_first"`` mode
    negative when the customer did this step first).
    """
    if count != "customers":
        raise ValueError(f"count must be 'customers', not {count!r}")
    steps, win = _checked(ds, stages, window, mode, by, entry)
    rules = list(exclude or ())
    n = len(steps)
    if mode == "strict" or rules or not _fast(steps, mode, entry):
        per = customer_steps(ds, steps, window=window, mode=mode, by=by, exclude=rules,
                             entry=entry)
        rows = _with_gaps(per, n)
    else:
        rows = _step_rows(ds.table, [s.stage for s in steps], win, mode, by)
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


def _long_funnel(ds: Dataset, wide: pd.DataFrame, steps: Sequence[Step]) -> pd.DataFrame:
    rows = []
    wide = wide.assign(_order=wide.get("n1", 0)).sort_values(
        ["_order", "breakdown"], ascending=[False, True]
    )
    others = wide["breakdown"] == OTHER
    wide = pd.concat([wide[~others], wide[others]])
    for rec in wide.to_dict("records"):
        start = previous = _int(rec.get("n1"))
        for k, step in enumerate(steps, 1):
            customers = _int(rec.get(f"n{k}"))
            rows.append(
                {
                    "breakdown": rec["breakdown"],
                    "step": k,
                    "stage": step.name(),
                    "journey": BUYER_JOURNEY if step.stage is None
                    else journey_part(ds, step.stage),
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
    """A share for a sentence, in the current language, by the one share rule
    (:func:`journeylib.i18n.formats.share`: one decimal, "<0.1%" for a sliver)."""
    return formats.share(x)


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


def breakdown_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A :func:`funnel` result with a breakdown as one row per group, the steps side by side
    (as the breakdown table of an analytics suite).

    Returns ``breakdown`` (the group, a value or a library code for :func:`breakdown_label`),
    then for each step ``k`` (1-based) ``customers_k`` (customers at step k) and ``share_k``
    (of the group's customers at step 1 who reached step k, 0..1; NaN when nobody entered),
    and ``conversion`` (the last step's ``share``). Groups keep the funnel's order (largest
    first, "Other" and "(none)" last). Without a ``breakdown`` column, one row for all
    customers (``breakdown`` = :data:`ALL`).
    """
    if "breakdown" not in frame.columns:
        frame = frame.assign(breakdown=ALL)
    steps = sorted(int(s) for s in frame["step"].unique())
    rows = []
    for group, part in frame.groupby("breakdown", sort=False):
        by_step = dict(zip(part["step"].astype(int), part["customers"].astype(int), strict=True))
        start = by_step.get(steps[0], 0) if steps else 0
        row: dict[str, object] = {"breakdown": group}
        for k in steps:
            count = by_step.get(k, 0)
            row[f"customers_{k}"] = count
            row[f"share_{k}"] = count / start if start else float("nan")
        row["conversion"] = row[f"share_{steps[-1]}"] if steps else float("nan")
        rows.append(row)
    columns = ["breakdown", *(f"{kind}_{k}" for k in steps for kind in ("customers", "share")),
               "conversion"]
    return pd.DataFrame.from_records(rows, columns=columns)


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

    A part of a single step (a funnel that starts at the purchase has no buyer journey to
    speak of: "Purchase → Purchase 100%" would be trivially true) is left out.

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
            if a["step"] != b["step"]
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


PEOPLE_COLUMNS = [
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


def drop_offs(
    ds: Dataset,
    step: int,
    stages: StepsArg = None,
    *,
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
    exclude: Iterable[Exclusion] | None = None,
    entry: str = "best",
) -> pd.DataFrame:
    """The customers lost at ``step`` (2..N): they reached the step before but not this one,
    under the same rules as :func:`funnel` (so their number equals its ``drop_off``).

    Returns one row per customer, most recently seen first: ``customer_id``,
    ``reached_stage`` (the name of the last step reached), ``reached_at`` (UTC), ``last_seen``
    (UTC time of their latest touchpoint), ``last_stage``, ``last_touchpoint``,
    ``last_channel``, ``touchpoints`` (all of theirs), ``last_rated_touchpoint``,
    ``last_emotion`` (the score or label as written there) and ``last_valence`` (-1..1) from
    their latest touchpoint with an emotion (empty when none), and ``segment`` (on their
    latest touchpoint).
    """
    steps = funnel_steps(ds, stages)
    if not 2 <= step <= len(steps):
        raise ValueError(f"step must be between 2 and {len(steps)}, not {step}")
    per = customer_steps(ds, steps, window=window, mode=mode, exclude=exclude, entry=entry)
    lost = per.filter(per[f"t{step - 1}"].notnull() & per[f"t{step}"].isnull())
    lost = lost.select("customer_id", reached_at=lost[f"t{step - 1}"])
    return _people(ds, lost, steps[step - 2].name())


def reached(
    ds: Dataset,
    step: int,
    stages: StepsArg = None,
    *,
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
    exclude: Iterable[Exclusion] | None = None,
    entry: str = "best",
) -> pd.DataFrame:
    """The customers who reached ``step`` (1..N) under the same rules as :func:`funnel` (so
    their number equals its ``customers`` at that step).

    Columns as :func:`drop_offs`, with ``reached_stage`` the name of ``step`` and
    ``reached_at`` (UTC) the time of its event in the attempt that counts.
    """
    steps = funnel_steps(ds, stages)
    if not 1 <= step <= len(steps):
        raise ValueError(f"step must be between 1 and {len(steps)}, not {step}")
    per = customer_steps(ds, steps, window=window, mode=mode, exclude=exclude, entry=entry)
    got = per.filter(per[f"t{step}"].notnull())
    got = got.select("customer_id", reached_at=got[f"t{step}"])
    return _people(ds, got, steps[step - 1].name())


def _people(ds: Dataset, who: ir.Table, step_name: str) -> pd.DataFrame:
    """Customers of ``who`` (``customer_id``, ``reached_at``) with what their touchpoints say
    (columns of :func:`drop_offs`)."""
    t = ds.table.semi_join(who, "customer_id")
    rated = t.valence.notnull()
    last = event_key(t)  # ties on the timestamp: the later row of the file
    info = t.group_by("customer_id").agg(
        last_seen=t.timestamp.max(),
        last_stage=t.stage.argmax(last),
        last_touchpoint=t.touchpoint.argmax(last),
        last_channel=t.channel.argmax(last),
        touchpoints=t.count(),
        last_rated_touchpoint=t.touchpoint.argmax(last, where=rated),
        last_emotion=t.emotion_raw.argmax(last, where=rated),
        last_valence=t.valence.argmax(last, where=rated),
        segment=t.segment.argmax(last),
    )
    out = to_pandas(
        who.join(info, "customer_id").order_by([ibis.desc("last_seen"), "customer_id"])
    )
    out.insert(1, "reached_stage", step_name)
    out["touchpoints"] = out["touchpoints"].astype("int64")
    return out[PEOPLE_COLUMNS]


STEP_VALUES = 200


def step_values(ds: Dataset, field: str, limit: int = STEP_VALUES) -> list[str]:
    """The values a step can be defined by in ``field`` (``"stage"``: ``ds.stages`` in order;
    ``"touchpoint"`` or ``"channel"``: the ``limit`` most frequent values, most touchpoints
    first, ties by value)."""
    if field == "stage":
        return list(ds.stages)
    if field not in ("touchpoint", "channel"):
        raise ValueError(f"steps are defined by stage, touchpoint or channel, not {field!r}")
    t = ds.table.filter(ds.table[field].notnull())
    counts = t.group_by(field).agg(n=t.count())
    top = counts.order_by([ibis.desc("n"), field]).limit(limit)
    return [str(v) for v in to_pandas(top)[field].tolist()]
