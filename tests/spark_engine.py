"""The one local Spark session of a test run, and DuckDB datasets copied onto it.

:func:`shared_session` starts the session the first time a test asks for it and hands the same
one to every later caller (``local[2]``, bound to 127.0.0.1, no UI, clock in UTC, one shuffle
partition, adaptive execution and whole-stage code generation off, only errors logged: on the
small tables of the tests these cut Spark's fixed cost per query); :func:`stop_shared` stops
it when the run ends (``tests/conftest.py``). :func:`on_spark` puts a Dataset's table on that
session through Ibis's pyspark backend, keeping the rest of the Dataset.

Every Spark test takes its session from here (the ``spark_session`` and ``spark_backend``
fixtures of ``tests/conftest.py``), so a run starts one JVM and one SparkContext, whatever
files it collects. Tests carry the ``spark`` marker: ``pytest -m "not spark"`` skips them.
"""

from __future__ import annotations

import atexit
import dataclasses
import importlib.util
import itertools
import os
import shutil
import sys
import tempfile

import ibis

from journeylib.dataset import Dataset

# The settings of the one session. Shuffle partitions 1 and no adaptive execution: the tests'
# tables are a few thousand rows, and each extra partition or re-plan is fixed cost per query.
# Whole-stage code generation off: compiling Java for every query costs more than it saves on
# such small data. The results do not depend on any of these.
SETTINGS: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "2",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.log.structuredLogging.enabled": "false",
}


def _skip_reason() -> str | None:
    """Why the cross-engine suite cannot run here, or None when it can."""
    try:
        found = importlib.util.find_spec("pyspark") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        return ("pyspark is not installed: `make test-spark` (or `pip install -r "
                "requirements-spark.txt`) runs the Spark suite")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime for Spark (install Java 17 or set JAVA_HOME)"
    return None


SKIP_REASON = _skip_reason()

_names = itertools.count(1)
_session = None
_scratch: tempfile.TemporaryDirectory | None = None


def _alive(session) -> bool:
    """Whether ``session`` can still run queries (a test may have stopped it)."""
    return session is not None and getattr(session.sparkContext, "_jsc", None) is not None


def shared_session():
    """The test run's SparkSession, started on the first call with :data:`SETTINGS`; the same
    session on every later call (started again, with the same settings, only if a caller
    stopped it)."""
    global _session, _scratch
    if _alive(_session):
        return _session
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    if _scratch is None:
        _scratch = tempfile.TemporaryDirectory(prefix="spark-tests-")
        atexit.register(stop_shared)
    builder = SparkSession.builder.master("local[2]").appName("journeylib-tests")
    for key, value in SETTINGS.items():
        builder = builder.config(key, value)
    _session = (
        builder.config("spark.sql.warehouse.dir", os.path.join(_scratch.name, "warehouse"))
        .config("spark.local.dir", _scratch.name)
        .getOrCreate()
    )
    _session.sparkContext.setLogLevel("ERROR")
    return _session


def stop_shared() -> None:
    """Stop the shared session (if one was started) and remove its scratch directory."""
    global _session, _scratch
    if _alive(_session):
        _session.stop()
    _session = None
    if _scratch is not None:
        _scratch.cleanup()
        _scratch = None


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
