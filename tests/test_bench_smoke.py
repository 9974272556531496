"""``python -m bench`` at 1M touchpoints as a correctness check (no timing asserts): the funnel's
first entry equals the pandas baseline, the best attempt never falls below it, and the GROUP BY
floor counts every customer. The peers (chDB, polars) run only in their own environment."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench():
    spec = importlib.util.spec_from_file_location("bench_main", ROOT / "bench" / "__main__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_main"] = module
    spec.loader.exec_module(module)
    return module


def test_a_million_touchpoints_give_the_same_answers(tmp_path, capsys) -> None:
    bench = _bench()
    out = tmp_path / "bench.json"
    assert bench.main(["--sizes", "1m", "--runs", "1", "--check", "--load-max", "0",
                       "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Answers: all equal." in printed
    assert "| journeylib funnel, best attempt |" in printed


def test_sizes_and_differences_are_read_and_reported() -> None:
    bench = _bench()
    assert [bench.parse_size(s) for s in ("100k", "1m", "10M", "2500")] == [
        100_000, 1_000_000, 10_000_000, 2500]
    result = {"customers": 3, "group_by": {"result": 3},
              "funnel_first": {"counts": [3, 2]}, "funnel_best": {"counts": [3, 1]},
              "pandas_first": {"counts": [3, 1]}, "peer_chdb": {"counts": [3, 2]}}
    found = bench.differences(result)
    assert any("pandas" in f for f in found)
    assert any("windowFunnel" in f for f in found)
    assert any("below first entry" in f for f in found)
