"""Read a spreadsheet file (CSV/TSV/TXT, Excel, Parquet) into a frame of raw cells.

This layer only finds the table: format, encoding, delimiter, sheet, header row. It does not
interpret values (see ``columns``, ``timestamps``, ``numbers``, ``valence``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from journeylib.errors import DataError
from journeylib.i18n import number, t
from journeylib.messages import Message

DEFAULT_MAX_BYTES = 500 * 2**20
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
TEXT_EXTENSIONS = {".csv", ".tsv", ".txt", ".tab"}
EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_EXTENSIONS = {".parquet", ".pq"}
# A cell budget guards against workbooks that are small on disk but huge when expanded.
MAX_EXPANDED_XLSX_BYTES = 2 * 2**30
HEADER_SCAN_ROWS = 30


@dataclass
class RawTable:
    """A table as found in a file: header applied, cells not yet interpreted.

    ``frame`` holds one column per source column (names made unique) and one row per data row;
    text formats give strings ("" for an empty cell), Excel and Parquet give typed cells.
    ``rows`` is the row number a person sees in the file for each frame row (1-based; for a
    spreadsheet, the Excel row number). ``bad_rows`` lists rows that could not be split into the
    header's columns, as ``(row, reason code, cells)``; ``warnings`` are messages for the user
    (worded by :func:`journeylib.i18n.say`).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    name: str = "data"
    format: str = "dataframe"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    header_row: int = 1
    title_rows: int = 0
    empty_rows: int = 0
    bad_rows: list[tuple[int, str, list[str]]] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)


def read_table(
    source: Any, *, sheet: str | int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> RawTable:
    """Read ``source`` into a :class:`RawTable`.

    ``source`` is a path, ``bytes``, a file-like object (its ``name`` tells the format when it
    has one), or a pandas DataFrame. ``sheet`` picks an Excel sheet by name or 0-based index
    (default: the first sheet that holds data). Raises :class:`DataError` for files that cannot
    be used: empty, binary junk, too large, no columns, no data rows.
    """
    if isinstance(source, pd.DataFrame):
        return _from_frame(source)
    name, data = _read_bytes(source, max_bytes)
    kind = _sniff_format(name, data)
    if kind == "excel":
        return _read_excel(name, data, sheet)
    if kind == "parquet":
        return _read_parquet(name, data)
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
            t("errors.too_large", name=name, size=_megabytes(size), limit=_megabytes(max_bytes))
        )


def _megabytes(size: int) -> str:
    """``size`` in MB for a person: whole MB from 10 MB on, else two significant digits."""
    mb = size / 2**20
    if mb >= 10:
        return t("read.megabytes", size=number(mb, 0))
    digits = f"{mb:.2g}"
    decimals = len(digits.partition(".")[2]) if "e" not in digits else None
    return t("read.megabytes", size=number(float(digits), decimals))


def _sniff_format(name: str, data: bytes) -> str:
    if data.startswith(b"PAR1"):
        return "parquet"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        return "excel"
    suffix = Path(name).suffix.lower()
    if suffix in EXCEL_EXTENSIONS or suffix in PARQUET_EXTENSIONS:
        raise DataError(t("errors.wrong_extension", name=name, suffix=suffix))
    return "text"


# ---------------------------------------------------------------------------- text files


def _read_text(name: str, data: bytes) -> RawTable:
    text, encoding = decode(data, name)
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
        raise DataError(t("errors.cannot_split", name=name, detail=str(exc))) from exc
    header_idx = find_header_row(head)
    try:
        raw = _read_text_fast(text, delimiter, head, header_idx, line_numbers)
    except (pd.errors.ParserError, csv.Error):
        # Rows wider than the header: split them one by one so each bad row can be reported.
        try:
            records = _split_records(text, delimiter)
        except csv.Error as exc:
            raise DataError(t("errors.cannot_split", name=name, detail=str(exc))) from exc
        raw = _records_to_table(records, header_idx, start_row=1)
    raw.name, raw.format, raw.encoding, raw.delimiter = name, "csv", encoding, delimiter
    if raw.frame.empty and not raw.bad_rows:
        raise DataError(t("errors.header_only", name=name))
    return raw


