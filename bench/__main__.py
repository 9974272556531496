"""``python -m bench``: the product against its peers and the engine's floor, at chosen sizes.

For each size (touchpoints; customers = size / 10) it generates the benchmark touchpoints
(``bench_funnel.generate``), writes them as Parquet and measures, in one run:

- the floor: DuckDB's ``GROUP BY customer_id`` count through Ibis, the ratio every analysis is
  reported against;
- ``journeylib.funnel`` (5 stages, 30-day window), best attempt (the default) and first entry;
- loading: ``journeylib.load`` of the Parquet file against ``pandas.read_parquet`` and DuckDB's
  ``read_parquet`` (sizes up to ``--load-max``);
- with ``--peers``: ClickHouse's ``windowFunnel`` (chDB) and a polars funnel on the same file,
  and DuckDB's GROUP BY on the file, in their own environment (``.venv-bench``, made from
  ``bench/requirements-peers.txt`` on first use, or ``--peer-python``).

Answers are checked, not only times: the first-entry funnel against the pandas baseline (must be
equal), against polars (equal), and the best attempt against ``windowFunnel`` (equal counts, or
the difference printed). ``--check`` makes any difference an error (the test suite runs a 1M-row
smoke run this way). ``--chart docs/bench_growth.png`` draws time against size per analysis.
Nothing here asserts a time.

Usage: ``python -m bench [--sizes 100k,1m,10m] [--runs 3] [--peers] [--check]
[--chart docs/bench_growth.png] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import pandas as pd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from bench_funnel import WINDOW_DAYS, dataset, generate, pandas_funnel  # noqa: E402
from timing import machine, timed  # noqa: E402

import journeylib as jl  # noqa: E402
from journeylib.funnel import funnel  # noqa: E402

PEER_VENV = HERE.parent / ".venv-bench"


def parse_size(text: str) -> int:
    """``"100k"``, ``"1m"``, ``"10M"``, ``"250000"`` as a number of touchpoints."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def peer_python(given: str | None) -> str:
    """The Python of the peers' own environment, made on first use."""
    if given:
        return given
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r",
                        str(HERE / "requirements-peers.txt")], check=True)
    return str(python)


