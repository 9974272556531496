"""Benchmark: funnel, attribution and emotion curve on Spark ``local[2]`` beside DuckDB.

For each size (touchpoints from :func:`journeylib.sample.generate`, about nine per customer),
writes the rows to Parquet, then on each engine: reads the Parquet file, binds it with
:meth:`journeylib.Dataset.from_table` (validation, normalisation and the cached table), and
times ``funnel`` (ordered, 30-day window), ``attribution`` (every model) and ``emotion_curve``.
Spark's fixed cost (planning, scheduling, the JVM round trips) shows at the small size; how each
engine grows shows between the two sizes. An analysis an engine cannot run is reported with the
engine's error instead of a time.

Beside the bind, on DuckDB only: ``upload`` (``journeylib.load`` of the same rows as a CSV and a
Parquet file, the path a file takes) and the ``floor`` a bind cannot beat, one ``GROUP BY
customer_id`` count over the Parquet file plus a copy of it into a table.

Prints figures for BENCHMARKS.md. Not a test: nothing here asserts a time.
Usage: ``python bench/bench_spark.py [--rows 100000 1000000] [--runs 1]
[--engines duckdb spark]``.
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


def upload_and_floor(frame, path: Path, tmp: Path) -> dict[str, str]:
    """Seconds for ``journeylib.load`` of the rows as CSV and as Parquet (into DuckDB), and for
    the floor: a GROUP BY count over the Parquet file plus copying it into a DuckDB table."""
    csv = tmp / f"{path.stem}.csv"
    frame.to_csv(csv, index=False)
    out = {}
    for label, source in (("upload_csv", csv), ("upload_parquet", path)):
        start = time.perf_counter()
        ds = jl.load(source, max_bytes=1 << 40)
        out[label] = f"{time.perf_counter() - start:.1f}"
        jl.drop_dataset(ds)
    con = jl.connect()
    source = con.read_parquet(str(path))
    start = time.perf_counter()
    con.to_pyarrow(source.group_by("customer_id").agg(n=source.count()).count())
    con.create_table("floor_copy", source)
    out["floor"] = f"{time.perf_counter() - start:.1f}"
    con.drop_table("floor_copy")
    return out


def run_engine(con, path: Path, runs: int) -> dict[str, str]:
    """Seconds to bind the Parquet file (median of ``runs``) and to run each analysis (median
    of ``runs``)."""
    out = {}
    binds = []
    for _ in range(runs):
        start = time.perf_counter()
        ds = jl.Dataset.from_table(con.read_parquet(str(path)), name="bench")
        binds.append(time.perf_counter() - start)
        if len(binds) < runs:
            jl.drop_dataset(ds)
    out["bind"] = f"{sorted(binds)[len(binds) // 2]:.1f}"
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
    parser.add_argument("--engines", nargs="+", choices=["duckdb", "spark"],
                        default=["duckdb", "spark"])
    args = parser.parse_args()
    print(machine())
    session, spark = spark_backend() if "spark" in args.engines else (None, None)
    results = []
    extra = ("upload_csv", "upload_parquet", "floor")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            frame = generate(n_customers=max(1, round(rows / 9.0)))
            path = Path(tmp) / f"touchpoints_{rows}.parquet"
            frame.to_parquet(path)
            engines = []
            if "duckdb" in args.engines:
                engines.append(("DuckDB", jl.connect()))
            if spark is not None:
                engines.append(("Spark local[2]", spark))
            for engine, con in engines:
                timing = run_engine(con, path, args.runs)
                if engine == "DuckDB":
                    timing.update(upload_and_floor(frame, path, Path(tmp)))
                results.append((len(frame), engine, timing))
                print(len(frame), engine, timing, flush=True)
    if session is not None:
        session.stop()
    print("\n| touchpoints | engine | bind (s) | upload CSV (s) | upload Parquet (s) | floor (s) | "
          + " | ".join(f"{n} (s)" for n in ANALYSES) + " |")
    print("|---:|---|---:|---:|---:|---:|" + "---:|" * len(ANALYSES))
    for rows, engine, timing in results:
        cells = [timing["bind"], *(timing.get(n, "–") for n in extra),
                 *(timing[n] for n in ANALYSES)]
        print(f"| {rows:,} | {engine} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