def _read_text_fast(
    text: str, delimiter: str, head: list[list[str]], header_idx: int, line_numbers: list[int]
) -> RawTable:
    header = head[header_idx] if header_idx >= 0 else []
    width = len(header) if header_idx >= 0 else max(len(r) for r in head)
    skip = line_numbers[header_idx] if header_idx >= 0 else 0
    frame = _read_with_arrow(text, delimiter, skip, width)
    if frame is None:
        frame = _read_with_pandas(text, delimiter, skip, width)
    frame = frame.fillna("")
    rows = np.arange(skip + 1, skip + 1 + len(frame), dtype=np.int64)
    filled = frame.apply(lambda column: column.str.strip() != "").any(axis=1).to_numpy()
    raw = _records_to_table([header] if header_idx >= 0 else [], 0 if header_idx >= 0 else -1, 1)
    names = (
        list(raw.frame.columns) if header_idx >= 0 else [f"column_{i + 1}" for i in range(width)]
    )
    frame = frame.loc[filled].reset_index(drop=True)
    frame.columns = names
    raw.frame, raw.rows = _drop_blank_columns(frame), rows[filled]
    raw.header_row = skip if header_idx >= 0 else 0
    raw.title_rows, raw.empty_rows = max(header_idx, 0), int((~filled).sum())
    return raw


def _read_with_arrow(text: str, delimiter: str, skip: int, width: int) -> pd.DataFrame | None:
    """Arrow's multi-threaded CSV reader, all columns as text; None when the file needs the
    row-by-row readers (blank lines would shift row numbers; ragged rows must be reported)."""
    if "\n\n" in text or "\r\n\r\n" in text:
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(skip_rows=skip, column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    frame = table.to_pandas(types_mapper=lambda t: pd.StringDtype(na_value=np.nan)
                            if t == pa.string() else None)
    frame.columns = list(range(width))
    return frame


def _read_with_pandas(text: str, delimiter: str, skip: int, width: int) -> pd.DataFrame:
    frame = pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        header=None,
        names=list(range(width)),
        skiprows=skip,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        engine="c",
    )
    if not isinstance(frame.index, pd.RangeIndex):
        # A row wider than the header made pandas take the first column as an index.
        raise pd.errors.ParserError("a row is wider than the header")
    return frame


def _drop_blank_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop unnamed columns without a value: trailing separators make them, they hold nothing."""
    blank = [
        c for c in frame.columns if str(c).startswith("column_") and not frame[c].map(_filled).any()
    ]
    return frame.drop(columns=blank) if blank else frame


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
        counts = [len(row) for row in csv.reader(lines, delimiter=delim)]
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


def _split_records(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


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
    _refuse_zip_bomb(name, data)
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="calamine")
    except Exception as exc:
        raise DataError(t("errors.excel_unreadable", name=name, detail=str(exc))) from exc
    sheets = [str(s) for s in book.sheet_names]
    frames: dict[str, pd.DataFrame] = {}

    def sheet_frame(s: str) -> pd.DataFrame:
        if s not in frames:
            frames[s] = book.parse(s, header=None, dtype=object)
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


def _refuse_zip_bomb(name: str, data: bytes) -> None:
    if not data.startswith(b"PK"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise DataError(t("errors.damaged_excel", name=name)) from exc
    if expanded > MAX_EXPANDED_XLSX_BYTES:
        raise DataError(
            t(
                "errors.zip_bomb",
                name=name,
                size=_megabytes(expanded),
                limit=_megabytes(MAX_EXPANDED_XLSX_BYTES),
            )
        )


def _read_parquet(name: str, data: bytes) -> RawTable:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise DataError(t("errors.parquet_unreadable", name=name, detail=str(exc))) from exc
    raw = _from_frame(frame)
    raw.name, raw.format = name, "parquet"
    return raw


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
