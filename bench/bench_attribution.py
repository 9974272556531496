"""Benchmark: exact first-order Markov attribution with removal effects, against ChannelAttribution.

Inputs: (1) one million journeys from ten million touchpoints, generated with numpy and loaded
into DuckDB; (2) ChannelAttribution's 10,000-path reference table. Ours solves the absorbing
chain exactly; ChannelAttribution's ``markov_model`` simulates it. ChannelAttribution is never a
dependency: it runs in its own virtual environment (``--ca-python``, default
``/tmp/ca-venv/bin/python``) on the same path tables, within the same run, and is skipped when
that interpreter does not exist. Not a test: nothing here asserts a time.

Usage: ``PYTHONPATH=. python bench/bench_attribution.py [--journeys 1000000] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
from timing import machine, timed

import journeylib as jl
from journeylib.attribution import attribution, conversion_probability, removal_effects
from journeylib.dataset import Dataset, LoadReport, new_table_name
from journeylib.paths_table import PathTable

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference" / "channelattribution_paths.csv"
CHANNELS = [f"ch{i:02d}" for i in range(1, 13)]

# Runs inside ChannelAttribution's own environment: reads a path table, times markov_model.
CA_SCRIPT = """
import json, sys, time, io, contextlib
import pandas as pd
from ChannelAttribution import markov_model
df = pd.read_csv(sys.argv[1], sep=";")
times, out = [], None
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        out = markov_model(df, "path", "total_conversions", var_value="total_conversion_value",
                           var_null="total_null", order=1, out_more=True, ncore=int(sys.argv[3]),
                           verbose=False, flg_pro=False)
    times.append(time.perf_counter() - start)
res = out["result"]
print(json.dumps({"times": times,
                  "conversions": dict(zip(res["channel_name"], res["total_conversions"]))}))
"""


def synthetic_journeys(
    n_journeys: int, seed: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One journey per customer, 1 + Poisson(9) touches (10 on average) over 12 channels of
    unequal reach; the journey converts on its last touch with a probability that rises with
    touches of ch01 and ch02. Returns ``(codes, lengths, converted)``."""
    rng = np.random.default_rng(seed)
    lengths = 1 + rng.poisson(9.0, n_journeys)
    weights = 1.0 / np.arange(1, len(CHANNELS) + 1)
    codes = rng.choice(len(CHANNELS), size=int(lengths.sum()), p=weights / weights.sum())
    starts = np.cumsum(lengths) - lengths
    strong = np.add.reduceat(((codes == 0) | (codes == 1)).astype(np.int64), starts)
    p = 1.0 / (1.0 + np.exp(-(-2.5 + 0.35 * strong)))
    converted = rng.random(n_journeys) < p
    return codes, lengths, converted


def touchpoint_dataset(codes: np.ndarray, lengths: np.ndarray, converted: np.ndarray) -> Dataset:
    """The journeys as touchpoints in DuckDB (the converting event is the last touch)."""
    n = len(codes)
    journey = np.repeat(np.arange(len(lengths)), lengths)
    last = np.zeros(n, dtype=bool)
    last[np.cumsum(lengths) - 1] = True
    minutes = np.arange(n) - (np.cumsum(lengths) - lengths)[journey]  # one touch a minute
    con = jl.connect()
    raw = con.create_table(
        new_table_name(),
        pd.DataFrame(
            {
                "source_row": np.arange(n),
                "cid": journey,
                "minute": minutes,
                "code": codes,
                "converted": last & converted[journey],
            }
        ),
    )
    channel = raw.code.substitute(dict(enumerate(CHANNELS)), else_=ibis.null("string"))
    table = con.create_table(
        new_table_name(),
        raw.select(
            source_row=raw.source_row,
            customer_id=raw.cid.cast("string"),
            timestamp=ibis.timestamp("2026-01-01 00:00:00", timezone="UTC")
            + raw.minute.as_interval("m"),
            stage=ibis.null("string"),
            channel=channel,
            converted=raw.converted,
            revenue=ibis.ifelse(raw.converted, 100.0, 0.0),
        ),
    )
    return Dataset(table, ["(none)"], None, pd.DataFrame(), LoadReport(n_rows=n), name="bench")


def path_frame(codes: np.ndarray, lengths: np.ndarray, converted: np.ndarray) -> pd.DataFrame:
    """The same journeys in ChannelAttribution's layout, one row per distinct path."""
    names = np.asarray(CHANNELS, dtype=object)[codes]
    starts = np.cumsum(lengths) - lengths
    paths = [">".join(names[s : s + k]) for s, k in zip(starts, lengths, strict=True)]
    frame = pd.DataFrame({"path": paths, "conv": converted.astype(int)})
    grouped = frame.groupby("path", as_index=False).agg(
        total_conversions=("conv", "sum"), journeys=("conv", "size")
    )
    grouped["total_conversion_value"] = 100.0 * grouped["total_conversions"]
    grouped["total_null"] = grouped["journeys"] - grouped["total_conversions"]
    return grouped[["path", "total_conversions", "total_conversion_value", "total_null"]]


