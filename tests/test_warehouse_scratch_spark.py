"""Dataset.from_table on Spark: the prepared rows are cached once for the checks, and that
scratch view is gone after the bind while the bound view stays cached (its cache does not
depend on the scratch's). Skipped, with the reason, when pyspark is not installed."""

from __future__ import annotations

import ibis
import pytest

import journeylib as jl
from tests.test_warehouse_spark import SKIP_REASON, SMALL, local_spark

pytestmark = pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")


@pytest.fixture(scope="module")
def spark():
    session = local_spark()
    yield session
    session.stop()


def test_the_scratch_view_is_dropped_and_the_bound_view_stays_cached(spark):
    backend = jl.connect(ibis.pyspark.connect(spark))
    spark.createDataFrame(SMALL.astype(object).where(SMALL.notna(), None)).createOrReplaceTempView(
        "small_scratch")
    before = {t.name for t in spark.catalog.listTables() if t.name.startswith("touchpoints_")}
    ds = jl.Dataset.from_table(backend.table("small_scratch"))
    name = ds.table.op().name
    after = {t.name for t in spark.catalog.listTables() if t.name.startswith("touchpoints_")}
    assert after - before == {name}
    assert spark.catalog.isCached(name)
    assert ds.n_rows == 7
    assert int(ds.table.count().execute()) == 7
    jl.drop_dataset(ds)
    assert name not in backend.list_tables()
