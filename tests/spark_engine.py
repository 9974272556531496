"""A local Spark session for the cross-engine tests, and DuckDB datasets copied onto it.

:func:`spark_session` starts the one session of a test run (``local[2]``, bound to 127.0.0.1,
no UI, clock in UTC, two shuffle partitions, only errors logged); :func:`on_spark` puts a
Dataset's table on that session through Ibis's pyspark backend, keeping the rest of the
Dataset.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import itertools
import os
import sys
import tempfile
from collections.abc import Iterator

import ibis

from journeylib.dataset import Dataset


def _skip_reason() -> str | None:
    """Why the cross-engine suite cannot run here, or None when it can."""
    try:
        found = importlib.util.find_spec("pyspark") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        return ("pyspark is not installed: `make test-spark` (or `pip install -r "
                "requirements-spark.txt`) runs the Spark suite")
    return None


SKIP_REASON = _skip_reason()

_names = itertools.count(1)


@contextlib.contextmanager
def spark_session() -> Iterator:
    """A new local SparkSession configured for tests, stopped (and its scratch directory
    removed) when the ``with`` block ends."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    with tempfile.TemporaryDirectory(prefix="spark-tests-") as scratch:
        session = (
            SparkSession.builder.master("local[2]")
            .appName("journeylib-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.warehouse.dir", os.path.join(scratch, "warehouse"))
            .config("spark.local.dir", scratch)
            .config("spark.log.structuredLogging.enabled", "false")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        try:
            yield session
        finally:
            session.stop()


def on_spark(backend, ds: Dataset) -> Dataset:
    """``ds`` with its table copied to the Ibis pyspark ``backend`` as a temporary view (a
    fresh name; nothing is written to disk)."""
    from ibis.backends.pyspark.datatypes import PySparkSchema

    name = f"touchpoints_spark_{next(_names)}"
    frame = backend._session.createDataFrame(ds.table.to_pandas(),
                                             schema=PySparkSchema.from_ibis(ds.table.schema()))
    frame.createOrReplaceTempView(name)
    return dataclasses.replace(ds, table=backend.table(name), key="")


def connect(session) -> ibis.BaseBackend:
    """Ibis's pyspark backend on ``session``."""
    return ibis.pyspark.connect(session)
