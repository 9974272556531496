"""Shared fixtures: the sample loaded once, and messy input files built inside the tests."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

import journeylib as jl


@pytest.fixture(scope="session")
def sample_dataset() -> jl.Dataset:
    """The committed sample (sample_data/journeys.csv), loaded once for the whole run; tests
    must not change it (filters and ``dataclasses.replace`` make new datasets)."""
    from tests.apptest import SAMPLE  # not at the top: it imports Streamlit's test runner

    return jl.load(SAMPLE)


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, bytes], Path]:
    """Write ``data`` to ``tmp_path / name`` and return the path."""

    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def xlsx_bytes() -> Callable[[dict[str, list[list[object]]]], bytes]:
    """Build an .xlsx workbook with openpyxl: sheet name -> rows (``[]`` is a blank row)."""

    def build(sheets: dict[str, list[list[object]]]) -> bytes:
        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, rows in sheets.items():
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    return build


@pytest.fixture(scope="module")
def spark_session():
    """The one local SparkSession of the test run (``tests/spark_engine.py``: started on first
    use, stopped when the run ends; asked again per module, in case a module stopped it);
    skips, with the reason, without pyspark or Java."""
    from tests import spark_engine

    if spark_engine.SKIP_REASON:
        pytest.skip(spark_engine.SKIP_REASON)
    return spark_engine.shared_session()


@pytest.fixture(scope="module")
def spark_backend(spark_session):
    """Ibis's pyspark backend on the run's one SparkSession (per module, like the session)."""
    from tests import spark_engine

    return spark_engine.connect(spark_session)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The ``spark`` marker on every test that runs on Spark: those using the Spark fixtures,
    and those named for Spark in a ``*_spark.py`` file (``pytest -m "not spark"`` skips them)."""
    for item in items:
        in_spark_file = item.path.name.endswith("_spark.py")
        if ({"spark_session", "spark_backend"} & set(getattr(item, "fixturenames", ()))
                or (in_spark_file and "spark" in item.name)):
            item.add_marker(pytest.mark.spark)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop the shared SparkSession, if a test started one."""
    import sys

    engine = sys.modules.get("tests.spark_engine")
    if engine is not None:
        engine.stop_shared()
