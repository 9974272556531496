"""Benchmark: every page of the app in the browser on big data — first render and revisit —
and the app's peak memory through the whole tour.

Generates ``--rows`` touchpoints (``bench_funnel.generate``, with touchpoints and emotion scores
filled in so every page has work to do), writes them as Parquet into a temporary data folder,
starts the app with ``JOURNEY_DATA_DIR`` pointing there, opens the file from the Data page's
server panel (no upload) in headless Chromium, then visits each analysis page through the
sidebar twice: the first visit computes, the second should come from the caches. A page counts
as rendered when the app has stopped running its script. Peak memory is the app process's
``VmHWM`` (Linux) at the end of the tour.

Prints a Markdown table for BENCHMARKS.md. Not a test: nothing here asserts a time.
Usage: ``python bench/bench_pages.py [--rows 1000000]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from bench_funnel import generate  # noqa: E402
from e2e import CHROMIUM_FLAGS, _free_port, chromium_path, wait_idle  # noqa: E402
from timing import machine  # noqa: E402

PAGES = ["Funnel", "Journeys", "Attribution", "Emotions", "Journey map", "Touchpoints"]


def touchpoints(rows: int) -> pa.Table:
    """The bench touchpoints with a touchpoint name per stage and channel, a 1–5 score on a
    third of the rows and a purchase flag, as the app's upload would have them."""
    arrow = generate(max(rows // 10, 1), 10.0)
    rng = np.random.default_rng(7)
    stage = np.asarray(arrow["stage"].to_pylist(), dtype=object)
    channel = np.asarray(arrow["channel"].to_pylist(), dtype=object)
    name = np.char.add(np.char.add(stage.astype(str), " via "), channel.astype(str))
    score = rng.integers(1, 6, len(stage)).astype(float)
    score[rng.random(len(stage)) > 0.33] = np.nan
    return pa.table({
        "customer_id": arrow["customer_id"], "timestamp": arrow["timestamp"],
        "stage": arrow["stage"], "channel": arrow["channel"],
        "touchpoint": pa.array(name.astype(object), pa.string()),
        "score": pa.array(score), "converted": pa.array(stage == "Purchase"),
    })


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tour(url: str) -> tuple[float, list[tuple[str, float, float]]]:
    """Seconds to open the file, then per page the first render and the revisit in seconds."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url)
        wait_idle(page, 600_000)
        page.get_by_text("Open a file on the server").click()
        page.get_by_label("Or type its path inside the data folder").fill("touchpoints.parquet")
        start = time.perf_counter()
        page.get_by_test_id("stButton").get_by_role("button", name="Open", exact=True).click()
        page.wait_for_timeout(300)
        wait_idle(page, 1_800_000)
        opened = time.perf_counter() - start
        for _ in range(2):
            for name in PAGES:
                start = time.perf_counter()
                page.get_by_role("link", name=name, exact=True).click()
                page.wait_for_timeout(200)
                wait_idle(page, 1_800_000)
                seconds = time.perf_counter() - start
                found = next((i for i, row in enumerate(out) if row[0] == name), None)
                if found is None:
                    out.append((name, seconds, float("nan")))
                else:
                    out[found] = (name, out[found][1], seconds)
        browser.close()
    return opened, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"Machine: {machine()}.")
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as folder:
        table = touchpoints(args.rows)
        pq.write_table(table, Path(folder) / "touchpoints.parquet")
        port = _free_port()
        env = {**os.environ, "JOURNEY_DATA_DIR": folder,
               "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
        app = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                        break
                except OSError:
                    time.sleep(0.3)
            opened, pages = tour(url)
            peak = _peak_mb(app.pid)
        finally:
            app.terminate()
            app.wait(20)
    print(f"\n{table.num_rows:,} touchpoints; opened from the server folder in {opened:.1f} s; "
          f"peak memory of the app {peak:,.0f} MB.\n")
    print("| Page | First render (s) | Revisit (s) |")
    print("|---|---:|---:|")
    for name, first, again in pages:
        print(f"| {name} | {first:.1f} | {again:.2f} |")


if __name__ == "__main__":
    main()
