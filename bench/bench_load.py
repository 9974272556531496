"""Benchmark: loading touchpoint files with journeylib.load against plain readers.

Prints Markdown tables (median of several runs) for BENCHMARKS.md. Not a test: nothing here
asserts a time. Usage: ``python bench/bench_load.py [--runs 3] [--customers 5000 50000 250000]``.

Each measurement runs in a child process of its own (libraries imported before the clock
starts), so its peak memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss`` in the child,
imports included: about 250 MB) is that reader's alone; the files are written by another child,
so this process stays small (Linux carries a parent's size into a child's ``ru_maxrss``).
``--before REF`` also times the loader of another git revision (e.g. ``main``) on the same files,
from a copy of that revision's files (``git archive``): the "before" column.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from timing import machine

ROOT = Path(__file__).resolve().parent.parent

# One measurement, run by a child process: prints {"seconds", "rss_mb", "rows"}.
CHILD = r"""
import json, resource, sys, time
import duckdb, pandas as pd
import journeylib as jl
kind, path, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
start = time.perf_counter()
if kind == "load":
    rows = jl.load(path).n_rows
elif kind == "read":
    rows = len(jl.read_table(path).frame)
elif kind == "pandas":
    rows = len(pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path, **options))
elif kind == "duckdb":
    con = duckdb.connect()
    rel = con.read_parquet(path) if path.endswith(".parquet") else con.read_csv(path)
    rows = rel.to_arrow_table().num_rows
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mb": rss, "rows": rows}))
"""


def russian_export(frame: pd.DataFrame, path: Path) -> None:
    """The same data as Excel in a Russian locale saves it: ';', decimal commas, cp1251."""
    out = frame.copy()
    out["timestamp"] = out["timestamp"].dt.strftime("%d.%m.%Y %H:%M")
    out["revenue"] = out["revenue"].map(lambda v: f"{v:.2f}".replace(".", ","))
    out.columns = ["ID клиента", "Дата", "Этап", "Канал", "Точка контакта", "Оценка",
                   "Покупка", "Выручка", "Сегмент", "Комментарий"]
    out.to_csv(path, sep=";", index=False, encoding="cp1251", errors="replace")


def write_files(n: int, plain: Path, russian: Path, parquet: Path) -> int:
    """The sample of ``n`` customers as a CSV, a Russian export and Parquet, written by a child
    process (so this process stays small: a child's peak RSS starts at its parent's size when
    it was started, as Linux keeps ``ru_maxrss`` across fork and exec); returns the rows."""
    code = (
        "import sys, pandas as pd\n"
        "sys.path.insert(0, sys.argv[5])\n"
        "from bench_load import russian_export\n"
        "from journeylib import sample\n"
        "frame = sample.generate(n_customers=int(sys.argv[1]), seed=7)\n"
        "frame.to_csv(sys.argv[2], index=False)\n"
        "russian_export(frame, __import__('pathlib').Path(sys.argv[3]))\n"
        "frame.to_parquet(sys.argv[4])\n"
        "print(len(frame))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(n), str(plain), str(russian), str(parquet),
         str(Path(__file__).resolve().parent)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


def measure(kind: str, path: Path, runs: int, *, cwd: Path = ROOT,
            options: dict | None = None) -> tuple[float, float]:
    """Median seconds and the largest peak RSS (MB) of ``runs`` fresh child processes."""
    times, peaks = [], []
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, kind, str(path), json.dumps(options or {})],
            cwd=cwd, env=env, capture_output=True, text=True, check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        times.append(result["seconds"])
        peaks.append(result["rss_mb"])
    return statistics.median(times), max(peaks)


def before_tree(ref: str, folder: Path) -> Path:
    """The files of git revision ``ref`` unpacked into ``folder`` (``git archive``: the
    repository itself is not changed)."""
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--customers", type=int, nargs="+", default=[5000, 50000, 250000])
    parser.add_argument("--before", default=None, help="git revision of the 'before' loader")
    args = parser.parse_args()
    print(f"Machine: {machine()}; median of {args.runs} runs, peak RSS of one process.\n")
    print("| file | rows | MB | read before (s) | read now (s) | load before (s) | "
          "load now (s) | pandas (s) | duckdb (s) | RSS load before (MB) | RSS load now (MB) | "
          "RSS pandas (MB) | RSS duckdb (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        old = before_tree(args.before, Path(tmp) / "before") if args.before else None
        for n in args.customers:
            plain = Path(tmp) / f"journeys_{n}.csv"
            russian = Path(tmp) / f"journeys_{n}_ru.csv"
            parquet = Path(tmp) / f"journeys_{n}.parquet"
            rows = write_files(n, plain, russian, parquet)
            for label, path, read_kw in (
                ("UTF-8 ISO CSV", plain, {}),
                ("cp1251 ; dd.mm.yyyy CSV", russian,
                 {"sep": ";", "encoding": "cp1251", "decimal": ","}),
                ("Parquet", parquet, {}),
            ):
                now, now_rss = measure("load", path, args.runs)
                read_now, _ = measure("read", path, args.runs)
                if old is not None:
                    then, then_rss = measure("load", path, args.runs, cwd=old)
                    read_then, _ = measure("read", path, args.runs, cwd=old)
                else:
                    then = then_rss = read_then = float("nan")
                pandas_s, pandas_rss = measure("pandas", path, args.runs, options=read_kw)
                if read_kw:  # DuckDB reads cp1251 only with an extension
                    duck_s = duck_rss = float("nan")
                else:
                    duck_s, duck_rss = measure("duckdb", path, args.runs)
                mb = path.stat().st_size / 2**20
                print(f"| {label} | {rows:,} | {mb:,.1f} | {read_then:.2f} | "
                      f"{read_now:.2f} | {then:.2f} | {now:.2f} | "
                      f"{pandas_s:.2f} | {duck_s:.2f} | {then_rss:,.0f} | {now_rss:,.0f} | "
                      f"{pandas_rss:,.0f} | {duck_rss:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
