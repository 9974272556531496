"""Dataset.from_table reads the user's table once: the prepared rows are computed into a scratch
table, every check is an aggregate over it, and the scratch is dropped (DuckDB).

Queries are counted by wrapping the DuckDB connection under the Ibis backend.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest

import journeylib as jl
from tests.apptest import SAMPLE


class _Recorder:
    """The DuckDB connection with every statement it is given recorded."""

    def __init__(self, inner) -> None:
        self._inner, self.statements = inner, []

    def __getattr__(self, attr):
        value = getattr(self._inner, attr)
        if attr not in ("execute", "sql"):
            return value

        def recorded(query, *args, **kwargs):
            self.statements.append(str(query))
            result = value(query, *args, **kwargs)
            # DuckDB's execute returns the connection, on which Ibis goes on executing.
            return self if result is self._inner else result

        return recorded


@pytest.fixture
def recorded():
    con = jl.connect()
    recorder = _Recorder(con.con)
    con.con = recorder
    return con, recorder


def _reading(statements: list[str], name: str) -> list[str]:
    return [s for s in statements if re.search(rf'"{name}"', s) and not s.startswith("DESCRIBE")]


def _checks(statements: list[str]) -> list[str]:
    """The SELECT queries (not the catalog look-ups Ibis makes)."""
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")
            and "CURRENT_" not in s.upper()]


def _tables(con) -> set[str]:
    """The tables of the connection that a bind makes (Ibis's memtables of the lexicon aside)."""
    return {n for n in con.list_tables() if n.startswith("touchpoints_")}


def test_the_sample_is_read_once_and_checked_in_few_queries(recorded):
    con, recorder = recorded
    con.raw_sql(f"CREATE TABLE src AS SELECT * FROM read_csv('{SAMPLE}')")
    source = con.table("src")
    before = _tables(con)
    recorder.statements.clear()
    ds = jl.Dataset.from_table(source, name="sample")
    assert len(_reading(recorder.statements, "src")) == 1
    # One aggregate of every count, one grouped query of the labels, the bound stages.
    assert len(_checks(recorder.statements)) <= 3
    assert _tables(con) - before == {ds.table.get_name().split('.')[-1]}
    assert ds.n_rows == jl.load(SAMPLE).n_rows


MESSY = pd.DataFrame({
    "customer_id": ["a", "a", "b", None, "c", "c", "d", "", "e", "e"],
    "timestamp": ["2024-01-01 10:00", "2024-01-02", "bad", "2024-01-03", None,
                  "2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08", "2024-01-09"],
    "stage": ["Awareness", "Purchase", "Awareness", "Awareness", "Awareness", "Purchase",
              "Awareness", "Awareness", "Awareness", "Purchase"],
    "emotion": ["3", "12", "joy", "blah", "4", "7", "-1", "2", "5", "9"],
    "converted": ["yes", "maybe", "no", "yes", "no", "yes", "perhaps", "no", "no", "yes"],
    "revenue": ["", "12,5", "n/a", "", "", "1.234,5", "", "", "", "7,25"],
})


@pytest.mark.parametrize("scale", [None, (0, 10), "1-10"])
def test_every_check_of_a_messy_table_reads_it_once(recorded, tmp_path, scale):
    """Rejections, out-of-scale numbers, unknown labels, unreadable flags and amounts: all
    counted from the one copy, with the upload's warnings and counts."""
    con, recorder = recorded
    con.create_table("messy_src", MESSY)
    source = con.table("messy_src")
    before = _tables(con)
    recorder.statements.clear()
    wh = jl.Dataset.from_table(source, emotion_scale=scale)
    assert len(_reading(recorder.statements, "messy_src")) == 1
    assert _tables(con) - before == {wh.table.get_name().split('.')[-1]}
    path = tmp_path / "messy.csv"
    MESSY.to_csv(path, index=False)
    up = jl.load(path, emotion_scale=scale)
    assert wh.report.rejected_counts == dict(Counter(up.rejected["reason"]))
    assert wh.n_rows == up.n_rows
    assert {m.code for m in wh.report.warnings} == {m.code for m in up.report.warnings}
    for key in ("load.emotion.out_of_scale", "load.warning.not_flags",
                "load.warning.not_numbers"):
        ours = [m.params.get("n") for m in wh.report.warnings if m.code == key]
        theirs = [m.params.get("n") for m in up.report.warnings if m.code == key]
        assert ours == theirs, key
    assert wh.report.emotion_unknown == up.report.emotion_unknown
    assert wh.report.emotion_scale == up.report.emotion_scale


def test_out_of_scale_numbers_are_counted_for_the_scale_chosen(recorded):
    con, _ = recorded
    frame = pd.DataFrame({"customer_id": list("aabbcc"), "timestamp": pd.date_range(
        "2024-01-01", periods=6, freq="D"), "stage": ["A", "B"] * 3,
        "emotion": [1.0, 5.0, 8.0, 11.0, 12.0, 3.0]})
    con.create_table("scores", frame)
    narrow = jl.Dataset.from_table(con.table("scores"), emotion_scale=(1, 8))
    [warning] = [m for m in narrow.report.warnings if m.code == "load.emotion.out_of_scale"]
    assert warning.params["n"] == 2
    wide = jl.Dataset.from_table(con.table("scores"), emotion_scale="0-100")
    assert not [m for m in wide.report.warnings if m.code == "load.emotion.out_of_scale"]


def test_a_failed_bind_leaves_no_scratch_table(recorded):
    con, _ = recorded
    con.create_table("nobody", pd.DataFrame({"customer_id": ["", " "], "timestamp": [
        "2024-01-01", "x"], "stage": ["A", "B"]}))
    before = _tables(con)
    with pytest.raises(jl.DataError):
        jl.Dataset.from_table(con.table("nobody"))
    assert _tables(con) == before
