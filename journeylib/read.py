"""Read a spreadsheet file (CSV/TSV/TXT, Excel, Parquet, or one of those packed as .gz or in a
.zip) into a frame of raw cells.

This layer only finds the table: format, encoding, delimiter, sheet, header row. It does not
interpret values (see ``columns``, ``timestamps``, ``numbers``, ``valence``).

What one file may hold is bounded by the limits below, each checked before the work it bounds
(unpacking, parsing, building the frame), so a small file that expands to gigabytes is refused
cheaply. A refusal is a :class:`~journeylib.errors.DataError` whose ``code`` and ``params`` name
the limit (``errors.too_many_rows`` with ``{"rows": ..., "limit": ...}``).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import html
import io
import re
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from journeylib.duckdb_settings import duckdb_config
from journeylib.errors import DataError
from journeylib.i18n import t
from journeylib.messages import Message

# ---------------------------------------------------------------------------- limits
# What one file may hold; the defaults fit a 4 GB host. Each is checked before the work it bounds.
# Bytes of a file's content, uncompressed (a .gz or a .zip member is measured unpacked, while it
# is unpacked); the app's upload limit (server.maxUploadSize) is the same. Text and Parquet
# files are read by DuckDB from disk, so the rows and cells below bound memory more than this.
# ``read_table(max_bytes=...)`` overrides it per call.
MAX_BYTES = 1024 * 2**20
DEFAULT_MAX_BYTES = MAX_BYTES
# Data rows (a text file's lines; Parquet's and a worksheet's row count from their metadata).
MAX_ROWS = 3_000_000
# Cells: rows x columns (the frame of raw cells costs memory per cell).
MAX_CELLS = 30_000_000
# Characters in one cell of a text file (the csv module's default field limit).
MAX_FIELD_CHARS = 131_072
# A worksheet's XML together with the workbook's shared strings, as the zip directory states
# them; calamine holds about four times this in memory while reading the sheet.
MAX_SHEET_XML_BYTES = 256 * 2**20
# Everything a workbook holds, unpacked (media and other parts included).
MAX_EXPANDED_XLSX_BYTES = 2 * 2**30

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
TEXT_EXTENSIONS = {".csv", ".tsv", ".txt", ".tab"}
EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_EXTENSIONS = {".parquet", ".pq"}
TABLE_EXTENSIONS = TEXT_EXTENSIONS | EXCEL_EXTENSIONS | PARQUET_EXTENSIONS
ARCHIVE_EXTENSIONS = {".gz", ".zip"}
HEADER_SCAN_ROWS = 30
_UNPACK_CHUNK = 2**20
_MAX_DEFLATE_RATIO = 1100


@dataclass
class RawTable:
    """A table as found in a file: header applied, cells not yet interpreted.

    ``frame`` holds one column per source column (names made unique) and one row per data row;
    text formats give strings ("" for an empty cell), Excel and Parquet give typed cells.
    ``rows`` is the row number a person sees in the file for each frame row (1-based; for a
    spreadsheet, the Excel row number). ``bad_rows`` lists rows that could not be split into the
    header's columns, as ``(row, reason code, cells)``; ``warnings`` are messages for the user
    (worded by :func:`journeylib.i18n.say`). ``compression`` is ``"gzip"`` or ``"zip"``
    for a packed file, ``member`` the archive member read and ``members`` every table the
    archive holds (see :func:`list_members`).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    name: str = "data"
    format: str = "dataframe"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    compression: str | None = None
    member: str | None = None
    members: list[str] = field(default_factory=list)
    header_row: int = 1
    title_rows: int = 0
    empty_rows: int = 0
    bad_rows: list[tuple[int, str, list[str]]] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)


def read_table(
    source: Any,
    *,
    sheet: str | int | None = None,
    member: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> RawTable:
    """Read ``source`` into a :class:`RawTable`.

    ``source`` is a path, ``bytes``, a file-like object (its ``name`` tells the format when it
    has one), or a pandas DataFrame; a ``.gz`` file or a ``.zip`` archive is read as the table
    inside. ``sheet`` picks an Excel sheet by name or 0-based index (default: the first sheet
    that holds data); ``member`` picks a table of a zip archive by its name in
    :func:`list_members` (default: the first). ``max_bytes`` bounds the file and its unpacked
    content. Raises :class:`DataError` for files that cannot be used: empty, binary junk, over a
    limit of this module, no columns, no data rows. ``progress(rows read, rows in the file)``
    is called a few times a second while DuckDB reads a text file (both counts estimated from
    the file's lines and DuckDB's progress).
    """
    if isinstance(source, pd.DataFrame):
        return _from_frame(source)
    if isinstance(source, str | Path):
        read = _read_path(Path(source), max_bytes, progress)
        if read is not None:
            return read
    name, data = _read_bytes(source, max_bytes)
    return _read_content(name, data, sheet, member, max_bytes)


def _read_path(
    path: Path, max_bytes: int, progress: Callable[[int, int], None] | None = None
) -> RawTable | None:
    """A text or Parquet file (or a folder of Parquet files) on disk, read by DuckDB from the
    file itself; None for other formats, which are read from their bytes."""
    if path.is_dir():
        return _read_parquet_files(path.name, parquet_files(path), max_bytes)
    if not path.is_file():
        return None  # reported by _read_bytes
    _check_size(path.name, path.stat().st_size, max_bytes)
    with path.open("rb") as stream:
        start = stream.read(512)
    if start.startswith((b"PK", b"\x1f\x8b")):
        return None
    kind = _sniff_format(path.name, start)
    if kind == "parquet":
        return _read_parquet_files(path.name, [path], max_bytes)
    if kind == "text":
        return _read_text_path(path.name, path, progress)
    return None


def parquet_files(folder: Path) -> list[Path]:
    """The Parquet files of a folder and its subfolders (a partitioned data set), in name order;
    hidden files and Spark's ``_SUCCESS`` markers left out. Raises :class:`DataError` when it
    holds none."""
    files = sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in PARQUET_EXTENSIONS
        and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
    )
    if not files:
        raise DataError(code="errors.folder_no_parquet", params={"name": folder.name})
    return files


