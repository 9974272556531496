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


@pytest.fixture(scope="session")
def spark_backend():
    """Ibis's pyspark backend on the one local SparkSession of the test run (see
    ``tests/spark_engine.py``), stopped when the run ends; skips without pyspark."""
    from tests import spark_engine

    if spark_engine.SKIP_REASON:
        pytest.skip(spark_engine.SKIP_REASON)
    with spark_engine.spark_session() as session:
        yield spark_engine.connect(session)
