"""Every query journeylib runs must compile for Spark SQL, so nothing DuckDB-only slips in.

The test records each Ibis expression that journeylib executes (by wrapping ``to_pandas`` and
``execute``), compiles it with ``ibis.to_sql(expr, dialect="pyspark")``, and fails on any error.
Each compiled query is then qualified by sqlglot against the tables' schemas with
``validate_qualify_columns=True``: a column that no table in scope provides (what Spark
reports as ``UNRESOLVED_COLUMN``, e.g. after a filter directly on a window value) fails here
without starting a JVM. ``tests/test_spark_parity.py`` runs the analyses on Spark itself.
"""

from __future__ import annotations

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pytest
import sqlglot
from ibis.backends.sql.datatypes import PySparkType
from ibis.config import Config
from sqlglot.optimizer.qualify import qualify

import journeylib as jl
from journeylib import emotion, journey_map, moments, touchpoints
from journeylib.attribution import (
    attribution,
    channel_reach,
    conversion_probability,
    removal_effects,
    transition_matrix,
)
from journeylib.conversion import conversion_trend, time_to_convert
from journeylib.funnel import Exclusion, drop_offs, funnel
from journeylib.paths import LEVELS, stage_transitions, top_paths
from journeylib.paths_table import path_table
from journeylib.quality import touchpoints_over_time
from journeylib.segments import compare_segments


class _SparkOptions(Config):
    """The option the Spark compiler reads; the pyspark backend (not installed) registers it."""

    treat_nan_as_null: bool = False


@pytest.fixture
def spark_options(monkeypatch) -> None:
    if ibis.options.pyspark is None:
        monkeypatch.setattr(ibis.options, "pyspark", _SparkOptions())


@pytest.fixture
def compiled(monkeypatch, spark_options) -> list[str]:
    seen: list[str] = []
    for cls, name in ((ir.Expr, "execute"), (ir.Table, "to_pandas"), (ir.Value, "to_pandas")):
        original = getattr(cls, name)

        def wrapper(self, *args, _original=original, **kwargs):
            sql = ibis.to_sql(self, dialect="pyspark")
            spark_qualified(sql, self)
            seen.append(sql)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, wrapper)
    return seen


def spark_qualified(sql: str, expr: ir.Expr) -> None:
    """Qualify Spark ``sql`` (compiled from ``expr``) with sqlglot: every column must resolve
    to a table in scope. Raises sqlglot's ``OptimizeError`` naming the column otherwise."""
    schema: dict = {}
    for table in expr.op().find(ops.DatabaseTable):
        columns = {name: PySparkType.from_ibis(dtype).sql("spark")
                   for name, dtype in table.schema.items()}
        catalog, database = table.namespace.catalog, table.namespace.database
        schema.setdefault(catalog, {}).setdefault(database, {})[table.name] = columns
    qualify(sqlglot.parse_one(sql, read="spark"), schema=schema, dialect="spark",
            validate_qualify_columns=True)


def test_the_guard_catches_a_filter_on_a_window_value(spark_options) -> None:
    # What the journey cut did before: Ibis's rewrite loses the alias of the window's table.
    t = jl.load(jl.sample.generate(n_customers=20, seed=1)).table
    t = t.mutate(_conv=t.converted.cast("int64"))
    t = t.filter(t.channel.notnull())
    earlier = (1 - t._conv).sum().over(ibis.window(group_by="customer_id"))
    bad = t.filter((t._conv == 0) | (earlier == 0))
    with pytest.raises(sqlglot.errors.OptimizeError, match="_conv"):
        spark_qualified(ibis.to_sql(bad, dialect="pyspark"), bad)
    good = t.mutate(_earlier=earlier)
    good = good.filter((good._conv == 0) | (good._earlier == 0))
    spark_qualified(ibis.to_sql(good, dialect="pyspark"), good)


def test_all_queries_compile_for_spark(compiled: list[str]) -> None:
    frame = jl.sample.generate(n_customers=300, seed=3)
    # See-Think-Do-Care names match no preset, so the stage order is inferred by a query.
    names = {"Awareness": "See", "Consideration": "Think", "Purchase": "Do",
             "Retention": "Care", "Advocacy": "Tell"}
    frame["stage"] = frame["stage"].map(names)
    ds = jl.load(frame)
    jl.summary(ds)
    jl.data_quality(ds)
    jl.duplicate_touchpoints(ds)
    for freq in ("day", "week", "month"):
        touchpoints_over_time(ds, freq)
    assert ds.stage_model == "inferred"
    assert ds.stages == ["See", "Think", "Do", "Care", "Tell"]
    # one query for the inferred stage order (two to_pandas calls) plus the five above
    assert len(compiled) >= 8
    assert all("SELECT" in sql for sql in compiled)
    attribution(ds, n_boot=2)
    attribution(ds, ["markov", "time_decay"], order=3, n_boot=0, collapse_repeats=True)
    removal_effects(ds, order=2)
    transition_matrix(ds)
    conversion_probability(ds)
    channel_reach(ds)
    path_table(ds, None, conversion_touch=True)
    for by in ("stage", "touchpoint", "channel"):
        emotion.emotion_curve(ds, by, segment="Business" if by == "stage" else None)
    emotion.emotion_timeline(ds, "week", by="stage")
    emotion.pain_points(ds)
    emotion.delight_points(ds)
    emotion.verbatims(ds, touchpoint="Checkout")
    emotion.stage_quotes(ds)
    emotion.journey_score(ds)
    for outcome in ("purchase", "retention", "Tell"):
        moments.moments_of_truth(ds, outcome, adjust=True)
    touchpoints.scorecard(ds)
    journey_map.build_journey_map(ds)
    checkout = Exclusion("Checkout", 1, 3, field="touchpoint")
    for mode in ("ordered", "strict", "any"):
        funnel(ds, window="30d", mode=mode, by="channel", exclude=[checkout])
        drop_offs(ds, 3, mode=mode)
    time_to_convert(ds, "Think", "Do", mode="strict")
    conversion_trend(ds, freq="month")
    compare_segments(ds, ["See", "Do"])
    stage_transitions(ds)
    for level in LEVELS:
        top_paths(ds, level)
