"""The Excel report: one formatted sheet per analysis, with the filters on every sheet."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from journeylib.attribution import attribution
from journeylib.dataset import Dataset
from journeylib.emotion import emotion_curve
from journeylib.errors import DataError
from journeylib.funnel import funnel
from journeylib.i18n import DEFAULT_LANGUAGE, catalogue, label, t
from journeylib.moments import moments_of_truth, sample_note
from journeylib.quality import data_quality
from journeylib.text import workbook_bytes, xlsx_text
from journeylib.touchpoints import scorecard

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
# Number formats chosen from the column name: shares and rates as percentages, money with two
# decimals, counts with thousands separators, hours and valences with two decimals.
FORMAT_RULES = (
    (re.compile(r"share|rate|conversion_from|_pct$|^p_value$"), "0.0%"),
    (re.compile(r"revenue|value$"), "#,##0.00"),
    (re.compile(r"hours|valence|effect|ci_low|ci_high|removal"), "0.00"),
    (re.compile(r"customers|touchpoints|conversions|rows|^n$|drop_off|count"), "#,##0"),
)
# Columns whose values are library labels ("Buyer journey", "on target"), shown translated.
LABELLED_COLUMNS = ("journey", "status")


def number_format(column: str) -> str | None:
    """The Excel number format for a column, judged by its name (None: leave as is)."""
    for pattern, fmt in FORMAT_RULES:
        if pattern.search(column):
            return fmt
    return None


def excel_report(
    sheets: dict[str, pd.DataFrame], *, title: str, filters: str = "",
    generated: dt.datetime | None = None,
) -> bytes:
    """Write ``sheets`` (sheet name -> table) into one workbook and return its bytes.

    Every sheet starts with ``title``, the active ``filters`` ("none" when empty) and the time
    it was made, then the table with a bold coloured header, frozen panes, an auto filter,
    column widths fitted to the content and number formats chosen by column name. Texts,
    known column headers and library labels are in the current language; number formats are
    Excel's own, which Excel shows in the reader's locale. A text cell that would be read as a
    formula (a name starting with ``=``, ``+``, ``-``, ``@``...) is written as quoted text.
    """
    generated = generated or dt.datetime.now(dt.UTC)
    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets.items():
        sheet = book.create_sheet(_sheet_name(name, book.sheetnames))
        sheet.append([xlsx_text(title)])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([xlsx_text(t("report.filters", filters=filters or t("report.no_filters")))])
        sheet.append([t("report.made", day=generated, time=f"{generated:%H:%M}")])
        sheet.append([])
        header_row = 5
        sheet.append([xlsx_text(column_header(c)) for c in frame.columns])
        for cell in sheet[header_row]:
            cell.fill, cell.font = HEADER_FILL, HEADER_FONT
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        labelled = [str(c) in LABELLED_COLUMNS for c in frame.columns]
        for row in frame.itertuples(index=False):
            sheet.append([xlsx_text(label(v)) if lab and isinstance(v, str) else _cell(v)
                          for v, lab in zip(row, labelled, strict=True)])
        for i, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(i)
            fmt = number_format(str(column))
            if fmt:
                for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=i, max_col=i):
                    cell.number_format = fmt
            longest = max([len(column_header(column))]
                          + [len(str(v)) for v in frame.iloc[:200, i - 1]])
            sheet.column_dimensions[letter].width = min(max(10, longest + 2), 60)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        if len(frame.columns):
            sheet.auto_filter.ref = (
                f"A{header_row}:{get_column_letter(len(frame.columns))}"
                f"{header_row + max(len(frame), 1)}"
            )
    return workbook_bytes(book)


def column_header(column: object) -> str:
    """A result column's header for people (Excel report, tables on the pages): its name in
    the current language when the catalogue knows the column (``report.columns.<name>``), else
    the name as it is (e.g. a column of the user's own data)."""
    key = f"report.columns.{column}"
    return t(key) if key in catalogue(DEFAULT_LANGUAGE) else str(column)


def _sheet_name(name: str, taken: list[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or t("report.sheet.default")
    candidate, k = base, 2
    while candidate in taken:
        candidate = f"{base[:28]} {k}"
        k += 1
    return candidate


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_convert(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, list | tuple | dict):
        return xlsx_text(str(value))
    return xlsx_text(value) if isinstance(value, str) else value


def analysis_sheets(ds: Dataset, targets: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The tables of the Excel report for ``ds``, computed with the pages' defaults.

    Sheets: Funnel (all stages, ordered, no window), Attribution (every model, conversions and
    revenue, 95% intervals from 100 resamples), Emotion curve (by stage), Moments of truth
    (purchase), Scorecard (with ``targets``) and Data quality. An analysis the data cannot
    support (no stages, no emotions, no conversions) is left out; the "About" sheet says why,
    and its ``notes`` column says which sheets were estimated on a sample of customers.
    """
    analyses = {
        "funnel": lambda: funnel(ds),
        "attribution": lambda: attribution(ds, n_boot=100),
        "emotion_curve": lambda: emotion_curve(ds, "stage"),
        "moments": lambda: moments_of_truth(ds, "purchase"),
        "scorecard": lambda: scorecard(ds, targets),
        "data_quality": lambda: data_quality(ds),
    }
    sheets: dict[str, pd.DataFrame] = {}
    skipped, notes = [], []
    for code, compute in analyses.items():
        name = t(f"report.sheet.{code}")
        try:
            sheets[name] = compute()
        except (DataError, ValueError) as exc:
            skipped.append({"sheet": name, "left_out_because": str(exc)})
            continue
        if note := sample_note(sheets[name].attrs):
            notes.append(f"{name}: {note}")
    about = pd.DataFrame({"dataset": [ds.name], "touchpoints": [ds.n_rows],
                          "stages": [" → ".join(ds.stages)]})
    if notes:
        about["notes"] = " ".join(notes)
    sheets = {t("report.sheet.about"): about, **sheets}
    if skipped:
        sheets[t("report.sheet.left_out")] = pd.DataFrame(skipped)
    return sheets
