"""Benchmark: emotion curve + timeline + moments of truth against one plain GROUP BY touchpoint.

Generates touchpoints with numpy straight into DuckDB (through Arrow, no CSV), then times, in
the same run, (a) ``SELECT touchpoint, count(*), avg(valence) ... GROUP BY touchpoint`` as an
Ibis aggregate and (b) ``emotion_curve`` + ``emotion_timeline`` + ``moments_of_truth`` together.
Prints the medians of several runs and their ratios (target: at most 3x), twice: with the
exact moments of truth (every customer) and with the default customer sample (about 200,000
customers, chosen by a hash of the customer id). A second baseline, the same GROUP BY with a
distinct-customer count, shows the cost of any customer-level work.
Not a test: nothing here asserts a time.
Usage: ``python bench/bench_emotion.py [--rows 10000000] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
from timing import machine, median_seconds

import journeylib as jl
from journeylib import emotion as em
from journeylib import moments as mo
from journeylib.sample import CHANNELS, PERIOD_START, SEGMENTS, STAGES, TOUCHPOINTS

STEPS = 10  # touchpoints per customer
# Stage of each step of a journey: three awareness touches, three consideration, the purchase,
# two retention touches and one advocacy touch.
STEP_STAGE = np.array([0, 0, 0, 1, 1, 1, 2, 3, 3, 4])


def _strings(codes: np.ndarray, names: list[str]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(names)).cast(
        pa.string()
    )


def generate(rows: int, seed: int = 1) -> pa.Table:
    """``rows`` touchpoints (``rows / 10`` customers) with the columns of a Dataset table.

    A bad experience at Checkout (score 1-2) lowers the chance that the purchase step is a
    conversion, so the moments-of-truth query has a real effect to find.
    """
    rng = np.random.default_rng(seed)
    customers = rows // STEPS
    n = customers * STEPS
    cust = np.repeat(np.arange(customers), STEPS)
    step = np.tile(np.arange(STEPS), customers)
    stage = STEP_STAGE[step]
    by_stage = [[t for t, (s, _, _) in TOUCHPOINTS.items() if s == name] for name in STAGES]
    names = list(TOUCHPOINTS)
    pick = rng.integers(0, 1 << 30, n)
    touch = np.empty(n, dtype=np.int32)
    for s, options in enumerate(by_stage):
        rows_s = stage == s
        idx = np.array([names.index(t) for t in options])
        touch[rows_s] = idx[pick[rows_s] % len(idx)]
    checkout = names.index("Checkout")
    touch[step == 5] = checkout  # the last consideration touch is the checkout
    mu = np.array([TOUCHPOINTS[t][1] for t in names])[touch]
    score = np.clip(np.round(mu + rng.normal(0, 0.9, n)), 1, 5)
    bad = np.repeat(score[step == 5] <= 2, STEPS)
    bought = np.repeat(rng.random(customers), STEPS) < np.where(bad, 0.25, 0.65)
    rated = rng.random(n) < 0.6
    emotion = np.where(rated, score, np.nan)
    start = rng.uniform(0, 180 * 86400, customers)
    secs = np.repeat(start, STEPS) + step * rng.uniform(600, 3 * 86400, n)
    stamps = (PERIOD_START.tz_localize("UTC").value // 1000 + (secs * 1e6).astype(np.int64))
    converted = (stage == 2) & bought
    ids = pa.array(np.char.add("C", cust.astype("U8")))
    table = pa.table(
        {
            "source_row": pa.array(np.arange(n, dtype=np.int64)),
            "customer_id": ids,
            "timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "stage": _strings(stage, list(STAGES)),
            "channel": _strings(rng.integers(0, len(CHANNELS), n), list(CHANNELS)),
            "touchpoint": _strings(touch, names),
            "emotion": pa.array(emotion, from_pandas=True),
            "emotion_raw": pa.nulls(n, pa.string()),
            "valence": pa.array((emotion - 3) / 2, from_pandas=True),
            "converted": pa.array(converted),
            "revenue": pa.array(np.where(converted, 100.0, 0.0)),
            "segment": _strings(rng.integers(0, len(SEGMENTS), n), list(SEGMENTS)),
            "note": pa.nulls(n, pa.string()),
        }
    )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000, help="touchpoints")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    arrow = generate(args.rows)
    con = jl.connect()
    table = con.create_table("bench_touchpoints", arrow)
    ds = jl.Dataset(table=table, stages=list(STAGES), purchase_stage="Purchase",
                    rejected=pd.DataFrame(), report=jl.LoadReport(n_rows=arrow.num_rows))
    print(f"Machine: {machine()}; median of {args.runs} runs.")
    print(f"Generated {arrow.num_rows:,} touchpoints into DuckDB in "
          f"{time.perf_counter() - start:.1f} s.\n")

    def plain() -> None:
        t = ds.table
        t.group_by("touchpoint").agg(n=t.count(), valence=t.valence.mean()).to_pandas()

    def exact() -> None:
        mo.moments_of_truth(ds, "purchase", sample_customers=None)

    def sampled() -> None:
        mo.moments_of_truth(ds, "purchase")

    def together(moments: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            em.emotion_curve(ds, "stage")
            em.emotion_timeline(ds, "week")
            moments()
        return run

    parts = {
        "emotion_curve (stage)": lambda: em.emotion_curve(ds, "stage"),
        "emotion_timeline (week)": lambda: em.emotion_timeline(ds, "week"),
        "moments_of_truth (purchase), exact": exact,
        "moments_of_truth (purchase), sampled": sampled,
    }
    def plain_customers() -> None:
        t = ds.table
        t.group_by("touchpoint").agg(n=t.count(), customers=t.customer_id.nunique(),
                                     valence=t.valence.mean()).to_pandas()

    def first_experiences() -> None:
        # The grain moments of truth need: each customer's first rated experience of each
        # touchpoint (counted, so nothing but the aggregate itself comes back).
        t = ds.table
        rated = t.filter(t.valence.notnull() & t.touchpoint.notnull())
        per = rated.group_by(["customer_id", "touchpoint"]).agg(at=rated.timestamp.min())
        per.agg(n=per.at.count()).to_pandas()

    base = median_seconds(plain, args.runs)
    floor = median_seconds(first_experiences, args.runs)
    distinct = median_seconds(plain_customers, args.runs)
    all_exact = median_seconds(together(exact), args.runs)
    all_sampled = median_seconds(together(sampled), args.runs)
    print("| Query | Median seconds | × plain GROUP BY |")
    print("|---|---:|---:|")
    print(f"| plain GROUP BY touchpoint | {base:.3f} | 1.00 |")
    print(f"| same, with distinct customers | {distinct:.3f} | {distinct / base:.2f} |")
    print(f"| first rated time per customer and touchpoint (counted) | {floor:.3f} | "
          f"{floor / base:.2f} |")
    for name, fn in parts.items():
        seconds = median_seconds(fn, args.runs)
        print(f"| {name} | {seconds:.3f} | {seconds / base:.2f} |")
    for label, seconds in (("exact", all_exact), ("sampled", all_sampled)):
        print(f"| **curve + timeline + moments together, {label}** | **{seconds:.3f}** | "
              f"**{seconds / base:.2f}** |")
    print(f"\nTogether vs the GROUP BY with distinct customers: exact {all_exact / distinct:.2f}x, "
          f"sampled {all_sampled / distinct:.2f}x.")
    full = mo.moments_of_truth(ds, "purchase", sample_customers=None)
    part = mo.moments_of_truth(ds, "purchase")
    info = part.attrs
    print(f"\nSample: {info['sample_share']:.1%} of about {info['customers_total']:,} customers "
          f"(about {info['customers_sampled']:,}).")
    for label, frame in (("exact", full), ("sampled", part)):
        top = frame.iloc[0]
        print(f"Top moment of truth, {label}: {top['touchpoint']}, effect {top['effect']:+.3f} "
              f"(95% CI {top['ci_low']:+.3f} to {top['ci_high']:+.3f}), "
              f"{top['customers']:,} customers.")


if __name__ == "__main__":
    main()
