"""Shared fixtures: build messy input files inside the tests."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest


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
