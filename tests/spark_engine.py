"""A local Spark session for the cross-engine tests, and DuckDB datasets copied onto it.

:func:`spark_session` starts the one session of a test run (``local[2]``, bound to 127.0.0.1,
no UI, clock in UTC, two shuffle partitions, warnings only); :func:`on_spark` puts a Dataset's
table on that session through Ibis's pyspark backend, keeping everything else of the Dataset.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import os
import sys
import tempfile

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


def spark_session():
    """A new local SparkSession configured for tests; the caller stops it."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("journeylib-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="spark-warehouse-"))
        .config("spark.log.structuredLogging.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


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
