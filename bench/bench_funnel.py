"""Benchmark: the five-stage ordered funnel with a window against a plain GROUP BY count.

Generates touchpoints with numpy straight into DuckDB (the sample generator is far too slow for
millions of customers), then times, in the same run, median of ``--runs``:

1. ``SELECT customer_id, count(*) ... GROUP BY customer_id`` over the same table (through Ibis),
2. ``journeylib.funnel.funnel(ds, window="30d")`` (ordered, five stages),
3. a straightforward pandas implementation (one merge per step) as the baseline.

Prints figures for BENCHMARKS.md. Not a test: nothing here asserts a time.
Usage: ``python bench/bench_funnel.py [--customers 1000000] [--per-customer 10] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import pyarrow as pa
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--per-customer", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"Machine: {machine()}; median of {args.runs} runs.")

    start = time.perf_counter()
    arrow = generate(args.customers, args.per_customer)
    con = jl.connect()
    table = con.create_table("bench_touchpoints", arrow)
    ds = Dataset(
        table=table,
        stages=STAGES,
        purchase_stage="Purchase",
        rejected=pd.DataFrame(),
        report=LoadReport(n_rows=arrow.num_rows),
    )
    print(
        f"Generated {arrow.num_rows:,} touchpoints of {args.customers:,} customers "
        f"in {time.perf_counter() - start:.1f} s.\n"
    )

    def group_by_count() -> int:
        counts = table.group_by("customer_id").agg(n=table.count())
        return int(counts.count().to_pandas())

    base, n_groups = timed(group_by_count, args.runs)
    fun, result = timed(lambda: funnel(ds, window=f"{WINDOW_DAYS}d"), args.runs)
    frame = arrow.select(["customer_id", "timestamp", "stage"]).to_pandas()
    pand, pandas_counts = timed(
        lambda: pandas_funnel(frame, pd.Timedelta(days=WINDOW_DAYS)), args.runs
    )
    counts = result["customers"].tolist()
    assert n_groups == args.customers
    assert counts == pandas_counts, (counts, pandas_counts)

    print("| Query | Median (s) | vs GROUP BY |")
    print("|---|---:|---:|")
    print(f"| GROUP BY customer_id count | {base:.2f} | 1.00 |")
    print(f"| funnel(), 5 stages, ordered, 30-day window | {fun:.2f} | {fun / base:.2f} |")
    print(f"| pandas, one merge per step (baseline) | {pand:.2f} | {pand / base:.2f} |")
    print(
        f"\nFunnel customers per step: {', '.join(f'{c:,}' for c in counts)} "
        "(pandas gives the same)."
    )


if __name__ == "__main__":
    main()