def channel_attribution(ca_python: str, frame: pd.DataFrame, runs: int, cores: int) -> dict | None:
    """Times and results of ChannelAttribution's markov_model in its own environment."""
    if runs < 1 or not Path(ca_python).exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "paths.csv"
        frame.to_csv(csv, sep=";", index=False)
        done = subprocess.run(
            [ca_python, "-c", CA_SCRIPT, str(csv), str(runs), str(cores)],
            capture_output=True, text=True, check=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(name: str, timings: dict[str, float], ours: dict[str, float], ca: dict | None) -> None:
    """A Markdown table of median times (with ChannelAttribution's time divided by each) and,
    when ChannelAttribution ran, its simulated credit next to the exact one."""
    print(f"\n### {name}\n")
    ca_time = statistics.median(ca["times"]) if ca else None
    if ca_time is not None:
        timings = {**timings, "ChannelAttribution markov_model, simulated (path table)": ca_time}
    print("| Method | Median seconds | ChannelAttribution time / this |\n|---|---:|---:|")
    for method, seconds in timings.items():
        ratio = f"{ca_time / seconds:.2f}" if ca_time else "n/a"
        print(f"| {method} | {seconds:.2f} | {ratio} |")
    if ca is None:
        print("\nChannelAttribution is not installed in --ca-python: only ours is timed.")
        return
    print("\n| Channel | Exact conversions (journeylib) | ChannelAttribution (simulated) "
          "| Difference |")
    print("|---|---:|---:|---:|")
    for channel, exact in sorted(ours.items(), key=lambda kv: -kv[1]):
        simulated = ca["conversions"].get(channel, float("nan"))
        print(f"| {channel} | {exact:,.2f} | {simulated:,.2f} | "
              f"{(simulated - exact) / exact:+.2%} |")


def markov_credit(data) -> dict[str, float]:
    result = attribution(data, ["markov"], lookback=None, conversion_touch=True, n_boot=0)
    return dict(zip(result["channel"], result["conversions"], strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--ca-runs", type=int, default=3)
    parser.add_argument("--ca-cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--ca-python", default="/tmp/ca-venv/bin/python")
    args = parser.parse_args()
    print(f"Machine: {machine()}; median of {args.runs} runs (ChannelAttribution: "
          f"{args.ca_runs} runs, ncore={args.ca_cores}).")

    codes, lengths, converted = synthetic_journeys(args.journeys)
    start = time.perf_counter()
    ds = touchpoint_dataset(codes, lengths, converted)
    print(f"\n{args.journeys:,} journeys, {len(codes):,} touchpoints, {converted.sum():,} "
          f"conversions; loaded into DuckDB in {time.perf_counter() - start:.1f} s.")

    def from_touchpoints():
        return removal_effects(ds, 1, lookback=None, conversion_touch=True)

    engine_time, _ = timed(from_touchpoints, args.runs)
    frame = path_frame(codes, lengths, converted)
    print(f"The same journeys as a path table: {len(frame):,} distinct paths.")

    def from_path_frame():
        paths = PathTable.from_frame(frame)
        return removal_effects(paths, 1), paths

    paths_time, (_, paths) = timed(from_path_frame, args.runs)
    ca = channel_attribution(args.ca_python, frame, args.ca_runs, args.ca_cores)
    report(
        f"{args.journeys:,} journeys: Markov order 1 with removal effects",
        {
            "journeylib, exact, from the touchpoints in DuckDB (journeys cut in the engine)":
                engine_time,
            "journeylib, exact, from the path table (parsing included)": paths_time,
        },
        markov_credit(paths),
        ca,
    )
    engine_credit, path_credit = markov_credit(ds), markov_credit(paths)
    gap = max(abs(engine_credit[c] - path_credit[c]) / path_credit[c] for c in path_credit)
    print(f"\nEngine and path-table routes agree to {gap:.1e} relative.")

    if not REFERENCE.exists():
        print(f"\n{REFERENCE} not found: reference comparison skipped.")
        return
    reference_frame = pd.read_csv(REFERENCE, sep=";")

    def reference_run():
        table = PathTable.from_frame(reference_frame)
        return removal_effects(table, 1), table

    ref_time, (_, reference) = timed(reference_run, args.runs)
    ca_ref = channel_attribution(args.ca_python, reference_frame, args.ca_runs, args.ca_cores)
    report(
        "ChannelAttribution reference table (10,000 paths)",
        {"journeylib, exact, from the path table (parsing included)": ref_time},
        markov_credit(reference),
        ca_ref,
    )
    print(f"\nExact conversion probability of the reference chain: "
          f"{conversion_probability(reference):.6f}")


if __name__ == "__main__":
    main()
