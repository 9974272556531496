"""Benchmark: the Attribution page's work on N touchpoints, step by step (issue 17).

Generates N touchpoints (``--touchpoints``, 1M by default; ``--large`` for 10M) as one journey
per customer of 1 + Poisson(9) touches over 12 channels (the journeys of
``bench/bench_attribution.py``), loads them into DuckDB and times what one view of the page
computes with its default models (first touch, last touch, linear, position based, Markov and
Shapley with 200-resample intervals), the inside view (removal effects and the transition
matrix) and time decay:

- **after** (this tree): the journeys cut once into a path table (with time-decay weights),
  then each model, the bootstrap, removal effects and transitions from that table;
- **before** (``--before``): the calls the page made before, each given the Dataset, so each
  cut the journeys itself. Run it against an older tree:
  ``PYTHONPATH=/path/to/old/tree python bench/bench_attribution_scale.py --before``.

Not a test: nothing here asserts a time. Usage:
``PYTHONPATH=. python bench/bench_attribution_scale.py [--touchpoints 1000000] [--large]
[--runs 1] [--before]``.
"""

from __future__ import annotations

import argparse
import time

from bench_attribution import synthetic_journeys, touchpoint_dataset
from timing import machine, timed

from journeylib.attribution import attribution, removal_effects, transition_matrix

DEFAULT_MODELS = ["first_touch", "last_touch", "linear", "position_based", "markov", "shapley"]
HEURISTICS = ["first_touch", "last_touch", "linear", "position_based"]


def after(ds, runs: int) -> dict[str, float]:
    """Seconds of each step of the page's view, computed from one path table."""
    from journeylib.attribution import bootstrap_intervals
    from journeylib.paths_table import path_table

    out = {}
    out["path table (one cut of the journeys)"], paths = timed(lambda: path_table(ds), runs)
    out["path table with time-decay weights"], decayed = timed(
        lambda: path_table(ds, half_life="7d"), runs
    )
    for model in HEURISTICS:
        out[model] = timed(lambda m=model: attribution(paths, [m], n_boot=0), runs)[0]
    out["time_decay"] = timed(lambda: attribution(decayed, ["time_decay"], n_boot=0), runs)[0]
    for model in ("markov", "shapley"):
        out[f"{model}, point estimate"] = timed(
            lambda m=model: attribution(paths, [m], n_boot=0), runs
        )[0]
    out["bootstrap, markov + shapley, 200 resamples"] = timed(
        lambda: bootstrap_intervals(paths, ["markov", "shapley"], n_boot=200), runs
    )[0]
    out["removal effects"] = timed(lambda: removal_effects(paths), runs)[0]
    out["transition matrix"] = timed(lambda: transition_matrix(paths), runs)[0]

    def page() -> None:
        table = path_table(ds)
        attribution(table, DEFAULT_MODELS)
        removal_effects(table)
        transition_matrix(table)

    out["page default, end to end (one cut)"] = timed(page, runs)[0]
    return out


def before(ds, runs: int) -> dict[str, float]:
    """Seconds of the calls the page made before this change, each given the Dataset."""
    out = {}
    out["attribution(default models, 200 resamples)"] = timed(
        lambda: attribution(ds, DEFAULT_MODELS), runs
    )[0]
    out["attribution(default models, no resamples)"] = timed(
        lambda: attribution(ds, DEFAULT_MODELS, n_boot=0), runs
    )[0]
    out["time_decay"] = timed(lambda: attribution(ds, ["time_decay"], n_boot=0), runs)[0]
    out["removal effects"] = timed(lambda: removal_effects(ds), runs)[0]
    out["transition matrix"] = timed(lambda: transition_matrix(ds), runs)[0]
    out["page default, end to end"] = (
        out["attribution(default models, 200 resamples)"] + out["removal effects"]
        + out["transition matrix"]
    )
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
    print(f"{len(lengths):,} journeys, {len(codes):,} touchpoints, {converted.sum():,} "
          f"conversions; loaded into DuckDB in {time.perf_counter() - start:.1f} s.")
    steps = before(ds, args.runs) if args.before else after(ds, args.runs)
    print(f"\n| step ({'before' if args.before else 'after'}) | median seconds |\n|---|---:|")
    for step, seconds in steps.items():
        print(f"| {step} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
