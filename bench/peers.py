"""The peers of ``python -m bench``, run in their own environment
(``bench/requirements-peers.txt``): the same funnel on the same Parquet file through
ClickHouse's ``windowFunnel`` (chDB, in process) and a polars implementation, and DuckDB's
GROUP BY floor on that file.

Usage: ``python bench/peers.py FILE.parquet --window-days 30 --runs 3``; prints one JSON object:
``{"chdb": {"seconds": s, "counts": [...]}, "polars": {...}, "duckdb_group_by": {...},
"versions": {...}}``; a peer that is not installed is reported as ``{"missing": "..."}``. This
script imports nothing from journeylib: it is what a user would write with these tools.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

STAGES = ["Awareness", "Consideration", "Purchase", "Retention", "Advocacy"]


def _timed(fn, runs: int):
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def chdb_funnel(path: str, window_days: int) -> list[int]:
    """Customers reaching each step: ClickHouse's ``windowFunnel`` over a window from the
    chain's first event (the longest chain any step-1 event starts, as a best attempt)."""
    import chdb

    conditions = ", ".join(f"stage = '{s}'" for s in STAGES)
    query = f"""
        SELECT level, count() AS n FROM (
            SELECT customer_id,
                   windowFunnel({window_days * 86400})(toDateTime(timestamp), {conditions})
                       AS level
            FROM file('{path}', Parquet) GROUP BY customer_id)
        GROUP BY level ORDER BY level"""
    rows = chdb.query(query, "CSV").data().strip().splitlines()
    at = {int(a): int(b) for a, b in (r.split(",") for r in rows)}
    return [sum(n for level, n in at.items() if level >= k) for k in range(1, len(STAGES) + 1)]


def polars_first_entry(path: str, window_days: int) -> list[int]:
    """Customers reaching each step from their first entry: the first step-k event after the
    step k-1 event and within the window of the entry, one join per step (lazy polars)."""
    import polars as pl

    events = pl.scan_parquet(path).select("customer_id", "timestamp", "stage")
    reached = (events.filter(pl.col("stage") == STAGES[0]).group_by("customer_id")
               .agg(pl.col("timestamp").min().alias("entry"))
               .with_columns(pl.col("entry").alias("previous")))
    counts = [reached.select(pl.len()).collect().item()]
    window = pl.duration(days=window_days)
    for stage in STAGES[1:]:
        step = (events.filter(pl.col("stage") == stage).join(reached, on="customer_id")
                .filter((pl.col("timestamp") >= pl.col("previous"))
                        & (pl.col("timestamp") <= pl.col("entry") + window))
                .group_by("customer_id")
                .agg(pl.col("timestamp").min().alias("previous"), pl.col("entry").first()))
        reached = step.collect().lazy()
        counts.append(reached.select(pl.len()).collect().item())
    return counts


def duckdb_group_by(path: str) -> int:
    import duckdb

    con = duckdb.connect()
    return con.execute("SELECT count(*) FROM (SELECT customer_id, count(*) FROM read_parquet(?) "
                       "GROUP BY customer_id)", [path]).fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path")
    parser.add_argument("--window-days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    out: dict[str, object] = {"versions": {}}
    for name, fn in (("chdb", lambda: chdb_funnel(args.path, args.window_days)),
                     ("polars", lambda: polars_first_entry(args.path, args.window_days)),
                     ("duckdb_group_by", lambda: duckdb_group_by(args.path))):
        module = {"duckdb_group_by": "duckdb"}.get(name, name)
        try:
            out["versions"][module] = __import__(module).__version__  # type: ignore[index]
        except ImportError as exc:
            out[name] = {"missing": str(exc)}
            continue
        seconds, result = _timed(fn, args.runs)
        out[name] = {"seconds": seconds, "counts": result}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
