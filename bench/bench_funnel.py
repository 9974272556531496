"""Benchmark: the five-stage ordered funnel with a window against a plain GROUP BY count.

Generates touchpoints with numpy straight into DuckDB (the sample generator is far too slow for
millions of customers), then times, in the same run, median of ``--runs``:

1. ``SELECT customer_id, count(*) ... GROUP BY customer_id`` over the same table (through Ibis),
2. ``journeylib.funnel.funnel(ds, window="30d", entry="first")`` (ordered, five stages, first
   entry),
3. the same with ``entry="best"`` (the default: every step-1 event starts an attempt),
4. ``mode="any"`` (any k of the steps, best attempt),
5. a straightforward pandas implementation (one merge per step, first entry) as the baseline.

The GROUP BY and the funnels alternate within each run, so all see the same load; each ratio
reported is the median of the per-run ratios. ``--storage`` repeats the pair on tables stored
differently from what ``jl.load`` makes (time stamps without zone, stage as an ENUM, integer
customer keys), to show what such a change would buy; the app does not use them.

Prints figures for BENCHMARKS.md. Not a test: nothing here asserts a time.
Usage: ``python bench/bench_funnel.py [--customers 1000000] [--per-customer 10] [--runs 3]
[--storage naive-time enum-stage integer-key all] [--cache DIR] [--skip-pandas]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from timing import machine, timed

import journeylib as jl
from journeylib.dataset import Dataset, LoadReport
from journeylib.funnel import funnel

STAGES = ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]
# Share of customers reaching each stage (given the one before), and of customers with one
# event in a neighbouring stage's time (going back, or a stage seen early).
REACH = np.array([1.0, 0.8, 0.3, 0.8, 0.4])
P_MOVED = 0.03
WINDOW_DAYS = 30


def generate(n_customers: int, per_customer: float, seed: int = 1) -> pa.Table:
    """Touchpoints in the Dataset's columns: each customer walks the stages forward, stopping at
    random, with ``per_customer`` events on average; about 3% of customers get one event in a
    neighbouring stage (a step back, or a stage seen early), so the funnel's exact per-event path
    is exercised too."""
    rng = np.random.default_rng(seed)
    depth = np.ones(n_customers, dtype=np.int64)
    for k in range(1, len(STAGES)):
        depth += (depth == k) & (rng.random(n_customers) < REACH[k])
    counts = np.maximum(depth, rng.poisson(per_customer, n_customers))
    n = int(counts.sum())
    cust = np.repeat(np.arange(n_customers), counts)
    first = np.zeros(n_customers + 1, dtype=np.int64)
    np.cumsum(counts, out=first[1:])
    rank = np.arange(n) - first[cust]
    # Stage of each event: non-decreasing through the customer's events, every stage up to
    # the customer's depth present at least once.
    stage = np.minimum(rank * depth[cust] // counts[cust], depth[cust] - 1)
    gaps = rng.exponential(2 * 86400.0, n)
    gaps[rank == 0] = rng.uniform(0, 180 * 86400.0, n_customers)
    seconds = np.cumsum(gaps)
    seconds -= np.repeat(seconds[first[:-1]] - gaps[first[:-1]], counts)
    moved = np.flatnonzero(rng.random(n) < P_MOVED / per_customer)
    shift = np.where(rng.random(len(moved)) < 0.5, -1, 1)
    stage[moved] = np.clip(stage[moved] + shift, 0, len(STAGES) - 1)
    channels = np.array(["search", "social", "email", "display", "direct"], dtype=object)
    names = np.array(STAGES, dtype=object)
    ids = np.char.add("C", np.arange(n_customers).astype("U8")).astype(object)
    start = np.datetime64("2026-01-01T00:00:00", "us")
    return pa.table(
        {
            "source_row": pa.array(np.arange(1, n + 1)),
            "customer_id": pa.array(ids[cust], pa.string()),
            "timestamp": pa.array(
                start + (seconds * 1e6).astype("timedelta64[us]"), pa.timestamp("us", tz="UTC")
            ),
            "stage": pa.array(names[stage], pa.string()),
            "channel": pa.array(channels[rng.integers(0, len(channels), n)], pa.string()),
            "touchpoint": pa.nulls(n, pa.string()),
            "emotion": pa.nulls(n, pa.float64()),
            "emotion_raw": pa.nulls(n, pa.string()),
            "valence": pa.nulls(n, pa.float64()),
            "converted": pa.nulls(n, pa.bool_()),
            "revenue": pa.nulls(n, pa.float64()),
            "segment": pa.nulls(n, pa.string()),
            "note": pa.nulls(n, pa.string()),
        }
    )


def pandas_funnel(frame: pd.DataFrame, window: pd.Timedelta) -> list[int]:
    """Customers per step the obvious pandas way: one merge and group-by per step."""
    entry = frame[frame["stage"] == STAGES[0]].groupby("customer_id")["timestamp"].min()
    reached = entry.rename("previous").to_frame().assign(entry=entry)
    counts = [len(reached)]
    for stage in STAGES[1:]:
        events = frame[frame["stage"] == stage].join(reached, on="customer_id", how="inner")
        ok = (events["timestamp"] >= events["previous"]) & (
            events["timestamp"] <= events["entry"] + window
        )
        step = events[ok].groupby("customer_id")["timestamp"].min()
        reached = reached.loc[step.index].assign(previous=step)
        counts.append(len(reached))
    return counts


STORAGE = {
    "naive-time": "time stamps without zone (UTC wall time)",
    "enum-stage": "stage as an ENUM",
    "integer-key": "integer customer keys",
}


def stored_as(arrow: pa.Table, changes: list[str]) -> pa.Table:
    """The generated table with the storage ``changes`` (keys of ``STORAGE``) applied, except
    the ENUM, which only the engine can make (see :func:`as_enum`)."""
    columns = {name: arrow[name] for name in arrow.column_names}
    if "naive-time" in changes:
        columns["timestamp"] = columns["timestamp"].cast(pa.timestamp("us"))
    if "integer-key" in changes:
        columns["customer_id"] = pc.utf8_slice_codeunits(columns["customer_id"], 1).cast(pa.int64())
    return pa.table(columns)


def as_enum(con, name: str) -> None:
    """Store the bench table's ``stage`` as a DuckDB ENUM of the five stages (bench constants,
    not user data, in the statement)."""
    values = ", ".join(f"'{stage}'" for stage in STAGES)
    con.raw_sql(f"ALTER TABLE {name} ALTER stage TYPE ENUM ({values})")


FUNNELS = {
    "first": {"entry": "first"},
    "best": {"entry": "best"},
    "any": {"entry": "best", "mode": "any"},
}


def paired(
    table, ds: Dataset, runs: int, kinds: tuple[str, ...] = ("first",)
) -> tuple[float, dict[str, tuple[float, float, list[int]]], int]:
    """Median seconds of the GROUP BY count; per funnel of ``kinds`` (keys of ``FUNNELS``),
    its median seconds, the median of its per-run ratios to the count (all timed alternately
    in each run) and its customers per step; and the group count."""
    counts = table.group_by("customer_id").agg(n=table.count()).count()
    base = []
    seconds: dict[str, list[float]] = {k: [] for k in kinds}
    ratios: dict[str, list[float]] = {k: [] for k in kinds}
    results: dict[str, list[int]] = {}
    for _ in range(runs):
        start = time.perf_counter()
        n_groups = int(counts.to_pandas())
        base.append(time.perf_counter() - start)
        for kind in kinds:
            start = time.perf_counter()
            result = funnel(ds, window=f"{WINDOW_DAYS}d", **FUNNELS[kind])
            seconds[kind].append(time.perf_counter() - start)
            ratios[kind].append(seconds[kind][-1] / base[-1])
            results[kind] = result["customers"].tolist()
    med = statistics.median
    out = {k: (med(seconds[k]), med(ratios[k]), results[k]) for k in kinds}
    return med(base), out, n_groups


def floor_queries(table) -> dict[str, object]:
    """The least an exact funnel must compute, as Ibis expressions ending in one small result.

    Every ordered funnel needs, per customer, the first event of each step's stage (later
    steps depend on earlier ones, so nothing less will do); these aggregates are that work
    alone, with none of the funnel's own logic, so their ratio to the GROUP BY count is a floor
    under the funnel's ratio on this engine.
    """
    firsts = table.group_by("customer_id").agg(
        **{f"m{k}": table.timestamp.min(where=table.stage == s) for k, s in enumerate(STAGES)}
    )
    first = table.group_by("customer_id").agg(m=table.timestamp.min())
    return {
        "one `min(timestamp)` per customer": first.agg(n=first.m.count()),
        "first event of each of the 5 stages per customer": firsts.agg(
            **{f"n{k}": firsts[f"m{k}"].count() for k in range(len(STAGES))}
        ),
    }


def floor_ratios(table, runs: int) -> list[tuple[str, float, float]]:
    """Per floor query: its median seconds and the median of its per-run ratios to the GROUP BY
    count, timed alternately like :func:`paired`."""
    counts = table.group_by("customer_id").agg(n=table.count()).count()
    out = []
    for name, expr in floor_queries(table).items():
        seconds, ratios = [], []
        for _ in range(runs):
            start = time.perf_counter()
            counts.to_pandas()
            base = time.perf_counter() - start
            start = time.perf_counter()
            expr.to_pandas()
            seconds.append(time.perf_counter() - start)
            ratios.append(seconds[-1] / base)
        out.append((name, statistics.median(seconds), statistics.median(ratios)))
    return out


def cached(directory: str | None, n_customers: int, per_customer: float) -> pa.Table:
    """The generated touchpoints (:func:`generate`), read from ``directory`` when an earlier run
    left them there as Parquet (the file is named for the arguments), else generated and, with a
    directory, written there."""
    if directory is None:
        return generate(n_customers, per_customer)
    path = Path(directory) / f"bench_funnel_{n_customers}_{per_customer:g}.parquet"
    if path.exists():
        return pq.read_table(path)
    arrow = generate(n_customers, per_customer)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(arrow, path)
    return arrow


def dataset(table, n_rows: int) -> Dataset:
    return Dataset(
        table=table,
        stages=STAGES,
        purchase_stage="Purchase",
        rejected=pd.DataFrame(),
        report=LoadReport(n_rows=n_rows),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--per-customer", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--storage", nargs="*", default=[], choices=[*STORAGE, "all"])
    parser.add_argument("--cache", metavar="DIR", default=None,
                        help="keep the generated touchpoints there as Parquet and reuse them")
    parser.add_argument("--skip-pandas", action="store_true",
                        help="leave out the pandas baseline (its check included)")
    args = parser.parse_args()
    print(f"Machine: {machine()}; median of {args.runs} runs.")

    start = time.perf_counter()
    arrow = cached(args.cache, args.customers, args.per_customer)
    con = jl.connect()
    table = con.create_table("bench_touchpoints", arrow)
    ds = dataset(table, arrow.num_rows)
    print(
        f"Generated {arrow.num_rows:,} touchpoints of {args.customers:,} customers "
        f"in {time.perf_counter() - start:.1f} s.\n"
    )

    base, funnels, n_groups = paired(table, ds, args.runs, tuple(FUNNELS))
    fun, ratio, counts = funnels["first"]
    pand = None
    if not args.skip_pandas:
        frame = arrow.select(["customer_id", "timestamp", "stage"]).to_pandas()
        pand, pandas_counts = timed(
            lambda: pandas_funnel(frame, pd.Timedelta(days=WINDOW_DAYS)), args.runs
        )
        assert counts == pandas_counts, (counts, pandas_counts)
    assert n_groups == args.customers
    best = funnels["best"][2]
    assert all(b >= f for b, f in zip(best, counts, strict=True)), (best, counts)

    names = {
        "first": "funnel(), 5 stages, ordered, 30-day window, first entry",
        "best": "funnel(), same, best attempt (the default)",
        "any": "funnel(), any 5 of the steps, best attempt",
    }
    print("| Query | Median (s) | vs GROUP BY |")
    print("|---|---:|---:|")
    print(f"| GROUP BY customer_id count | {base:.2f} | 1.00 |")
    for kind, (seconds, r, _) in funnels.items():
        print(f"| {names[kind]} | {seconds:.2f} | {r:.2f} |")
    if pand is not None:
        print(f"| pandas, one merge per step (baseline, first entry) | {pand:.2f} | "
              f"{pand / base:.2f} |")
    for kind, (_, _, c) in funnels.items():
        print(f"\nCustomers per step, {kind}: {', '.join(f'{x:,}' for x in c)}")
    if pand is not None:
        print("(pandas gives the first entry's.)")

    print("\nThe floor: what any exact ordered funnel computes at least, vs the GROUP BY count:\n")
    print("| Query | Median (s) | vs GROUP BY |")
    print("|---|---:|---:|")
    for name, seconds, ratio in floor_ratios(table, args.runs):
        print(f"| {name} | {seconds:.2f} | {ratio:.2f} |")

    chosen = list(STORAGE) if "all" in args.storage else args.storage
    variants = [[name] for name in chosen]
    if len(chosen) > 1:
        variants.append(chosen)
    if not variants:
        return
    print("\nOther storage (not what jl.load makes), same data, funnel vs its own GROUP BY:\n")
    print("| Table | GROUP BY (s) | funnel() (s) | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| as loaded | {base:.2f} | {fun:.2f} | {ratio:.2f} |")
    for changes in variants:
        other = con.create_table("bench_storage", stored_as(arrow, changes), overwrite=True)
        if "enum-stage" in changes:
            as_enum(con, "bench_storage")
            other = con.table("bench_storage")
        b, others, _ = paired(other, dataset(other, arrow.num_rows), args.runs)
        f, r, other_counts = others["first"]
        assert other_counts == counts, (changes, other_counts)
        print(f"| {', '.join(STORAGE[c] for c in changes)} | {b:.2f} | {f:.2f} | {r:.2f} |")


if __name__ == "__main__":
    main()
