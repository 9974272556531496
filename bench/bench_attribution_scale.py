"""Benchmark: the Attribution page's work on N touchpoints, step by step (issue 17).

Generates N touchpoints (``--touchpoints``, 1M by default; ``--large`` for 10M) as one journey
per customer of 1 + Poisson(9) touches over 12 channels (the journeys of
``bench/bench_attribution.py``), loads them into DuckDB and times what one view of the page
computes with its default models (first touch, last touch, linear, position based, Markov and
Shapley with 200-resample intervals), the inside view (removal effects and the transition
matrix) and time decay:

- **after** (this tree): the journeys cut once into a path table (with time-decay weights),
  then each model, the bootstrap, removal effects and transitions from that table;
- **before** (``--before``): the calls the page made before: removal effects, transitions and
  time decay given the Dataset, so each cut the journeys itself. Run it against an older tree:
  ``PYTHONPATH=/path/to/old/tree python bench/bench_attribution_scale.py --before``.

Not a test: nothing here asserts a time. Usage:
``PYTHONPATH=. python bench/bench_attribution_scale.py [--touchpoints 1000000] [--large]
[--runs 1] [--before]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from bench_attribution import synthetic_journeys, touchpoint_dataset
from timing import machine, timed

from journeylib.attribution import attribution, removal_effects, transition_matrix

DEFAULT_MODELS = ["first_touch", "last_touch", "linear", "position_based", "markov", "shapley"]
HEURISTICS = ["first_touch", "last_touch", "linear", "position_based"]


def steps(ds, runs: int, legacy: bool) -> dict[str, float]:
    """Seconds of each step of the page's view. ``legacy``: the calls the page made before
    (removal effects, transitions and time decay given the Dataset, each cutting the
    journeys again); otherwise everything from one path table."""
    from journeylib.paths_table import path_table

    out = {}
    out["path table (one cut of the journeys)"], paths = timed(lambda: path_table(ds), runs)
    print(f"{paths.n_paths:,} distinct paths, {len(paths.codes):,} touches in them, "
          f"{paths.total_conversions:,.0f} conversions.")
    for model in HEURISTICS:
        out[model] = timed(lambda m=model: attribution(paths, [m], n_boot=0), runs)[0]
    for model in ("markov", "shapley"):
        out[f"{model}, point estimate"] = timed(
            lambda m=model: attribution(paths, [m], n_boot=0), runs
        )[0]
    both = timed(lambda: attribution(paths, ["markov", "shapley"], n_boot=200), runs)[0]
    out["bootstrap, markov + shapley, 200 resamples"] = both - (
        out["markov, point estimate"] + out["shapley, point estimate"]
    )
    if legacy:
        out["time_decay (from the Dataset)"] = timed(
            lambda: attribution(ds, ["time_decay"], n_boot=0), runs
        )[0]
        out["removal effects (from the Dataset)"] = timed(lambda: removal_effects(ds), runs)[0]
        out["transition matrix (from the Dataset)"] = timed(
            lambda: transition_matrix(ds), runs
        )[0]

        def page() -> None:
            attribution(ds, DEFAULT_MODELS)
            removal_effects(ds)
            transition_matrix(ds)
    else:
        out["path table with time-decay weights"], decayed = timed(
            lambda: path_table(ds, half_life="7d"), runs
        )
        out["time_decay (from that table)"] = timed(
            lambda: attribution(decayed, ["time_decay"], n_boot=0), runs
        )[0]
        out["removal effects (from the table)"] = timed(lambda: removal_effects(paths), runs)[0]
        out["transition matrix (from the table)"] = timed(
            lambda: transition_matrix(paths), runs
        )[0]

        def page() -> None:
            table = path_table(ds)
            attribution(table, DEFAULT_MODELS)
            removal_effects(table)
            transition_matrix(table)

    out["page default, end to end"] = timed(page, runs)[0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--touchpoints", type=int, default=1_000_000)
    parser.add_argument("--large", action="store_true", help="10M touchpoints")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--before", action="store_true",
                        help="time the old call pattern (each call cuts the journeys)")
    args = parser.parse_args()
    touchpoints = 10_000_000 if args.large else args.touchpoints
    print(f"Machine: {machine()}; median of {args.runs} run(s).")
    codes, lengths, converted = synthetic_journeys(max(1, touchpoints // 10))
    start = time.perf_counter()
    ds = touchpoint_dataset(codes, lengths, converted)
    # Conversions by the converted flag (touchpoint_dataset names no columns, so no rule
    # would find a conversion and every journey would be a null path).
    ds = dataclasses.replace(ds, report=dataclasses.replace(
        ds.report, mapping={"converted": "converted", "revenue": "revenue"}))
    print(f"{len(lengths):,} journeys, {len(codes):,} touchpoints, {converted.sum():,} "
          f"conversions; loaded into DuckDB in {time.perf_counter() - start:.1f} s.")
    timings = steps(ds, args.runs, legacy=args.before)
    print(f"\n| step ({'before' if args.before else 'after'}) | median seconds |\n|---|---:|")
    for step, seconds in timings.items():
        print(f"| {step} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
