"""User text made safe where it is written or shown: spreadsheet cells that can never become live
formulas (CSV and xlsx), and Markdown that shows a name as the literal text it is.

Names of customers, stages, touchpoints, channels, segments, files and workspaces come from
files and links nobody checked. A cell ``=HYPERLINK(...)`` runs when a colleague opens the
export in Excel (OWASP "CSV injection"); a stage ``[Log in](https://evil.example)`` becomes a
working link on every page that shows it through Markdown.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import numbers
import re

import pandas as pd
from openpyxl import Workbook

# First characters that make a spreadsheet read a text cell as a formula (OWASP's list, plus
# line feed and the full-width forms that Excel's East Asian input normalises).
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
# Leading blanks that spreadsheets skip before looking for a formula sign.
_LEADING_BLANKS = " \u00a0\u3000"
# Characters that XML 1.0, and so xlsx, cannot hold.
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What a CSV cell gets in front so that it is read as text (OWASP's advice).
QUOTE = "'"


def is_formula_text(value: object) -> bool:
    """Whether ``value`` is text that a spreadsheet would read as a formula: a string whose first
    character after leading blanks is ``=``, ``+``, ``-``, ``@``, tab, CR, LF or a full-width
    ``=+-@``. Numbers are never formula text (a negative number is a number)."""
    if not isinstance(value, str):
        return False
    start = value.lstrip(_LEADING_BLANKS)[:1] or value[:1]
    return start in FORMULA_STARTS


def neutralise_formula(value: object) -> object:
    """``value`` as a CSV cell that can never be a live formula: formula text gets a leading
    ``'`` (shown by spreadsheets as plain text), everything else is returned unchanged."""
    return QUOTE + value if is_formula_text(value) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names went through
    :func:`neutralise_formula`; numbers, dates and missing values are left as they are, so a
    numeric column stays numeric. Other objects (lists, codes) are written as their text."""
    out = frame.copy()
    for column in out.columns:
        if not _is_plain_column(out[column]):
            out[column] = out[column].astype(object).map(_text_cell)
    out.columns = [neutralise_formula(c) if isinstance(c, str) else c for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV bytes without its index, every text cell neutralised
    (:func:`safe_frame`): the one way the dashboard writes a CSV download.

    Every text cell is in double quotes and rows end in CRLF, so a line break or a separator
    inside a name (";" is the separator of Polish and Russian Excel) can never start a new
    cell that would be read as a formula; numbers are written bare."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n",
                                    quoting=csv.QUOTE_NONNUMERIC).encode("utf-8")


def neutralise_workbook(book: Workbook) -> Workbook:
    """Make every cell of ``book`` that would be a formula (assigned text starting with a formula
    sign, which openpyxl stores as a formula) a text cell marked with Excel's quote prefix, so
    it shows and stays literal text even when edited. Numbers are left alone. Returns ``book``
    (changed in place) for chaining; call it just before saving."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or is_formula_text(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return book


def xlsx_text(value: str) -> str:
    """``value`` without the control characters an xlsx file cannot hold (openpyxl refuses
    them): what a workbook cell of this text can show."""
    return _ILLEGAL_XLSX.sub("", value)


def xlsx_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells went through :func:`xlsx_text`, for pandas'
    ``to_excel``; other cells are left as they are."""
    out = frame.copy()
    for column in out.columns:
        if not _is_plain_column(out[column]):
            out[column] = out[column].map(lambda v: xlsx_text(v) if isinstance(v, str) else v)
    return out


def workbook_bytes(book: Workbook) -> bytes:
    """``book`` neutralised (:func:`neutralise_workbook`) and saved, as xlsx bytes."""
    buffer = io.BytesIO()
    neutralise_workbook(book).save(buffer)
    return buffer.getvalue()


# Characters that start Markdown anywhere in a line in Streamlit (emphasis, code, links and
# images, HTML and autolinks, entities, LaTeX, strikethrough, e-mail autolinks); each becomes
# literal with a backslash in front. Punctuation that only matters next to these ("!", "(") or
# at the start of a line is left alone, so ordinary sentences keep their text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&$~@])")
# ":" begins directives (":red[x]", ":material/x:"), emoji shortcodes and URLs ("https://").
_DIRECTIVE_COLON = re.compile(r":(?=[A-Za-z/])")
# GFM turns "www.example.com" into a link without any punctuation around it.
_BARE_WWW = re.compile(r"(?i)\b(www)\.")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\v\f]+")
# A line beginning "#", "-", "+", "=", "|", "1." or "1)" is a heading, list, rule or table.
_LINE_START = re.compile(r"^([#+=|-]|\d+[.)])")


def escape_markdown(text: object) -> str:
    """``text`` (a user's name, a file name, a link parameter, a sentence quoting them) written
    so that Streamlit's Markdown shows exactly these characters: no emphasis, link, image, HTML,
    LaTeX, heading, list, table, emoji shortcode or colour directive. Line breaks become spaces
    (a name is one line) and blanks around it are dropped. ``None`` gives ``""``."""
    if text is None:
        return ""
    # Blanks around a name are not shown anyway, and four leading ones make a code block.
    out = _LINE_BREAKS.sub(" ", str(text)).strip(" \t")
    out = _MARKDOWN_SPECIAL.sub(r"\\\1", out)
    out = _DIRECTIVE_COLON.sub(r"\\:", out)
    out = _BARE_WWW.sub(r"\1\\.", out)
    return _LINE_START.sub(_escape_line_start, out)


def _escape_line_start(match: re.Match) -> str:
    mark = match.group(1)
    return f"{mark[:-1]}\\{mark[-1]}" if mark[0].isdigit() else f"\\{mark}"


def _is_plain_column(series: pd.Series) -> bool:
    """Numbers, booleans and dates: columns whose cells can never be text."""
    return (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
            or pd.api.types.is_datetime64_any_dtype(series)
            or isinstance(series.dtype, pd.PeriodDtype | pd.IntervalDtype)) and not (
        isinstance(series.dtype, pd.CategoricalDtype))


def _text_cell(value: object) -> object:
    if value is None or value is pd.NaT or isinstance(
            value, numbers.Number | dt.date | dt.time | pd.Timedelta):
        return value
    if isinstance(value, float) and pd.isna(value):
        return value
    return neutralise_formula(value if isinstance(value, str) else str(value))
