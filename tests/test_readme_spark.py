"""The README's "When your data outgrows one machine" example runs as written: the analyses
block on DuckDB always, the whole example on a local Spark session when pyspark is installed."""

from __future__ import annotations

import re
from pathlib import Path

import ibis
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def example(name: str) -> str:
    """The code block after ``<!-- example: name -->`` in the README."""
    found = re.search(rf"<!-- example: {name} -->\n```python\n(.*?)```", README.read_text(),
                      re.S)
    assert found, f"README has no example {name!r}"
    return found.group(1)


@pytest.fixture
def in_copy(tmp_path, monkeypatch):
    """A working directory with the repository's sample data, as the README assumes."""
    (tmp_path / "sample_data").symlink_to(README.parent / "sample_data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_analyses_example_runs_on_duckdb(in_copy, capsys):
    import pandas as pd

    pd.read_csv("sample_data/journeys.csv", parse_dates=["timestamp"]).to_parquet("j.parquet")
    table = ibis.duckdb.connect().read_parquet("j.parquet")
    scope = {"table": table}
    exec(compile(example("analyses"), "README.md", "exec"), scope)
    assert scope["ds"].n_rows == 45066 and scope["ds"].n_rejected == 0
    assert scope["funnel"]["customers"].iloc[0] == 5000
    assert "Awareness" in capsys.readouterr().out


def spark_table_example(folder: Path) -> str:
    """The README's Spark example with its parquet file at an absolute path in ``folder``.

    The JVM resolves a relative path against its own working directory, fixed when the first
    SparkSession of the test run started (another test file's may still be running), not
    against the directory the test changed to; pandas writes relative to the latter."""
    code = example("spark-table")
    assert code.count('"journeys.parquet"') == 2, "the example writes and reads journeys.parquet"
    return code.replace('"journeys.parquet"', repr(str(folder / "journeys.parquet")))


def test_the_whole_example_runs_on_spark(in_copy, spark_session):
    # The README's getOrCreate() finds the run's one configured session; it is left running
    # for the other Spark tests.
    scope: dict = {}
    exec(compile(spark_table_example(in_copy) + example("analyses"), "README.md", "exec"),
         scope)
    assert scope["ds"].table._find_backend().name == "pyspark"
    assert scope["ds"].n_rows == 45066
    assert scope["funnel"]["customers"].iloc[0] == 5000
