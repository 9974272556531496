"""Files that would blow up in memory are refused before they are expanded."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

import journeylib as jl
from journeylib import read


def _workbook_with_padding(padding_bytes: int) -> bytes:
    """A real workbook plus a highly compressible member, like a zip bomb in small."""
    book = openpyxl.Workbook()
    book.active.append(["customer", "date", "stage"])
    book.active.append(["a", "2026-03-01", "Awareness"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * padding_bytes)
    return buffer.getvalue()


def test_a_workbook_that_expands_too_far_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(read, "MAX_EXPANDED_XLSX_BYTES", 5 * 2**20)
    bomb = _workbook_with_padding(8 * 2**20)
    assert len(bomb) < 100_000  # small on disk...
    message = r"would expand to 8 MB in memory, more than the 5 MB allowed"
    with pytest.raises(jl.DataError, match=message):
        jl.load(io.BytesIO(bomb))


def test_the_same_workbook_under_the_limit_loads(monkeypatch) -> None:
    monkeypatch.setattr(read, "MAX_EXPANDED_XLSX_BYTES", 5 * 2**20)
    ds = jl.load(io.BytesIO(_workbook_with_padding(2**20)))
    assert ds.n_rows == 1


def test_a_file_over_the_size_limit_is_refused_with_its_size() -> None:
    data = b"customer,date,stage\n" + b"a,2026-03-01,Awareness\n" * 50_000
    with pytest.raises(jl.DataError, match=r"data is 1.1 MB; files up to 1 MB can be loaded"):
        jl.load(data, max_bytes=2**20)
