"""Funnel correlation: which touchpoints, channels and segments go with converting, and which not.

For the customers who entered a funnel (step 1), converters are those who reached the last
step and non-converters the rest. A customer *has* a value of a property when one of their
touchpoints carries it within the span that counts: from entering up to (not including) the
conversion for converters, so the converting touchpoint itself is never its own evidence;
from entering to the window's end (or the end of the data, without a window) for the others.
A segment describes the customer, so every touchpoint of theirs counts for it.

Touchpoints that are themselves funnel steps are not evidence: for the touchpoint and channel
properties, events matching the definition of a step after the first (steps 2..N, by
:meth:`journeylib.funnel_spec.Step.matches`) are left out, as PostHog's funnel correlation leaves
out the events that are funnel steps. Otherwise every converter "holds" the touchpoints of the
intermediate steps (odds ratios in the thousands that only restate the funnel). What counts is
what customers did outside the later steps: the entry stage's touchpoints and those of stages
that are not in the funnel. Segment values stay.

Each value gets a 2x2 table (converters / non-converters, with / without the value) from one
engine query that returns only counts; the odds ratio, its 95% interval, a p-value and the
Benjamini–Hochberg q-value are computed here. This is an association, not a cause: customers
who were going to buy anyway may simply see more pages.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from statistics import NormalDist

import ibis
import numpy as np
import pandas as pd

from journeylib.dataset import Dataset
from journeylib.durations import window_seconds
from journeylib.engine import to_pandas
from journeylib.epoch import epoch_micros
from journeylib.funnel import customer_steps, funnel_stages
from journeylib.funnel_spec import Exclusion, Step
from journeylib.messages import Message

PROPERTIES = ("touchpoint", "channel", "segment")
# Values kept per property: the most common ones, so a property with thousands of distinct
# values (free-text touchpoints) does not turn into thousands of tests.
MAX_VALUES_PER_PROPERTY = 50
# Values held by fewer customers (both groups together) are not tested.
MIN_CUSTOMERS = 10
# Fisher's exact test when an expected cell count is below this; else Pearson's chi-square.
FISHER_BELOW = 5.0
SIGNIFICANT = 0.05
Z95 = NormalDist().inv_cdf(0.975)
COLUMNS = [
    "property", "value", "converters_with", "non_converters_with", "converters",
    "non_converters", "share_of_converters", "share_of_non_converters", "odds_ratio", "ci_low",
    "ci_high", "p_value", "test", "q_value", "direction", "significant", "values_in_property",
]
# Properties whose events can be funnel steps (a segment describes the customer, not an event).
EVENT_PROPERTIES = ("touchpoint", "channel")


def funnel_correlation(
    ds: Dataset,
    stages: Sequence[str] | None = None,
    *,
    window: str | dt.timedelta | None = None,
    mode: str = "ordered",
    entry: str = "best",
    exclude: Iterable[Exclusion] | None = None,
    properties: Sequence[str] = PROPERTIES,
    min_customers: int = MIN_CUSTOMERS,
    top: int = MAX_VALUES_PER_PROPERTY,
) -> pd.DataFrame:
    """Touchpoints, channels and segment values over- or under-represented among converters.

    The funnel is :func:`journeylib.funnel.funnel`'s with ``stages``, ``window``, ``mode``,
    ``entry`` and ``exclude``
    (at least two steps). Per property of ``properties`` the ``top`` values held by the most
    customers are kept; values held by fewer than ``min_customers`` customers are left out.

    Returns one row per value tested, most significant first (then the larger effect):
    ``property``, ``value``; ``converters_with`` / ``non_converters_with`` (customers of each
    group with the value), ``converters`` / ``non_converters`` (group sizes);
    ``share_of_converters`` / ``share_of_non_converters`` (0..1); ``odds_ratio`` (odds of
    converting with the value over the odds without; 0.5 added to every cell when one is
    zero, Haldane's correction) with its 95% Woolf interval ``ci_low`` / ``ci_high``;
    ``p_value`` (two-sided) and ``test`` (``"fisher"`` when an expected count is below
    :data:`FISHER_BELOW`, else ``"chi_square"``, Pearson without continuity correction);
    ``q_value`` (Benjamini–Hochberg over all rows, the false-discovery-rate analogue of the
    p-value for this many tests); ``direction`` (``"over"`` for OR > 1, ``"under"`` for
    OR < 1, ``"even"``); ``significant`` (q < 0.05); ``values_in_property`` (distinct values
    the property had before the ``top`` cut). Empty (with these columns) when nobody, or
    everybody, converted.

    For ``touchpoint`` and ``channel``, events matching a step after the first (steps 2..N) do
    not count: they are the funnel itself, not a finding (see the module docstring).
    ``frame.attrs["only_funnel_steps"]`` lists, in ``properties`` order, the properties that had
    values in the span but none outside the later steps (say so with
    :func:`correlation_notes`; :func:`describe_correlation` words an empty result for them).
    """
    unknown = [p for p in properties if p not in PROPERTIES]
    if unknown:
        raise ValueError(f"properties must be among {', '.join(PROPERTIES)}, not {unknown}")
    steps = funnel_stages(ds, stages)
    if len(steps) < 2:
        raise ValueError("a funnel correlation needs at least two steps")
    per = customer_steps(ds, steps, window=window, mode=mode, entry=entry, exclude=exclude)
    per = per.select(
        "customer_id", entered_at=per.t1, converted_at=per[f"t{len(steps)}"],
        is_converter=per[f"t{len(steps)}"].notnull(),
    )
    totals = to_pandas(per.aggregate(
        entered=per.count(), converters=per.is_converter.cast("int64").sum()))
    entered, converters = int(totals["entered"].iloc[0]), int(totals["converters"].iloc[0])
    non_converters = entered - converters
    if converters == 0 or non_converters == 0 or not properties:
        return _empty()
    per = _with_event_rows(ds, per, steps[0], steps[-1])
    joined, in_span = _in_span(ds, per, window)
    later = _in_later_step(joined, steps[1:])
    counts = to_pandas(_value_counts(joined, in_span, later, list(properties), top))
    only_steps = [
        p for p in properties
        if p in EVENT_PROPERTIES and not (counts["property"] == p).any()
        and to_pandas(joined.filter(in_span & joined[p].notnull()).limit(1)).shape[0] > 0
    ]
    counts = counts[(counts["converters_with"] + counts["non_converters_with"]) >= min_customers]
    out = _tested(counts, converters, non_converters)
    out.attrs["only_funnel_steps"] = only_steps
    return out


def _with_event_rows(ds: Dataset, per: ibis.Table, first: Step, last: Step) -> ibis.Table:
    """``per`` with ``entry_row`` and ``converted_row``: the source row of the entry event (the
    first step's event at ``entered_at``) and of the conversion event (the last step's at
    ``converted_at``; null for non-converters). Among events of that step sharing the
    timestamp, the first by :data:`journeylib.journeys.EVENT_ORDER` (the lowest source row),
    as the funnel orders ties."""
    t = ds.table
    rows = []
    for step, at, name in ((first, "entered_at", "entry_row"),
                           (last, "converted_at", "converted_row")):
        j = t.join(per.select("customer_id", at), "customer_id")
        rows.append(j.filter(step.matches(j) & (j.timestamp == j[at]))
                    .group_by("customer_id").agg(**{name: j.source_row.min()}))
    out = per.left_join(rows[0], "customer_id").select(per, rows[0].entry_row)
    return out.left_join(rows[1], "customer_id").select(out, rows[1].converted_row)


def _at_or_after(at, row, at0, row0) -> ibis.BooleanValue:
    """Event (``at``, ``row``) at or after (``at0``, ``row0``) in (timestamp, source row)
    order; ``at`` values are epoch microseconds."""
    return (at > at0) | ((at == at0) & (row >= row0))


def _in_span(ds: Dataset, per: ibis.Table, window) -> tuple[ibis.Table, ibis.BooleanValue]:
    """The entering customers' touchpoints joined to ``per`` and the condition of being in the
    span that counts. Spans compare events by (timestamp, source row), the funnel's order: a
    touchpoint sharing the entry's timestamp but written before it is not after entering, and
    one sharing the conversion's timestamp but written before it is before converting."""
    joined = ds.table.join(per, "customer_id")
    at = epoch_micros(joined.timestamp)
    row = joined.source_row
    seconds = window_seconds(window)
    after_entry = _at_or_after(at, row, epoch_micros(joined.entered_at), joined.entry_row)
    until = ~_at_or_after(at, row, epoch_micros(joined.converted_at), joined.converted_row)
    open_end = ibis.literal(True) if seconds is None else (
        at <= epoch_micros(joined.entered_at) + seconds * 1_000_000)
    return joined, after_entry & ibis.ifelse(joined.is_converter, until, open_end)


def _in_later_step(table: ibis.Table, later: Sequence[Step]) -> ibis.BooleanValue:
    """Whether a touchpoint of ``table`` matches one of the ``later`` steps' definitions (false
    where a compared field is null)."""
    condition = ibis.literal(False)
    for step in later:
        condition = condition | step.matches(table).fill_null(False)
    return condition


def _value_counts(joined, in_span, later, properties, top) -> ibis.Table:
    """Customers per (property, value) and group, the ``top`` values per property: segments on
    any touchpoint, touchpoints and channels on those in the span and not in a later step."""
    parts = []
    for prop in properties:
        rows = joined if prop == "segment" else joined.filter(in_span & ~later)
        rows = rows.filter(rows[prop].notnull())
        parts.append(rows.select(
            "customer_id", "is_converter", property=ibis.literal(prop),
            value=rows[prop].cast("string"),
        ).distinct())
    held = ibis.union(*parts, distinct=False)
    grouped = held.group_by(["property", "value"]).agg(
        converters_with=held.is_converter.cast("int64").sum(),
        non_converters_with=(~held.is_converter).cast("int64").sum(),
        customers=held.count(),
    )
    by_property = ibis.window(group_by="property", order_by=[ibis.desc("customers"), "value"])
    ranked = grouped.mutate(
        rank=ibis.row_number().over(by_property),
        values_in_property=grouped.count().over(ibis.window(group_by="property")),
    )
    return ranked.filter(ranked["rank"] < top).drop("rank", "customers")


def _empty() -> pd.DataFrame:
    out = pd.DataFrame(columns=COLUMNS)
    out.attrs["only_funnel_steps"] = []
    return out


def _tested(counts: pd.DataFrame, converters: int, non_converters: int) -> pd.DataFrame:
    if counts.empty:
        return _empty()
    out = counts.reset_index(drop=True).copy()
    for column in ("converters_with", "non_converters_with", "values_in_property"):
        out[column] = out[column].astype("int64")
    out["converters"], out["non_converters"] = converters, non_converters
    a = out["converters_with"].to_numpy(float)
    b = out["non_converters_with"].to_numpy(float)
    c, d = converters - a, non_converters - b
    out["share_of_converters"] = a / converters
    out["share_of_non_converters"] = b / non_converters
    ratio, low, high = odds_ratio(a, b, c, d)
    out["odds_ratio"], out["ci_low"], out["ci_high"] = ratio, low, high
    tests = [p_value(*cells) for cells in zip(a, b, c, d, strict=True)]
    out["p_value"] = [p for p, _ in tests]
    out["test"] = [name for _, name in tests]
    out["q_value"] = bh_q_values(out["p_value"].to_numpy())
    out["direction"] = np.where(ratio > 1, "over", np.where(ratio < 1, "under", "even"))
    out["significant"] = out["q_value"] < SIGNIFICANT
    out["_size"] = -np.abs(np.log(ratio))
    out = out.sort_values(["p_value", "_size", "property", "value"], kind="stable")
    return out.drop(columns="_size").reset_index(drop=True)[COLUMNS]


def odds_ratio(a, b, c, d) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Odds ratio ``(a·d)/(b·c)`` of 2x2 tables (a: converters with, b: non-converters with,
    c: converters without, d: non-converters without) with its 95% Woolf interval
    ``exp(ln OR ± 1.96·√(1/a + 1/b + 1/c + 1/d))``; tables with a zero cell get 0.5 added to
    every cell first (Haldane). Returns ``(ratio, low, high)`` arrays."""
    cells = np.array([a, b, c, d], dtype=float).reshape(4, -1)
    cells = np.where((cells == 0).any(axis=0), cells + 0.5, cells)
    a, b, c, d = cells
    log_or = np.log(a * d / (b * c))
    half = Z95 * np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return np.exp(log_or), np.exp(log_or - half), np.exp(log_or + half)


def p_value(a: float, b: float, c: float, d: float) -> tuple[float, str]:
    """Two-sided p-value of independence in the 2x2 table ``[[a, b], [c, d]]`` and the test
    used: ``"fisher"`` (exact) when an expected count is below :data:`FISHER_BELOW`, else
    ``"chi_square"`` (Pearson, one degree of freedom, no continuity correction)."""
    a, b, c, d = (round(x) for x in (a, b, c, d))
    n = a + b + c + d
    rows, cols = (a + b, c + d), (a + c, b + d)
    if min(r * k for r in rows for k in cols) / n < FISHER_BELOW:
        return fisher_exact(a, b, c, d), "fisher"
    chi2 = n * (a * d - b * c) ** 2 / (rows[0] * rows[1] * cols[0] * cols[1])
    return math.erfc(math.sqrt(chi2 / 2)), "chi_square"


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher exact p-value of ``[[a, b], [c, d]]``: the probability, with the margins
    fixed, of a table no more likely than the one observed (hypergeometric)."""
    row1, col1, n = a + b, a + c, a + b + c + d
    lo, hi = max(0, row1 + col1 - n), min(row1, col1)
    k = np.arange(lo, hi + 1)
    log_p = (_log_choose(col1, k) + _log_choose(n - col1, row1 - k)) - _log_choose(n, row1)
    observed = log_p[a - lo]
    p = np.exp(log_p[log_p <= observed + 1e-7]).sum()
    return float(min(1.0, p))


def _log_choose(n, k):
    lgamma = np.vectorize(math.lgamma)
    k = np.asarray(k, dtype=float)
    return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0)


