"""Benchmark: loading touchpoint files with journeylib.load against plain readers.

Prints a Markdown table (median of several runs) for BENCHMARKS.md. Not a test: nothing here
asserts a time. Usage: ``python bench/bench_load.py [--runs 3] [--customers 5000 50000 250000]``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
from timing import machine, median_seconds

import journeylib as jl
from journeylib import sample


def russian_export(frame: pd.DataFrame, path: Path) -> None:
    """The same data as Excel in a Russian locale saves it: ';', decimal commas, cp1251."""
    out = frame.copy()
    out["timestamp"] = out["timestamp"].dt.strftime("%d.%m.%Y %H:%M")
    out["revenue"] = out["revenue"].map(lambda v: f"{v:.2f}".replace(".", ","))
    out.columns = ["ID клиента", "Дата", "Этап", "Канал", "Точка контакта", "Оценка",
                   "Покупка", "Выручка", "Сегмент", "Комментарий"]
    out.to_csv(path, sep=";", index=False, encoding="cp1251", errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--customers", type=int, nargs="+", default=[5000, 50000, 250000])
    args = parser.parse_args()
    print(f"Machine: {machine()}; median of {args.runs} runs.\n")
    print("| file | rows | MB | journeylib.load (s) | pandas.read_csv (s) | "
          "duckdb.read_csv (s) | load / pandas |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.customers:
            frame = sample.generate(n_customers=n, seed=7)
            plain = Path(tmp) / f"journeys_{n}.csv"
            frame.to_csv(plain, index=False)
            russian = Path(tmp) / f"journeys_{n}_ru.csv"
            russian_export(frame, russian)
            for label, path, read_kw in (
                ("UTF-8 ISO", plain, {}),
                ("cp1251 ; dd.mm.yyyy", russian, {"sep": ";", "encoding": "cp1251",
                                                  "decimal": ","}),
            ):
                loaded = median_seconds(lambda p=path: jl.load(p), args.runs)
                pandas_s = median_seconds(lambda p=path, kw=read_kw: pd.read_csv(p, **kw),
                                          args.runs)
                con = duckdb.connect()
                if read_kw:
                    duck_s = float("nan")  # DuckDB reads cp1251 only with an extension
                else:
                    duck_s = median_seconds(
                        lambda p=path, c=con: c.read_csv(str(p)).to_arrow_table(), args.runs)
                mb = path.stat().st_size / 2**20
                print(f"| {label} | {len(frame):,} | {mb:,.1f} | {loaded:.2f} | {pandas_s:.2f} | "
                      f"{duck_s:.2f} | {loaded / pandas_s:.1f}x |")


if __name__ == "__main__":
    main()
