"""Benchmark: funnel, attribution and emotion curve on Spark ``local[2]`` beside DuckDB.

For each size (touchpoints from :func:`journeylib.sample.generate`, about nine per customer),
writes the rows to Parquet, then on each engine: reads the Parquet file, binds it with
:meth:`journeylib.Dataset.from_table` (validation, normalisation and the cached table), and
times ``funnel`` (ordered, 30-day window), ``attribution`` (every model) and ``emotion_curve``.
Spark's fixed cost (planning, scheduling, the JVM round trips) shows at the small size; how each
engine grows shows between the two sizes. An analysis an engine cannot run is reported with the
engine's error instead of a time.

Prints figures for BENCHMARKS.md. Not a test: nothing here asserts a time.
Usage: ``python bench/bench_spark.py [--rows 100000 1000000] [--runs 1]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import ibis
from timing import machine, timed

import journeylib as jl
from journeylib.sample import generate

ANALYSES = {
    "funnel": lambda ds: jl.funnel(ds, window="30d"),
    "attribution": lambda ds: jl.attribution(ds),
    "emotion_curve": lambda ds: jl.emotion_curve(ds),
}


def spark_backend():
    """Ibis's pyspark backend on a local[2] session (UI off, UTC, 127.0.0.1, 2 partitions)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]").appName("journeylib-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session, jl.connect(ibis.pyspark.connect(session))


def run_engine(con, path: Path, runs: int) -> dict[str, str]:
    """Seconds to bind the Parquet file and to run each analysis (median of ``runs``)."""
    out = {}
    start = time.perf_counter()
    ds = jl.Dataset.from_table(con.read_parquet(str(path)), name="bench")
    out["bind"] = f"{time.perf_counter() - start:.1f}"
    for name, analysis in ANALYSES.items():
        try:
            seconds, _ = timed(lambda analysis=analysis: analysis(ds), runs)
            out[name] = f"{seconds:.2f}"
        except Exception as exc:  # reported, not hidden: an engine that cannot run it
            out[name] = f"fails ({type(exc).__name__}: {str(exc).splitlines()[0][:80]})"
    jl.drop_dataset(ds)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print(machine())
    session, spark = spark_backend()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            frame = generate(n_customers=max(1, round(rows / 9.0)))
            path = Path(tmp) / f"touchpoints_{rows}.parquet"
            frame.to_parquet(path)
            for engine, con in (("DuckDB", jl.connect()), ("Spark local[2]", spark)):
                timing = run_engine(con, path, args.runs)
                results.append((len(frame), engine, timing))
                print(len(frame), engine, timing, flush=True)
    session.stop()
    print("\n| touchpoints | engine | bind (s) | " + " | ".join(f"{n} (s)" for n in ANALYSES)
          + " |")
    print("|---:|---|---:|" + "---:|" * len(ANALYSES))
    for rows, engine, timing in results:
        cells = [timing["bind"], *(timing[n] for n in ANALYSES)]
        print(f"| {rows:,} | {engine} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