def measure(rows: int, runs: int, workdir: Path, load_max: int, peers: str | None) -> dict:
    """Every figure for one size: seconds, ratios to the GROUP BY and the answers."""
    customers = max(rows // 10, 1)
    arrow = generate(customers, 10.0)
    path = workdir / f"touchpoints_{rows}.parquet"
    pq.write_table(arrow, path)
    con = jl.connect()
    table = con.create_table(f"bench_{rows}", arrow, overwrite=True)
    ds = dataset(table, arrow.num_rows)
    count = table.group_by("customer_id").agg(n=table.count()).count()
    out: dict = {"rows": arrow.num_rows, "customers": customers}
    floor, groups = timed(lambda: int(count.to_pandas()), runs)
    out["group_by"] = {"seconds": floor, "result": groups}
    for entry in ("best", "first"):
        seconds, frame = timed(lambda e=entry: funnel(ds, window=f"{WINDOW_DAYS}d", entry=e), runs)
        out[f"funnel_{entry}"] = {"seconds": seconds, "ratio": seconds / floor,
                                  "counts": frame["customers"].tolist()}
    events = arrow.select(["customer_id", "timestamp", "stage"]).to_pandas()
    seconds, counts = timed(lambda: pandas_funnel(events, pd.Timedelta(days=WINDOW_DAYS)), 1)
    out["pandas_first"] = {"seconds": seconds, "ratio": seconds / floor, "counts": counts}
    if arrow.num_rows <= load_max:
        import duckdb

        out["load"] = {"seconds": timed(lambda: jl.load(str(path)), 1)[0]}
        out["pandas_read_parquet"] = {"seconds": timed(lambda: pd.read_parquet(path), 1)[0]}
        out["duckdb_read_parquet"] = {"seconds": timed(lambda: duckdb.connect().execute(
            "SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone(), 1)[0]}
    if peers:
        done = subprocess.run([peers, str(HERE / "peers.py"), str(path), "--window-days",
                               str(WINDOW_DAYS), "--runs", str(runs)],
                              capture_output=True, text=True, check=True)
        found = json.loads(done.stdout)
        for name in ("chdb", "polars", "duckdb_group_by"):
            figure = found.get(name, {})
            if "seconds" in figure:
                figure["ratio"] = figure["seconds"] / floor
            out[f"peer_{name}"] = figure
        out["peer_versions"] = found.get("versions", {})
    return out


def differences(result: dict) -> list[str]:
    """Every answer that differs from the one it must equal, in words."""
    found = []
    first = result["funnel_first"]["counts"]
    if result["pandas_first"]["counts"] != first:
        pandas = result["pandas_first"]["counts"]
        found.append(f"first entry: journeylib {first} vs pandas {pandas}")
    if result["group_by"]["result"] != result["customers"]:
        found.append(f"GROUP BY found {result['group_by']['result']} customers")
    polars = result.get("peer_polars", {}).get("counts")
    if polars is not None and polars != first:
        found.append(f"first entry: journeylib {first} vs polars {polars}")
    chdb = result.get("peer_chdb", {}).get("counts")
    best = result["funnel_best"]["counts"]
    if chdb is not None and chdb != best:
        found.append(f"best attempt: journeylib {best} vs ClickHouse windowFunnel {chdb}")
    if any(b < f for b, f in zip(best, first, strict=True)):
        found.append(f"best attempt {best} below first entry {first}")
    return found


NAMES = {
        "group_by": "GROUP BY customer_id count (the floor)",
        "funnel_best": "journeylib funnel, best attempt",
        "funnel_first": "journeylib funnel, first entry",
        "pandas_first": "pandas funnel, first entry (one merge per step)",
        "peer_chdb": "ClickHouse windowFunnel (chDB, on the Parquet file)",
        "peer_polars": "polars funnel, first entry (on the Parquet file)",
        "peer_duckdb_group_by": "DuckDB GROUP BY on the Parquet file",
        "load": "journeylib.load of the Parquet file",
        "pandas_read_parquet": "pandas.read_parquet",
        "duckdb_read_parquet": "DuckDB read_parquet (count)",
}


def table_text(results: list[dict]) -> str:
    """The figures as a Markdown table: seconds and the ratio to the GROUP BY per size."""
    names = NAMES
    head = "| Analysis | " + " | ".join(f"{r['rows']:,} rows (s, × floor)" for r in results)
    lines = [head + " |", "|---|" + "---:|" * len(results)]
    for key, name in names.items():
        cells = []
        for r in results:
            figure = r.get(key) or {}
            if "seconds" not in figure:
                cells.append("–")
                continue
            ratio = figure["seconds"] / r["group_by"]["seconds"]
            cells.append(f"{figure['seconds']:.2f} ({ratio:.1f}×)")
        if any(c != "–" for c in cells):
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def growth_chart(results: list[dict], path: Path) -> None:
    """Seconds against touchpoints, log-log, one line per analysis: near-linear growth is a
    line of slope one."""
    import altair as alt

    from journeylib.export import export_chart

    rows = [{"rows": r["rows"], "analysis": NAMES[key], "seconds": r[key]["seconds"]}
            for r in results for key in NAMES if "seconds" in (r.get(key) or {})]
    sizes = sorted({r["rows"] for r in results})
    chart = alt.Chart(pd.DataFrame(rows), title="Time against size (log-log)").mark_line(
        point=True).encode(
        x=alt.X("rows:Q", title="Touchpoints", axis=alt.Axis(values=sizes, format=".2~s"),
                scale=alt.Scale(type="log", domain=[sizes[0], sizes[-1]], nice=False)),
        y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), title="Seconds (median)"),
        color=alt.Color("analysis:N", title="Analysis", legend=alt.Legend(labelLimit=400)),
    ).properties(width=560, height=360)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(export_chart(chart, "png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1m", help="touchpoints per size, e.g. 100k,1m,10m")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peers", action="store_true", help="also run chDB and polars")
    parser.add_argument("--peer-python", default=None,
                        help="a Python with bench/requirements-peers.txt (default: .venv-bench)")
    parser.add_argument("--load-max", type=parse_size, default=parse_size("2m"),
                        help="measure loading only up to this size")
    parser.add_argument("--check", action="store_true", help="exit 1 when an answer differs")
    parser.add_argument("--chart", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    peers = peer_python(args.peer_python) if args.peers else None
    print(f"Machine: {machine()}; median of {args.runs} runs.")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for size in (parse_size(s) for s in args.sizes.split(",")):
            start = time.perf_counter()
            results.append(measure(size, args.runs, Path(tmp), args.load_max, peers))
            print(f"{size:,} touchpoints measured in {time.perf_counter() - start:.0f} s",
                  file=sys.stderr)
    print(table_text(results))
    problems = [f"{r['rows']:,} rows: {d}" for r in results for d in differences(r)]
    for r in results:
        print(f"\n{r['rows']:,} rows, customers per step: best {r['funnel_best']['counts']}, "
              f"first {r['funnel_first']['counts']}")
        if "peer_versions" in r:
            print(f"Peers: {r['peer_versions']}")
    print("\nAnswers: " + ("all equal." if not problems else "; ".join(problems)))
    if args.chart:
        growth_chart(results, args.chart)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=1))
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    raise SystemExit(main())
