"""Dataset summaries and data quality on a tiny hand-built dataset; queries compile for Spark."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd
import pytest

import journeylib as jl

TINY = (
    "Customer ID,Date,Stage,Channel,Emotion,Revenue,Converted\n"
    "c1,2026-03-01 10:00,Awareness,Web,joy,,no\n"
    "c1,2026-03-01 10:00,Awareness,Web,joy,,no\n"          # exact repeat of the row above
    "c1,2026-03-02 12:00,Purchase,Shop,positive,100.50,yes\n"
    "c2,2026-03-03 08:00,Awareness,Email,meh,,\n"             # 'meh' has no valence
    "c2,2026-03-05 18:30,Consideration,,sadness,,no\n"
    ",2026-03-06,Awareness,Web,,,\n"                         # rejected: no id
    "c3,someday,Awareness,Web,,,\n"                          # rejected: bad timestamp
)


@pytest.fixture(scope="module")
def tiny() -> jl.Dataset:
    return jl.load(TINY.encode())


def test_tiny_dataset_loaded_as_expected(tiny: jl.Dataset) -> None:
    assert (tiny.n_rows, tiny.n_rejected) == (5, 2)
    assert tiny.rejected["row"].tolist() == [7, 8]
    assert tiny.stages == ["Awareness", "Consideration", "Purchase"]


def test_summary(tiny: jl.Dataset) -> None:
    assert jl.summary(tiny) == {
        "rows": 5,
        "customers": 2,
        "first": pd.Timestamp("2026-03-01 10:00", tz="UTC"),
        "last": pd.Timestamp("2026-03-05 18:30", tz="UTC"),
        "stages": 3,
        "rejected": 2,
        "touchpoints_per_customer": 2.5,
    }


def test_data_quality(tiny: jl.Dataset) -> None:
    quality = jl.data_quality(tiny)
    assert list(quality.columns) == [
        "field", "source_column", "filled", "missing", "share_filled", "distinct",
    ]
    rows = [tuple(r) for r in quality.itertuples(index=False)]
    assert rows == [
        ("customer id", "Customer ID", 5, 0, 1.0, 2),
        ("timestamp", "Date", 5, 0, 1.0, 4),
        ("stage", "Stage", 5, 0, 1.0, 3),
        ("channel", "Channel", 4, 1, 0.8, 3),
        ("touchpoint", "", 0, 5, 0.0, 0),
        ("emotion", "Emotion", 4, 1, 0.8, 2),
        ("converted", "Converted", 4, 1, 0.8, 2),
        ("revenue", "Revenue", 1, 4, 0.2, 1),
        ("segment", "", 0, 5, 0.0, 0),
        ("note", "", 0, 5, 0.0, 0),
    ]


def test_duplicate_touchpoints(tiny: jl.Dataset) -> None:
    assert jl.duplicate_touchpoints(tiny) == 1
    clean = jl.load(b"Customer ID,Date,Stage\nc1,2026-03-01,A\nc1,2026-03-02,A\nc2,2026-03-01,A\n")
    assert jl.duplicate_touchpoints(clean) == 0
    triple = jl.load(b"Customer ID,Date,Stage\nc1,2026-03-01,A\nc1,2026-03-01,A\nc1,2026-03-01,A\n")
    assert jl.duplicate_touchpoints(triple) == 2


def test_summary_of_a_single_row() -> None:
    ds = jl.load(b"Customer ID,Date,Touchpoint\nc1,2026-03-01T10:00:00+03:00,Ad\n")
    result = jl.summary(ds)
    assert result["rows"] == 1
    assert result["customers"] == 1
    assert result["first"] == result["last"] == pd.Timestamp("2026-03-01 07:00", tz="UTC")
    assert result["stages"] == 0
    assert result["touchpoints_per_customer"] == 1.0


# ---------------------------------------------------------------------------- Spark SQL


class _SparkOptions(ibis.config.Config):
    treat_nan_as_null: bool = False


@pytest.fixture
def spark_options(monkeypatch) -> None:
    """Without pyspark installed ``ibis.options.pyspark`` is None and the Spark compiler fails on
    any float column ('NoneType' object has no attribute 'treat_nan_as_null'); give it the
    backend's default options."""
    if ibis.options.pyspark is None:
        monkeypatch.setattr(ibis.options, "pyspark", _SparkOptions())


def test_queries_compile_to_pyspark(tiny: jl.Dataset, monkeypatch, spark_options) -> None:
    """Every query journeylib executes must also compile for Spark (a later backend)."""
    executed: list[ir.Table] = []
    original = ir.Table.to_pandas

    def record(self, *args, **kwargs):
        executed.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ir.Table, "to_pandas", record)
    jl.summary(tiny)
    jl.data_quality(tiny)
    jl.duplicate_touchpoints(tiny)
    # No customer reaches both Consideration and Purchase; the earlier first event ranks first.
    assert jl.infer_stage_order(tiny.table) == ["Awareness", "Purchase", "Consideration"]
    assert len(executed) == 5
    for expr in executed:
        sql = ibis.to_sql(expr, dialect="pyspark")
        assert sql.lstrip().upper().startswith(("SELECT", "WITH"))
    summary_sql = ibis.to_sql(executed[0], dialect="pyspark")
    assert "COUNT(DISTINCT `t0`.`customer_id`)" in summary_sql


def test_typical_dashboard_aggregates_compile_to_pyspark(tiny: jl.Dataset, spark_options) -> None:
    t = tiny.table
    exprs = [
        t.group_by("stage").agg(customers=t.customer_id.nunique(), valence=t.valence.mean()),
        t.group_by("channel").agg(revenue=t.revenue.sum(), buyers=t.converted.sum()),
        t.filter(t.valence.notnull()).group_by(
            day=t.timestamp.truncate("D")
        ).agg(valence=t.valence.mean()),
        t.aggregate(first=t.timestamp.min(), last=t.timestamp.max(), rows=t.count()),
    ]
    for expr in exprs:
        sql = ibis.to_sql(expr, dialect="pyspark")
        assert "GROUP BY" in sql or "MIN(" in sql


def test_rejection_reasons_group_by_code() -> None:
    data = (b"customer,date,stage\n"
            b"a,2026-03-01,A\n"
            b",2026-03-02,A\n"
            b"b,yesterday,A\n"
            b"c,not a date,A\n")
    reasons = jl.rejection_reasons(jl.load(data))
    assert reasons.values.tolist() == [
        ["bad_timestamp", 2],
        ["no_customer_id", 1],
    ]
    assert jl.rejection_reasons(jl.load(b"customer,date,stage\na,2026-03-01,A\n")).empty