def list_members(source: Any, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """The tables a zip archive holds (CSV/TSV/TXT, Excel, Parquet members, in archive order,
    folders and system files left out), as ``read_table(member=...)`` takes them; ``[]`` for a
    file that is not a zip archive of tables. Reads only the archive's directory."""
    if isinstance(source, pd.DataFrame):
        return []
    name, data = _read_bytes(source, max_bytes)
    if _sniff_format(name, data) != "zip":
        return []
    with _open_zip(name, data) as archive:
        return _table_members(archive)


def _read_content(
    name: str, data: bytes, sheet: str | int | None, member: str | None, max_bytes: int,
    *, packed: bool = False,
) -> RawTable:
    kind = _sniff_format(name, data)
    if kind in ("gzip", "zip") and packed:
        raise DataError(code="errors.nested_archive", params={"name": name})
    if kind == "gzip":
        inner_name, inner = _gunzip(name, data, max_bytes)
        raw = _read_content(inner_name, inner, sheet, None, max_bytes, packed=True)
        raw.compression = "gzip"
        return raw
    if kind == "zip":
        return _read_zip(name, data, sheet, member, max_bytes)
    if kind == "tar":
        raise DataError(code="errors.tar_archive", params={"name": name})
    if kind == "excel":
        return _read_excel(name, data, sheet)
    if kind == "parquet":
        return _read_parquet(name, data, max_bytes)
    return _read_text(name, data)


def _read_bytes(source: Any, max_bytes: int) -> tuple[str, bytes]:
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise DataError(t("errors.file_not_found", path=str(path)))
        size = path.stat().st_size
        _check_size(path.name, size, max_bytes)
        return path.name, path.read_bytes()
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = "data"
    elif hasattr(source, "getvalue"):
        data = source.getvalue()
        name = getattr(source, "name", "data")
    elif hasattr(source, "read"):
        data = source.read()
        name = getattr(source, "name", "data")
    else:
        raise DataError(t("errors.cannot_read_type", kind=type(source).__name__))
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = Path(str(name)).name
    _check_size(name, len(data), max_bytes)
    return name, data


def _check_size(name: str, size: int, max_bytes: int) -> None:
    if size == 0:
        raise DataError(t("errors.empty_file", name=name))
    if size > max_bytes:
        raise DataError(
            code="errors.too_large",
            params={"name": name, "size_bytes": size, "limit_bytes": max_bytes},
        )


def _sniff_format(name: str, data: bytes) -> str:
    suffix = Path(name).suffix.lower()
    if data.startswith(b"\x1f\x8b"):
        return "gzip"
    if data.startswith(b"PAR1"):
        return "parquet"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "excel" if suffix in EXCEL_EXTENSIONS or _is_workbook(data, suffix) else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "excel"
    if data[257:262] == b"ustar":
        return "tar"
    if suffix in EXCEL_EXTENSIONS or suffix in PARQUET_EXTENSIONS or suffix in ARCHIVE_EXTENSIONS:
        raise DataError(t("errors.wrong_extension", name=name, suffix=suffix))
    return "text"


def _is_workbook(data: bytes, suffix: str) -> bool:
    """Whether a zip is an Excel or OpenDocument workbook rather than an archive of tables."""
    if suffix == ".zip":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return True  # reported as a damaged workbook, as Excel files are the usual zips
    return "[Content_Types].xml" in names or "mimetype" in names


# ---------------------------------------------------------------------------- .gz and .zip


def _read_capped(stream: Any, limit: int, name: str) -> bytes:
    """All of ``stream``, read a chunk at a time; refused as soon as it passes ``limit`` bytes,
    so an archive that unpacks to gigabytes costs at most ``limit`` bytes of memory."""
    out = io.BytesIO()
    while chunk := stream.read(_UNPACK_CHUNK):
        out.write(chunk)
        if out.tell() > limit:
            raise DataError(
                code="errors.unpacked_over_limit", params={"name": name, "limit_bytes": limit}
            )
    return out.getvalue()


def _gunzip(name: str, data: bytes, max_bytes: int) -> tuple[str, bytes]:
    """The name and content of the file inside a .gz (``orders.csv.gz`` holds ``orders.csv``)."""
    inner_name = name[:-3] if name.lower().endswith(".gz") else name
    if name.lower().endswith(".tgz"):
        raise DataError(code="errors.tar_archive", params={"name": name})
    # The trailer states the unpacked size (modulo 4 GiB, of the last member): never more than
    # the truth, so a stated size over the limit is refused without unpacking anything. Deflate
    # packs at most about 1:1032, so a statement beyond that comes from a damaged file and is
    # left to the capped unpacking below.
    stated = int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0
    if max_bytes < stated <= _MAX_DEFLATE_RATIO * len(data):
        raise DataError(
            code="errors.unpacked_too_large",
            params={"name": name, "size_bytes": stated, "limit_bytes": max_bytes},
        )
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inner = _read_capped(stream, max_bytes, name)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(code="errors.archive_damaged", params={"name": name}) from exc
    if not inner:
        raise DataError(t("errors.empty_file", name=inner_name))
    return inner_name, inner


def _open_zip(name: str, data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(code="errors.archive_damaged", params={"name": name}) from exc


def _table_members(archive: zipfile.ZipFile) -> list[str]:
    def is_table(info: zipfile.ZipInfo) -> bool:
        base = info.filename.rsplit("/", 1)[-1]
        return (
            not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not base.startswith((".", "~$"))
            and Path(base).suffix.lower() in TABLE_EXTENSIONS
        )

    return [info.filename for info in archive.infolist() if is_table(info)]


def _read_zip(
    name: str, data: bytes, sheet: str | int | None, member: str | None, max_bytes: int
) -> RawTable:
    with _open_zip(name, data) as archive:
        tables = _table_members(archive)
        if not tables:
            held = [i.filename for i in archive.infolist() if not i.is_dir()][:10]
            raise DataError(code="errors.zip_no_table", params={"name": name, "members": held})
        chosen = tables[0] if member is None else member
        if chosen not in tables:
            raise DataError(
                code="errors.zip_no_member",
                params={"name": name, "member": chosen, "members": tables},
            )
        info = archive.getinfo(chosen)
        inner_name = f"{name}/{chosen}"
        if info.flag_bits & 0x1:
            raise DataError(code="errors.zip_encrypted", params={"name": name, "member": chosen})
        # The directory states each member's unpacked size, and zipfile never unpacks more
        # than it states; the cap while unpacking holds should the statement be forged.
        if info.file_size > max_bytes:
            raise DataError(
                code="errors.unpacked_too_large",
                params={"name": inner_name, "size_bytes": info.file_size,
                        "limit_bytes": max_bytes},
            )
        if info.file_size == 0:
            raise DataError(t("errors.empty_file", name=inner_name))
        try:
            with archive.open(info) as stream:
                inner = _read_capped(stream, max_bytes, inner_name)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
            raise DataError(code="errors.archive_damaged", params={"name": name}) from exc
    raw = _read_content(inner_name, inner, sheet, None, max_bytes, packed=True)
    raw.compression, raw.member, raw.members = "zip", chosen, tables
    return raw


# ---------------------------------------------------------------------------- row and cell limits


def _check_rows_and_cells(name: str, rows: int, columns: int) -> None:
    if rows > MAX_ROWS:
        raise DataError(
            code="errors.too_many_rows", params={"name": name, "rows": rows, "limit": MAX_ROWS}
        )
    if rows * columns > MAX_CELLS:
        raise DataError(
            code="errors.too_many_cells",
            params={"name": name, "rows": rows, "columns": columns, "cells": rows * columns,
                    "limit": MAX_CELLS},
        )


# ---------------------------------------------------------------------------- text files


def _read_text(name: str, data: bytes) -> RawTable:
    """A text table held in memory (an upload passed as bytes, the content of a .gz or a zip
    member): decoded, then read by DuckDB from a UTF-8 temporary file, or split by Python where
    rows need explaining (see :func:`_read_text_path`)."""
    text, encoding = decode(data, name)
    if _has_blank_lines(text):
        return _read_text_python(name, text, encoding)
    with tempfile.TemporaryDirectory(prefix="journey-read-") as folder:
        utf8 = Path(folder) / "table.csv"
        if encoding == "UTF-8":
            utf8.write_bytes(data)
        else:
            utf8.write_text(text, encoding="utf-8", newline="")
        return _read_text_duckdb(name, utf8, text[:_HEAD_BYTES], encoding, _count_lines(text),
                                 lambda: (text, encoding))


def _read_text_path(
    name: str, path: Path, progress: Callable[[int, int], None] | None = None
) -> RawTable:
    """A text table in a file on disk, read without holding the file in Python's memory.

    UTF-8 files (with or without a BOM) are read by DuckDB's CSV reader with the dialect found
    in the first rows (delimiter, header row); files in another encoding (UTF-16 with a BOM,
    cp1251 or cp1250 as the first megabyte tells) are decoded a chunk at a time into a UTF-8
    copy that DuckDB reads. Files DuckDB cannot read cleanly, and files whose rows
    need explaining (rows wider than the header, blank lines whose row numbers must be kept,
    bytes that are not UTF-8 after the first megabyte), are split by Python's ``csv`` module so
    every row that cannot be used is reported with its row number."""
    with path.open("rb") as stream:
        head = stream.read(_HEAD_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "UTF-16"
    elif _utf8_head(head):
        encoding = "UTF-8-BOM" if head.startswith(codecs.BOM_UTF8) else "UTF-8"
    else:
        _reject_binary(head, name)
        encoding = "cp1251" if _looks_cyrillic(np.frombuffer(head, dtype=np.uint8)) else "cp1250"
    if encoding.startswith("UTF-8"):
        _reject_binary(head, name)
        return _read_utf8_path(name, path, encoding, head, progress=progress)
    with tempfile.TemporaryDirectory(prefix="journey-read-") as folder:
        utf8 = Path(folder) / "table.csv"
        _transcode(path, encoding, utf8)
        with utf8.open("rb") as stream:
            head = stream.read(_HEAD_BYTES)
        return _read_utf8_path(name, utf8, encoding, head, original=path, progress=progress)


def _read_utf8_path(
    name: str, path: Path, encoding: str, head: bytes, original: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RawTable:
    """A UTF-8 text table at ``path`` (``original``: the file it was decoded from) read by
    DuckDB, or by Python when it has blank lines or DuckDB cannot read it cleanly."""
    source = original or path
    lines, blank = _scan_lines(path)
    if blank:
        return _read_text(name, source.read_bytes())
    head_text = head.decode("utf-8", errors="ignore").removeprefix("\ufeff")
    return _read_text_duckdb(name, path, head_text, encoding, lines,
                             lambda: decode(source.read_bytes(), name), progress)


def _transcode(path: Path, encoding: str, out: Path) -> None:
    """Write the text of ``path`` (in ``encoding``) to ``out`` as UTF-8, eight megabytes at a
    time; bytes the encoding does not know become U+FFFD, as :func:`decode` reads them."""
    decoder = codecs.getincrementaldecoder("utf-16" if encoding == "UTF-16" else encoding)(
        errors="replace")
    with path.open("rb") as source, out.open("w", encoding="utf-8", newline="") as target:
        while chunk := source.read(8 * _UNPACK_CHUNK):
            target.write(decoder.decode(chunk))
        target.write(decoder.decode(b"", final=True))


_HEAD_BYTES = 2**20
_BLANK_LINES = (b"\n\n", b"\n\r\n", b"\r\r")


def _utf8_head(head: bytes) -> bool:
    """Whether the first bytes of a file are UTF-8 (a character cut at the end allowed)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _scan_lines(path: Path) -> tuple[int, bool]:
    """Lines of a file (an upper bound of its rows) and whether any is blank, counted eight
    megabytes at a time without splitting the rows."""
    breaks, blank, tail, last = 0, False, b"", b""
    with path.open("rb") as stream:
        while chunk := stream.read(8 * _UNPACK_CHUNK):
            breaks += chunk.count(b"\n")
            if not blank:
                seam = tail + chunk[:2]
                blank = any(mark in part for part in (seam, chunk)
                            for mark in (b"\n\n", b"\n\r\n"))
            tail, last = (tail + chunk)[-2:] if len(chunk) < 2 else chunk[-2:], chunk[-1:]
    if not breaks:  # old Mac line ends, or a single line
        data = path.read_bytes()
        breaks, blank = data.count(b"\r"), b"\r\r" in data
    return breaks + (0 if last in (b"\n", b"\r") else 1), blank


def _has_blank_lines(text: str) -> bool:
    return "\n\n" in text or "\n\r\n" in text or "\r\r" in text


def _text_layout(name: str, text: str) -> tuple[str, list[list[str]], list[int], int]:
    """The dialect of a text table from its first rows: ``(delimiter, first records, the line
    each ends on, index of the header among them or -1)``."""
    delimiter = sniff_delimiter(text[:200_000].splitlines()[:200], name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    head: list[list[str]] = []
    line_numbers: list[int] = []
    try:
        for record in reader:
            head.append(record)
            line_numbers.append(reader.line_num)
            if len(head) >= HEADER_SCAN_ROWS:
                break
    except csv.Error as exc:
        raise _split_error(name, exc, (line_numbers[-1] if line_numbers else 0) + 1) from exc
    if not head:
        raise DataError(t("errors.no_rows", name=name))
    return delimiter, head, line_numbers, find_header_row(head)


def _read_text_duckdb(
    name: str, path: Path, head_text: str, encoding: str, lines: int,
    whole_text: Any, progress: Callable[[int, int], None] | None = None,
) -> RawTable:
    """Read a UTF-8 text table at ``path`` with DuckDB; ``whole_text()`` gives ``(text,
    encoding)`` for Python's reader when DuckDB cannot read the file cleanly."""
    with _field_limit():
        delimiter, head, line_numbers, header_idx = _text_layout(name, head_text)
        width = len(head[header_idx]) if header_idx >= 0 else max(len(r) for r in head)
        skip = line_numbers[header_idx] if header_idx >= 0 else 0
        _check_rows_and_cells(name, lines - skip, width)
        rows = max(lines - skip, 0)
        table = _duckdb_csv(path, delimiter, skip, width,
                            (lambda share: progress(int(share * rows), rows)) if progress else None)
        if table is None:
            text, encoding = whole_text()
            return _read_text_python(name, text, encoding)
        try:
            raw = _text_table(table, head, header_idx, skip, width)
        except _FieldTooLong as exc:
            raise _field_error(name, exc.row) from exc
    raw.name, raw.format, raw.encoding, raw.delimiter = name, "csv", encoding, delimiter
    if raw.frame.empty:
        raise DataError(t("errors.header_only", name=name))
    return raw


def _duckdb_csv(
    path: Path, delimiter: str, skip: int, width: int,
    progress: Callable[[float], None] | None = None,
) -> pa.Table | None:
    """The cells of a UTF-8 text table as text (NULL for the missing cells of a short row),
    read by DuckDB's CSV reader; None when DuckDB finds a row it cannot split as the header
    says (a wider row, an unclosed quote, bytes that are not UTF-8), which Python's reader then
    explains row by row. ``progress(share read)`` is called while it reads."""
    names = [f"c{i}" for i in range(width)]
    query = (
        "SELECT * FROM read_csv($path, delim = $delim, quote = '\"', escape = '\"', "
        "header = false, skip = $skip, columns = $columns, null_padding = true, "
        "strict_mode = true, auto_detect = false, max_line_size = $line, parallel = $parallel)"
    )
    params = {"path": str(path), "delim": delimiter, "skip": skip,
              "columns": dict.fromkeys(names, "VARCHAR"),
              "line": max(2 * 2**20, 4 * MAX_FIELD_CHARS)}
    with duckdb_reader() as con:
        for parallel in (True, False):
            try:
                return _run_watched(con, query, {**params, "parallel": parallel}, progress)
            except duckdb.Error as exc:
                # The parallel reader cannot pad short rows when cells hold line breaks.
                if not (parallel and "parallel" in str(exc)):
                    return None
    return None


def _run_watched(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any],
    progress: Callable[[float], None] | None,
) -> pa.Table:
    """``query``'s result as Arrow; with ``progress``, the query runs in a worker thread while
    this one reports DuckDB's progress (a share from 0 to 1) about four times a second."""
    if progress is None:
        return con.execute(query, params).to_arrow_table()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["table"] = con.execute(query, params).to_arrow_table()
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="journey-read", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.25)
        share = con.query_progress()
        if share >= 0 and worker.is_alive():
            progress(min(share / 100, 1.0))
    if "error" in outcome:
        raise outcome["error"]
    progress(1.0)
    return outcome["table"]


@contextlib.contextmanager
def duckdb_reader() -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection for reading one file, with the environment's memory limit, threads
    and spill folder (:func:`journeylib.duckdb_settings.duckdb_config`), closed after use."""
    con = duckdb.connect(config=duckdb_config())
    try:
        con.execute("SET TimeZone = 'UTC'")
        # Progress is measured (for query_progress) but never printed.
        con.execute("SET enable_progress_bar = true")
        con.execute("SET enable_progress_bar_print = false")
        yield con
    finally:
        con.close()


def _text_table(
    table: pa.Table, head: list[list[str]], header_idx: int, skip: int, width: int
) -> RawTable:
    """A :class:`RawTable` from DuckDB's text cells: empty rows left out and counted, row
    numbers as the file gives them (the header is row ``skip``)."""
    columns = [table.column(i) for i in range(width)]
    long_at = [_first_long(column) for column in columns]
    if any(i >= 0 for i in long_at):
        raise _FieldTooLong(skip + 1 + min(i for i in long_at if i >= 0))
    # A cell whose first byte cannot start a space is filled; the rare rows whose cells are
    # all empty or start with a space are checked with Python's strip().
    mask = np.zeros(table.num_rows, dtype=bool)
    unsure = np.zeros(table.num_rows, dtype=bool)
    for column in columns:
        filled, nonempty = _cell_flags(column)
        mask |= filled
        unsure |= nonempty
    unsure = np.flatnonzero(unsure & ~mask)
    kept = pa.table([pc.fill_null(c, "") if c.null_count else c for c in columns],
                    names=names_of(width))
    if len(unsure):
        cells = kept.take(pa.array(unsure)).to_pylist()
        mask[unsure] = [any(str(v).strip() for v in row.values()) for row in cells]
    if not mask.all():
        kept = kept.filter(pa.array(mask))
    frame = kept.to_pandas(types_mapper=lambda kind: pd.StringDtype(na_value=np.nan)
                           if kind == pa.string() else None)
    raw = _records_to_table([head[header_idx]] if header_idx >= 0 else [],
                            0 if header_idx >= 0 else -1, 1)
    frame.columns = (
        list(raw.frame.columns) if header_idx >= 0 else [f"column_{i + 1}" for i in range(width)]
    )
    rows = np.arange(skip + 1, skip + 1 + table.num_rows, dtype=np.int64)
    raw.frame, raw.rows = _drop_blank_columns(frame), rows[mask]
    raw.header_row = skip if header_idx >= 0 else 0
    raw.title_rows, raw.empty_rows = max(header_idx, 0), int((~mask).sum())
    return raw


def names_of(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


_SPACE_BYTES = np.zeros(256, dtype=bool)
_SPACE_BYTES[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20]] = True
# The first bytes of the non-ASCII spaces in UTF-8 (U+0085, U+00A0, U+1680, U+2000-U+205F,
# U+3000).
_SPACE_BYTES[[0xC2, 0xE1, 0xE2, 0xE3]] = True


def _cell_flags(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Per cell of a text column: ``(surely filled, not empty)``, from Arrow's offsets and
    first bytes without building strings."""
    parts = [_chunk_flags(chunk.cast(pa.string())) for chunk in column.chunks]
    if not parts:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _chunk_flags(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    n = len(chunk)
    _, offsets_buf, data_buf = chunk.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[chunk.offset:chunk.offset + n + 1]
    valid = ~np.asarray(chunk.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    nonempty = (np.diff(offsets) > 0) & valid
    if data_buf is None or not nonempty.any():
        return np.zeros(n, dtype=bool), nonempty
    data = np.frombuffer(data_buf, dtype=np.uint8)
    first = data[np.where(nonempty, offsets[:-1], 0)]
    return nonempty & ~_SPACE_BYTES[first], nonempty


def _first_long(column: pa.ChunkedArray) -> int:
    """The index of the first cell over MAX_FIELD_CHARS characters, -1 when none is."""
    longest = pc.max(pc.binary_length(column)).as_py() if len(column) else None
    if longest is None or longest <= MAX_FIELD_CHARS:
        return -1  # bytes bound characters: no cell is longer
    return pc.index(pc.greater(pc.utf8_length(column), MAX_FIELD_CHARS), True).as_py()


def _read_text_python(name: str, text: str, encoding: str) -> RawTable:
    """Split a text table with Python's ``csv`` module, one record at a time, so each row that
    cannot be split into the header's columns is reported with its row number and each blank
    line keeps its place."""
    with _field_limit():
        delimiter, head, line_numbers, header_idx = _text_layout(name, text)
        width = len(head[header_idx]) if header_idx >= 0 else max(len(r) for r in head)
        above = line_numbers[header_idx] if header_idx >= 0 else 0
        _check_rows_and_cells(name, _count_lines(text) - above, width)
        try:
            records = _split_records(text, delimiter)
        except _FieldTooLong as exc:
            raise _field_error(name, exc.row) from exc
        except csv.Error as exc:
            raise DataError(t("errors.cannot_split", name=name, detail=str(exc))) from exc
        raw = _records_to_table(records, header_idx, start_row=1)
    # Text cells as DuckDB's reader gives them: pandas text columns.
    raw.frame = raw.frame.astype(pd.StringDtype(na_value=np.nan))
    raw.name, raw.format, raw.encoding, raw.delimiter = name, "csv", encoding, delimiter
    if raw.frame.empty and not raw.bad_rows:
        raise DataError(t("errors.header_only", name=name))
    return raw


class _FieldTooLong(Exception):
    """A cell longer than MAX_FIELD_CHARS at file row ``row`` (turned into a DataError)."""

    def __init__(self, row: int) -> None:
        super().__init__(row)
        self.row = row


@contextlib.contextmanager
def _field_limit() -> Iterator[None]:
    """The csv module's field limit set to MAX_FIELD_CHARS while a file is split."""
    previous = csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _is_field_error(exc: csv.Error) -> bool:
    return "field larger than field limit" in str(exc)


def _field_error(name: str, row: int) -> DataError:
    return DataError(
        code="errors.field_too_large", params={"name": name, "row": row, "limit": MAX_FIELD_CHARS}
    )


def _split_error(name: str, exc: csv.Error, row: int) -> DataError:
    if _is_field_error(exc):
        return _field_error(name, row)
    return DataError(t("errors.cannot_split", name=name, detail=str(exc)))


def _count_lines(text: str) -> int:
    """Lines of a text: an upper bound of its rows, counted without splitting them."""
    breaks = text.count("\n") or text.count("\r")
    return breaks + (0 if text.endswith(("\n", "\r")) else 1)


def _drop_blank_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop unnamed columns without a value: trailing separators make them, they hold nothing."""
    blank = [
        c for c in frame.columns if str(c).startswith("column_") and not _any_filled(frame[c])
    ]
    return frame.drop(columns=blank) if blank else frame


def _any_filled(values: pd.Series) -> bool:
    if pd.api.types.is_string_dtype(values) and values.dtype != object:
        return bool((values.fillna("").str.strip() != "").any())
    return bool(values.map(_filled).any())


def decode(data: bytes, name: str = "file") -> tuple[str, str]:
    """Decode text bytes, returning ``(text, encoding_label)``.

    Detects UTF-8 (with or without BOM), UTF-16 with BOM, and the Windows code pages cp1251
    (Cyrillic) and cp1250 (Central European). Raises :class:`DataError` for binary content.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "UTF-8-BOM"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    _reject_binary(data, name)
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    encoding = (
        "cp1251" if _looks_cyrillic(np.frombuffer(data[: 2**20], dtype=np.uint8)) else ("cp1250")
    )
    return data.decode(encoding, errors="replace"), encoding


def _looks_cyrillic(sample: np.ndarray) -> bool:
    """Whether single-byte text is Cyrillic (cp1251) rather than Central European (cp1250).

    A Russian word is all high bytes, so a run of high bytes is bounded by spaces or
    punctuation; Polish diacritics sit inside words next to ASCII letters ("Kanał", "ść").
    """
    high = sample >= 0x80
    if not high.any():
        return False
    folded = sample | 0x20
    letter = (folded >= 0x61) & (folded <= 0x7A)
    before = np.concatenate(([False], high[:-1]))
    after = np.concatenate((high[1:], [False]))
    starts = np.flatnonzero(high & ~before)
    ends = np.flatnonzero(high & ~after)
    touches = letter[np.maximum(starts - 1, 0)] & (starts > 0)
    touches |= letter[np.minimum(ends + 1, len(sample) - 1)] & (ends < len(sample) - 1)
    return float(touches.mean()) < 0.5


def _reject_binary(data: bytes, name: str) -> None:
    sample = np.frombuffer(data[:65536], dtype=np.uint8)
    control = ((sample < 0x20) & ~np.isin(sample, (0x09, 0x0A, 0x0D, 0x0C))).sum()
    if (sample == 0).any() or control > max(3, 0.01 * sample.size):
        raise DataError(t("errors.binary", name=name))


def sniff_delimiter(lines: list[str], name: str = "file") -> str:
    """Pick the delimiter (``,`` ``;`` tab ``|``) that splits the lines most consistently."""
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise DataError(t("errors.no_rows", name=name))
    best, best_score = None, (0.0, 0)
    for delim in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delim)]
        except csv.Error as exc:
            raise _split_error(name, exc, _first_long_line(lines)) from exc
        values, freq = np.unique(counts, return_counts=True)
        width = int(values[freq.argmax()])
        if width < 2:
            continue
        score = (float(freq.max()) / len(counts), width)
        if score > best_score:
            best, best_score = delim, score
    if best is None:
        raise DataError(t("errors.one_column", name=name))
    return best


def _first_long_line(lines: list[str]) -> int:
    """The 1-based number (among ``lines``) of the first line longer than the field limit."""
    return next((i + 1 for i, line in enumerate(lines) if len(line) > MAX_FIELD_CHARS), 1)


def _split_records(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    last = 0  # the line the last record ended on: the next record starts below it
    try:
        for record in reader:
            records.append(record)
            last = reader.line_num
    except csv.Error as exc:
        if _is_field_error(exc):
            raise _FieldTooLong(last + 1) from exc
        raise
    return records


def find_header_row(rows: list[list[Any]]) -> int:
    """Index of the header among the first rows: the first wide row of text cells.

    Title rows above the header ("Report for March") are narrower than the table; data rows
    hold numbers and dates. Returns -1 when no row looks like a header.
    """
    widths = [sum(1 for cell in row if _filled(cell)) for row in rows]
    if not widths:
        return -1
    target = max(widths)
    for i, row in enumerate(rows):
        cells = [cell for cell in row if _filled(cell)]
        if len(cells) >= max(2, 0.6 * target) and all(_header_like(c) for c in cells):
            return i
    return -1


def _filled(cell: Any) -> bool:
    if cell is None:
        return False
    if isinstance(cell, float) and np.isnan(cell):
        return False
    return str(cell).strip() != ""


_DATA_LIKE = re.compile(r"^[\s\d.,:/+\-%()₽$€]*$")


def _header_like(cell: Any) -> bool:
    if not isinstance(cell, str):
        return False
    return not _DATA_LIKE.match(cell)


def _records_to_table(records: list[list[Any]], header_idx: int, start_row: int) -> RawTable:
    warnings: list[Message] = []
    if header_idx < 0:
        width = max((len(r) for r in records), default=0)
        names = [f"column_{i + 1}" for i in range(width)]
        body, first = records, 0
        warnings.append(Message("read.no_header"))
    else:
        names = [str(c).strip() if _filled(c) else "" for c in records[header_idx]]
        body, first = records[header_idx + 1 :], header_idx + 1
    names, renamed = unique_names(names)
    warnings += renamed
    width = len(names)
    good: list[list[Any]] = []
    rows: list[int] = []
    bad: list[tuple[int, str, list[str]]] = []
    empty = 0
    for offset, record in enumerate(body):
        row_no = start_row + first + offset
        if not any(_filled(c) for c in record):
            empty += 1
            continue
        if len(record) > width and any(_filled(c) for c in record[width:]):
            bad.append((row_no, "wide_row", list(map(str, record))))
            continue
        record = list(record[:width]) + [""] * (width - len(record))
        good.append(record)
        rows.append(row_no)
    frame = (
        pd.DataFrame(good, columns=names, dtype=object)
        if good
        else pd.DataFrame(columns=names, dtype=object)
    )
    frame = _drop_blank_columns(frame) if good else frame
    return RawTable(
        frame=frame,
        rows=np.asarray(rows, dtype=np.int64),
        header_row=start_row + header_idx if header_idx >= 0 else 0,
        title_rows=max(header_idx, 0),
        empty_rows=empty,
        bad_rows=bad,
        warnings=warnings,
    )


def unique_names(names: list[str]) -> tuple[list[str], list[Message]]:
    """Make column names unique and non-empty; returns the names and a note per change."""
    out: list[str] = []
    notes: list[Message] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        base = name or f"column_{i + 1}"
        candidate, k = base, 2
        while candidate in seen:
            candidate, k = f"{base} ({k})", k + 1
        if name and candidate != name:
            notes.append(Message("read.duplicate_column", {"name": name, "renamed": candidate}))
        seen.add(candidate)
        out.append(candidate)
    return out, notes


# ---------------------------------------------------------------------------- Excel, Parquet


def _read_excel(name: str, data: bytes, sheet: str | int | None) -> RawTable:
    layout = _workbook_layout(name, data)
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="calamine")
    except Exception as exc:
        raise DataError(t("errors.excel_unreadable", name=name, detail=str(exc))) from exc
    sheets = [str(s) for s in book.sheet_names]
    frames: dict[str, pd.DataFrame] = {}

    def sheet_frame(s: str) -> pd.DataFrame:
        if s not in frames:
            if layout is not None:
                layout.check(s)
            try:
                frames[s] = pd.read_excel(book, sheet_name=s, header=None, dtype=object)
            except Exception as exc:  # calamine's XmlError and kin: a part it cannot parse
                raise DataError(
                    code="errors.excel_sheet_damaged", params={"name": name, "sheet": s}
                ) from exc
            _check_rows_and_cells(name, *frames[s].shape)
        return frames[s]

    if sheet is None:
        chosen = next((s for s in sheets if not sheet_frame(s).dropna(how="all").empty), None)
        if chosen is None:
            raise DataError(t("errors.all_sheets_empty", name=name, sheets=", ".join(sheets)))
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(sheets):
            raise DataError(
                t("errors.no_sheet_number", name=name, n=len(sheets), number=sheet + 1)
            )
        chosen = sheets[sheet]
    else:
        if sheet not in sheets:
            raise DataError(
                t("errors.no_sheet_named", name=name, sheet=sheet, sheets=", ".join(sheets))
            )
        chosen = sheet
    grid = sheet_frame(chosen)
    records = [[None if _missing(v) else v for v in row] for row in grid.itertuples(index=False)]
    if not any(any(_filled(c) for c in r) for r in records):
        raise DataError(t("errors.sheet_empty", name=name, sheet=chosen))
    header_idx = find_header_row(records[:HEADER_SCAN_ROWS])
    raw = _records_to_table(records, header_idx, start_row=1)
    raw.name, raw.format, raw.sheet, raw.sheets = name, "xlsx", chosen, sheets
    if raw.frame.empty:
        raise DataError(t("errors.sheet_header_only", name=name, sheet=chosen))
    return raw


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_RELATIONSHIP_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")


@dataclass
class _WorkbookLayout:
    """What the zip directory of an .xlsx/.xlsm/.xlsb/.ods says about its sheets' sizes.

    ``parts``: sheet name -> its part (from the workbook's relationships; empty where they
    could not be read, as in .xlsb and .ods); ``shared``: bytes of the shared strings;
    ``largest``: bytes of the largest sheet part, used for a sheet whose part is not known.
    """

    name: str
    data: bytes
    parts: dict[str, str]
    sizes: dict[str, int]
    shared: int
    largest: int

    def check(self, sheet: str) -> None:
        """Refuse ``sheet`` before calamine reads it when its XML (with the shared strings) is
        over MAX_SHEET_XML_BYTES, or its stated dimension over the row or cell limits."""
        part = self.parts.get(sheet)
        size = self.sizes.get(part, self.largest) + self.shared
        if size > MAX_SHEET_XML_BYTES:
            raise DataError(
                code="errors.sheet_too_large",
                params={"name": self.name, "sheet": sheet, "size_bytes": size,
                        "limit_bytes": MAX_SHEET_XML_BYTES},
            )
        if part is None:
            return
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive, archive.open(part) as stream:
            head = stream.read(65536)
        found = _DIMENSION.search(head)
        if found and found.group(3):
            rows = int(found.group(4)) - int(found.group(2)) + 1
            columns = _column_number(found.group(3)) - _column_number(found.group(1)) + 1
            _check_rows_and_cells(self.name, rows, columns)


def _column_number(letters: bytes) -> int:
    """Spreadsheet column letters as a number: A -> 1, Z -> 26, AA -> 27."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _workbook_layout(name: str, data: bytes) -> _WorkbookLayout | None:
    """The sizes of a zipped workbook's parts from its directory, after refusing one that
    unpacks to more than MAX_EXPANDED_XLSX_BYTES or whose shared strings alone are over
    MAX_SHEET_XML_BYTES; None for a legacy .xls (not a zip)."""
    if not data.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
            parts = _sheet_parts(archive, sizes)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise DataError(code="errors.damaged_excel", params={"name": name}) from exc
    expanded = sum(sizes.values())
    if expanded > MAX_EXPANDED_XLSX_BYTES:
        raise DataError(
            code="errors.zip_bomb",
            params={"name": name, "size_bytes": expanded, "limit_bytes": MAX_EXPANDED_XLSX_BYTES},
        )
    shared = sizes.get("xl/sharedStrings.xml", 0)
    if shared > MAX_SHEET_XML_BYTES:
        raise DataError(
            code="errors.strings_too_large",
            params={"name": name, "size_bytes": shared, "limit_bytes": MAX_SHEET_XML_BYTES},
        )
    sheet_parts = [
        size for part, size in sizes.items()
        if part.startswith("xl/worksheets/") or part == "content.xml"
    ]
    return _WorkbookLayout(name, data, parts, sizes, shared, max(sheet_parts, default=0))


def _sheet_parts(archive: zipfile.ZipFile, sizes: dict[str, int]) -> dict[str, str]:
    """Sheet name -> part, read from xl/workbook.xml and its relationships by pattern (no XML
    parser, so entity tricks in a hostile file expand nothing); {} when they are missing or
    larger than a workbook's index ever is."""
    book, rels = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
    if any(sizes.get(part, 2**30) > 16 * 2**20 for part in (book, rels)):
        return {}
    targets = {}
    for tag in _RELATIONSHIP_TAG.findall(archive.read(rels)):
        rid, target = _attribute(tag, rb"Id"), _attribute(tag, rb"Target")
        if rid and target:
            targets[rid] = target[1:] if target.startswith("/") else "xl/" + target
    parts = {}
    for tag in _SHEET_TAG.findall(archive.read(book)):
        sheet, rid = _attribute(tag, rb"name"), _attribute(tag, rb"(?:\w+:)?id")
        if sheet is not None and rid in targets:
            parts[sheet] = targets[rid]
    return parts


def _attribute(tag: bytes, name: bytes) -> str | None:
    found = re.search(rb"\s" + name + rb"=\"([^\"]*)\"", tag)
    return html.unescape(found.group(1).decode("utf-8", "replace")) if found else None


def _read_parquet(name: str, data: bytes, max_bytes: int) -> RawTable:
    """A Parquet file held in memory (a zip member, an upload passed as bytes), read by DuckDB
    from a temporary file."""
    with tempfile.TemporaryDirectory(prefix="journey-read-") as folder:
        path = Path(folder) / "table.parquet"
        path.write_bytes(data)
        return _read_parquet_files(name, [path], max_bytes)


def _read_parquet_files(name: str, files: list[Path], max_bytes: int) -> RawTable:
    """Parquet files read by DuckDB's ``read_parquet`` (several files by column name), with the
    column types the first file declares (Arrow's schema and pandas' metadata, as pandas would
    read it): zoned timestamps keep their zone, categories stay categories."""
    rows = columns = unpacked = 0
    try:
        schema = pq.read_schema(files[0])
        for file in files:
            meta = pq.ParquetFile(file).metadata
            rows, columns = rows + meta.num_rows, max(columns, meta.num_columns)
            unpacked += sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    except Exception as exc:
        raise DataError(t("errors.parquet_unreadable", name=name, detail=str(exc))) from exc
    # Row and column counts and each row group's unpacked size are in the footer: a small file
    # that expands to gigabytes is refused before any of it is read.
    _check_rows_and_cells(name, rows, columns)
    if unpacked > max_bytes:
        raise DataError(
            code="errors.unpacked_too_large",
            params={"name": name, "size_bytes": unpacked, "limit_bytes": max_bytes},
        )
    try:
        with duckdb_reader() as con:
            table = con.execute(
                "SELECT * FROM read_parquet($files, union_by_name = true)",
                {"files": [str(f) for f in files]},
            ).to_arrow_table()
        frame = _as_declared(table, schema).to_pandas()
    except Exception as exc:
        raise DataError(t("errors.parquet_unreadable", name=name, detail=str(exc))) from exc
    raw = _from_frame(frame)
    raw.name, raw.format = name, "parquet"
    return raw


def _as_declared(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """DuckDB's Arrow ``table`` with each column cast to the type the file's ``schema`` declares
    (DuckDB gives zoned times in its session zone, categories as text) and the file's pandas
    metadata, so pandas rebuilds the frame it wrote; a column that does not cast stays."""
    arrays, fields = [], []
    for name, column in zip(table.column_names, table.columns, strict=True):
        index = schema.get_field_index(name)
        if index >= 0 and column.type != schema.field(index).type:
            with contextlib.suppress(pa.ArrowException, NotImplementedError):
                column = column.cast(schema.field(index).type)
        arrays.append(column)
        fields.append(pa.field(name, column.type))
    out = pa.table(arrays, schema=pa.schema(fields))
    if schema.metadata and table.column_names == schema.names:
        out = out.replace_schema_metadata(schema.metadata)
    return out


def _from_frame(frame: pd.DataFrame) -> RawTable:
    names, notes = unique_names([str(c).strip() for c in frame.columns])
    if not names:
        raise DataError(t("errors.no_columns"))
    out = frame.copy()
    out.columns = names
    out = out.reset_index(drop=True)
    filled = np.zeros(len(out), dtype=bool)
    for column in out.columns:
        values = out[column]
        present = np.array(values.notna(), dtype=bool)
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            present &= (values.astype("str").str.strip() != "").to_numpy()
        filled |= present
    # Header is row 1, so data row i is row i + 2, as in a spreadsheet.
    rows = np.arange(2, len(out) + 2, dtype=np.int64)[filled]
    return RawTable(
        frame=out[filled].reset_index(drop=True),
        rows=rows,
        warnings=notes,
        empty_rows=int((~filled).sum()),
    )