def bh_q_values(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg q-values of ``p``: ``min over j ≥ i of p_(j)·m/j`` on the sorted
    p-values, at most 1, in the order given."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return out


def describe_correlation(frame: pd.DataFrame) -> Message:
    """The reading of :func:`funnel_correlation` as a message, worded by
    :func:`journeylib.i18n.say`: the table's top row (``correlation.reading.top_over`` /
    ``top_under`` / ``top_even``, with ``property`` as the in-sentence word
    ``correlation.property_in_sentence.*``), the same row the table and the chart show first;
    else that none is significant; that every touchpoint or channel
    belongs to a later funnel step (``correlation.reading.only_funnel_steps``) when that left
    nothing; or that there was nothing to compare.

    The frame's order is the ranking: :func:`funnel_correlation` sorts by p-value, then the
    larger effect, and q-values follow p-values, so its significant rows come first and the
    row named is its top row (in a frame re-sorted by the caller: the first significant row)."""
    if frame.empty:
        if frame.attrs.get("only_funnel_steps"):
            return Message("correlation.reading.only_funnel_steps")
        return Message("correlation.reading.nothing")
    found = frame[frame["significant"].astype(bool)]
    if found.empty:
        return Message("correlation.reading.none_significant", {"n": len(frame)})
    top = found.iloc[0]
    return Message(f"correlation.reading.top_{top['direction']}", {
        "property": Message(f"correlation.property_in_sentence.{top['property']}"),
        "value": top["value"], "ratio": float(top["odds_ratio"]), "n": len(found),
    })


def correlation_notes(frame: pd.DataFrame) -> list[Message]:
    """What :func:`funnel_correlation` left out, as messages: one
    ``correlation.note.only_funnel_steps`` (``property``: the in-sentence word) per property
    whose every value in the span belongs to a later funnel step. Empty when nothing was left
    out, and when the frame is empty (:func:`describe_correlation` says it then)."""
    if frame.empty:
        return []
    return [Message("correlation.note.only_funnel_steps",
                    {"property": Message(f"correlation.property_in_sentence.{p}")})
            for p in frame.attrs.get("only_funnel_steps") or []]
