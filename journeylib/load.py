"""``load``: from a user's file to a :class:`~journeylib.dataset.Dataset`, explaining every step.

The steps are public too, so the app can cache the slow part and let the user adjust mapping,
date order, emotion scale and stage model without reading the file again:
``read_table`` -> ``parse_touchpoints`` -> ``to_dataset``.
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd
from ibis.backends import BaseBackend

from journeylib.columns import CANONICAL, REQUIRED, guess_mapping
from journeylib.dataset import (
    Dataset,
    LoadReport,
    Touchpoints,
    connect,
    new_table_name,
)
from journeylib.errors import DataError
from journeylib.i18n import t
from journeylib.messages import Message
from journeylib.numeric import currency_of, parse_flags, parse_numbers
from journeylib.read import DEFAULT_MAX_BYTES, RawTable, read_table
from journeylib.stages import (
    STAGE_PRESETS,
    find_purchase_stage,
    infer_stage_order,
    order_by_preset,
    preset_for,
)
from journeylib.timestamps import parse_timestamps
from journeylib.timezones import UTC, zone_from_offsets
from journeylib.valence import normalise_emotion

TEXT_FIELDS = ("stage", "channel", "touchpoint", "segment", "note")
# The canonical fields, with the file's row number first and the emotion's raw text and valence
# beside the score.
TABLE_COLUMNS = ("source_row", *CANONICAL[:6], "emotion_raw", "valence", *CANONICAL[6:])
# English names of the fields, written into results (journeylib.quality.data_quality); the app
# translates them at display.
FIELD_LABELS = {
    "customer_id": "customer id",
    "timestamp": "timestamp",
    "stage": "stage",
    "channel": "channel",
    "touchpoint": "touchpoint",
    "emotion": "emotion",
    "converted": "converted",
    "revenue": "revenue",
    "segment": "segment",
    "note": "note",
}
# Codes of the reasons a row is rejected (the catalogue's load.reason.<code>).
REJECTION_REASONS = ("no_customer_id", "no_timestamp", "bad_timestamp", "wide_row")
MISSING_FIELD_ERRORS = {
    "customer_id": "errors.no_customer_id_column",
    "timestamp": "errors.no_timestamp_column",
}


def load(
    source: Any,
    *,
    mapping: dict[str, str | None] | None = None,
    sheet: str | int | None = None,
    stages: str | list[str] | None = None,
    purchase_stage: str | None = None,
    touchpoint_stages: dict[str, str] | None = None,
    date_order: str | None = None,
    emotion_scale: str | tuple[float, float] | None = None,
    emotion_labels: dict[str, float] | None = None,
    con: BaseBackend | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Dataset:
    """Load touchpoint data into the query engine.

    ``source``: a path, bytes, a file-like object with a ``name``, or a pandas DataFrame; CSV/TSV/
    TXT (delimiter, encoding and decimal comma detected), Excel (``sheet`` by name or index) or
    Parquet. ``mapping``: canonical field -> source column (None unmaps a field); fields not
    given are mapped automatically. ``stages``: a preset name from ``STAGE_PRESETS`` or an
    ordered list; by default a matching preset or the order inferred from the data.
    ``touchpoint_stages``: touchpoint -> stage, used where the file has no stage.
    ``date_order``: ``"dmy"``/``"mdy"`` for ambiguous dates. ``emotion_scale`` /
    ``emotion_labels``: override the detected scale and add label valences.
    ``con``: the Ibis connection to load into (a new in-memory DuckDB by default).

    Returns a :class:`Dataset`; rows that cannot be used are in ``Dataset.rejected`` with a
    reason code. Nothing in the result depends on the interface language (notes and warnings are
    :class:`~journeylib.messages.Message` codes). Raises :class:`DataError` when the file cannot
    be used at all.
    """
    raw = read_table(source, sheet=sheet, max_bytes=max_bytes)
    parsed = parse_touchpoints(
        raw,
        mapping=mapping,
        touchpoint_stages=touchpoint_stages,
        date_order=date_order,
        emotion_scale=emotion_scale,
        emotion_labels=emotion_labels,
    )
    return to_dataset(parsed, con=con, stages=stages, purchase_stage=purchase_stage)


def resolve_mapping(
    raw: RawTable, mapping: dict[str, str | None] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """The automatic mapping with the user's overrides applied: ``(mapping, method)``."""
    auto, method = guess_mapping(raw.frame)
    merged = dict(auto)
    columns = list(raw.frame.columns)
    for field, column in (mapping or {}).items():
        if field not in CANONICAL:
            raise DataError(t("errors.unknown_field", field=field, fields=", ".join(CANONICAL)))
        if column is None or column == "":
            merged.pop(field, None)
            method.pop(field, None)
            continue
        if column not in columns:
            raise DataError(
                t("errors.mapping_column_missing", column=column, columns=", ".join(columns))
            )
        merged[field], method[field] = column, "user"
    return merged, method


def parse_touchpoints(
    raw: RawTable,
    *,
    mapping: dict[str, str | None] | None = None,
    touchpoint_stages: dict[str, str] | None = None,
    date_order: str | None = None,
    emotion_scale: str | tuple[float, float] | None = None,
    emotion_labels: dict[str, float] | None = None,
) -> Touchpoints:
    """Interpret a :class:`RawTable` as touchpoints: map columns, parse values, reject rows.

    Returns :class:`Touchpoints` whose ``frame`` holds :data:`TABLE_COLUMNS`. Rows without a
    customer id or a readable timestamp, and rows the file could not split, go to ``rejected``.
    """
    columns = list(raw.frame.columns)
    cols, method = resolve_mapping(raw, mapping)
    for field in REQUIRED:
        if field not in cols:
            raise DataError(t(MISSING_FIELD_ERRORS[field], columns=", ".join(columns)))
    if "stage" not in cols and "touchpoint" not in cols:
        raise DataError(t("errors.no_stage_column", columns=", ".join(columns)))
    src = raw.frame
    report = LoadReport(
        source=raw.name,
        format=raw.format,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet=raw.sheet,
        sheets=list(raw.sheets),
        header_row=raw.header_row,
        title_rows=raw.title_rows,
        empty_rows=raw.empty_rows,
        source_columns=columns,
        mapping=cols,
        mapping_method=method,
        warnings=list(raw.warnings),
    )
    n = len(src)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["source_row"] = raw.rows
    out["customer_id"] = _text(src[cols["customer_id"]])
    stamps = parse_timestamps(src[cols["timestamp"]], date_order=date_order)
    out["timestamp"] = stamps.values
    report.timestamp_formats = {k: v for k, v in stamps.formats.items() if v}
    report.timestamp_offsets = dict(stamps.offsets)
    report.timestamp_zone = stamps.zone
    report.date_order = stamps.date_order
    report.timestamp_notes = list(stamps.notes)
    report.notes += stamps.notes
    if stamps.n_short_years:
        report.warnings.append(Message("load.warning.short_years", {
            "n": stamps.n_short_years, "column": cols["timestamp"],
            "example": stamps.short_year_example(),
        }))
    for field in TEXT_FIELDS:
        out[field] = (
            _text(src[cols[field]]) if field in cols else pd.Series([None] * n, dtype="str")
        )
    if touchpoint_stages:
        _stages_from_touchpoints(out, touchpoint_stages, report)
    _parse_emotion(out, src, cols, report, emotion_scale, emotion_labels)
    _parse_outcomes(out, src, cols, report)

    reasons = _reasons(out, src[cols["timestamp"]])
    bad = reasons != ""
    rejected = _rejected_frame(src[bad], raw.rows[bad.to_numpy()], reasons[bad], raw)
    frame = out[~bad].reset_index(drop=True)[list(TABLE_COLUMNS)]
    report.n_source_rows = n + len(raw.bad_rows)
    report.n_rows, report.n_rejected = len(frame), len(rejected)
    if frame.empty:
        raise DataError(_nothing_usable(rejected))
    return Touchpoints(frame=frame, rejected=rejected, report=report)


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped text; empty cells become missing."""
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if (whole % 1 == 0).all():
            values = values.astype("Int64")  # ids like 1001 stored as 1001.0
    elif values.dtype == object:
        values = values.map(_cell_text)
    text = values.astype("str").str.strip()
    return text.where(values.notna() & (text != ""), None)


def _cell_text(v: object) -> object:
    if v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # Excel stores ids like 1001 as 1001.0
    return str(v)


def _stages_from_touchpoints(out: pd.DataFrame, lookup: dict[str, str], report: LoadReport):
    folded = {str(k).strip().casefold(): v for k, v in lookup.items()}
    from_map = out["touchpoint"].map(lambda tp: folded.get(str(tp).casefold()) if tp else None)
    out["stage"] = out["stage"].where(out["stage"].notna(), from_map)
    missing = out.loc[out["stage"].isna() & out["touchpoint"].notna(), "touchpoint"]
    if len(missing):
        names = [str(v) for v in missing.value_counts().index[:8]]
        report.warnings.append(
            Message("load.warning.touchpoint_without_stage", {"n": len(missing), "names": names})
        )


def _examples(values: pd.Series) -> list[str]:
    """The five most frequent of ``values``, as text (shown quoted)."""
    return [str(v) for v in values.astype(str).value_counts().index[:5]]


def _parse_emotion(out, src, cols, report, scale, labels) -> None:
    n = len(out)
    if "emotion" not in cols:
        out["emotion"] = np.nan
        out["emotion_raw"] = pd.Series([None] * n, dtype="str")
        out["valence"] = np.nan
        return
    values = src[cols["emotion"]]
    emotion = normalise_emotion(values, scale=scale, lexicon=labels, column_name=cols["emotion"])
    out["emotion"] = emotion.score.to_numpy()
    out["emotion_raw"] = _text(values)
    out["valence"] = emotion.valence.to_numpy()
    report.emotion_kind = emotion.kind
    report.emotion_scale, report.emotion_scale_name = emotion.scale, emotion.scale_name
    report.emotion_scale_detected = emotion.scale_detected
    report.emotion_labels, report.emotion_unknown = emotion.labels, emotion.unknown
    report.emotion_notes = [n for n in emotion.notes if n not in emotion.warnings]
    report.notes += report.emotion_notes
    report.warnings += emotion.warnings


def _parse_outcomes(out, src, cols, report) -> None:
    decimals = []
    if "converted" in cols:
        flags, unknown = parse_flags(src[cols["converted"]])
        out["converted"] = flags.array
        if unknown.any():
            report.warnings.append(Message("load.warning.not_flags", {
                "n": int(unknown.sum()), "column": cols["converted"],
                "examples": _examples(src.loc[unknown, cols["converted"]]),
            }))
    else:
        out["converted"] = pd.array([pd.NA] * len(out), dtype="boolean")
    if "revenue" in cols:
        values = src[cols["revenue"]]
        amounts, decimal = parse_numbers(values)
        decimals.append(decimal)
        out["revenue"] = amounts.to_numpy()
        report.currency = currency_of(values, cols["revenue"])
        filled = _text(values).notna()
        unreadable = filled & amounts.isna()
        if unreadable.any():
            report.warnings.append(Message("load.warning.not_numbers", {
                "n": int(unreadable.sum()), "column": cols["revenue"],
                "examples": _examples(values[unreadable]),
            }))
    else:
        out["revenue"] = np.nan
    if "emotion" in cols and report.emotion_kind == "scale":
        decimals.append(parse_numbers(src[cols["emotion"]])[1])
    report.decimal = "," if "," in decimals else "." if decimals else None


def _reasons(out: pd.DataFrame, raw_ts: pd.Series) -> pd.Series:
    """Why each row cannot be used: reason codes joined by ";" ("" for usable rows)."""
    reasons = pd.Series("", index=out.index, dtype=object)
    bad = out["customer_id"].isna() | out["timestamp"].isna()
    if not bad.any():
        return reasons
    ts_text = _text(raw_ts[bad])
    for i in bad[bad].index:
        parts = []
        if pd.isna(out.at[i, "customer_id"]):
            parts.append("no_customer_id")
        if pd.isna(ts_text.at[i]):
            parts.append("no_timestamp")
        elif pd.isna(out.at[i, "timestamp"]):
            parts.append("bad_timestamp")
        reasons.at[i] = ";".join(parts)
    return reasons


def _rejected_frame(src: pd.DataFrame, rows: np.ndarray, reasons: pd.Series, raw: RawTable):
    table = src.map(lambda v: "" if v is None or v is pd.NaT or v != v else str(v))
    table.insert(0, "reason", reasons.to_numpy())
    table.insert(0, "row", rows)
    if raw.bad_rows:
        width = len(raw.frame.columns)
        extra = pd.DataFrame(
            [
                [r, reason, *(cells[:width] + [""] * (width - len(cells)))]
                for r, reason, cells in raw.bad_rows
            ],
            columns=["row", "reason", *raw.frame.columns],
        )
        table = pd.concat([table, extra], ignore_index=True).sort_values("row")
    return table.reset_index(drop=True)


def _nothing_usable(rejected: pd.DataFrame) -> str:
    return nothing_usable(rejected["reason"].value_counts().to_dict())


def nothing_usable(counts: dict[str, int]) -> str:
    """The error when no row can be used, in the current language, naming the three most
    frequent reasons; ``counts``: rejected rows per ``reason`` (codes joined by ";")."""
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:3]
    reasons = "; ".join(
        t("errors.reason_rows", reason=reason_text(codes), n=int(n)) for codes, n in top
    )
    return t("errors.nothing_usable", n=sum(counts.values()), reasons=reasons)


def reason_text(codes: str, lang: str | None = None) -> str:
    """A rejected row's ``reason`` (codes joined by ";") in words in ``lang`` (default: the
    current language), e.g. ``"no customer id; no timestamp"``; other text as it is."""
    return "; ".join(
        t(f"load.reason.{code}", lang) if code in REJECTION_REASONS else code
        for code in str(codes).split(";")
    )


def file_timezone(report: LoadReport) -> str:
    """The time zone the file's timestamps suggest: the zone a zoned column carried, or the
    fixed zone of one UTC offset every timestamp was written with; else ``"UTC"``."""
    read = sum(report.timestamp_formats.values())
    if report.timestamp_zone is None and sum(report.timestamp_offsets.values()) < read:
        return UTC
    return zone_from_offsets(report.timestamp_offsets, report.timestamp_zone)


def to_dataset(
    touchpoints: Touchpoints,
    *,
    con: BaseBackend | None = None,
    stages: str | list[str] | None = None,
    purchase_stage: str | None = None,
    name: str | None = None,
) -> Dataset:
    """Put parsed touchpoints into the engine and settle the stage model.

    ``stages``: a preset name, an ordered list, or None (a preset that holds every stage of the
    data, else the order inferred from the data). ``purchase_stage``: the stage that ends the
    buyer journey (default: the stage named like a purchase).
    """
    con = con if con is not None else connect()
    table = con.create_table(new_table_name(), touchpoints.frame)
    found = [s for s in touchpoints.frame["stage"].dropna().unique()]
    report = touchpoints.report
    ordered, purchase, model, preset = settle_stages(
        found, table, stages=stages, purchase_stage=purchase_stage
    )
    return Dataset(
        table=table,
        stages=ordered,
        purchase_stage=purchase,
        rejected=touchpoints.rejected,
        report=report,
        name=name or report.source,
        stage_model=model,
        stage_preset=preset,
        timezone=file_timezone(report),
    )


def settle_stages(
    found: list[str],
    table: ibis.Table,
    *,
    stages: str | list[str] | None = None,
    purchase_stage: str | None = None,
) -> tuple[list[str], str | None, str, str | None]:
    """The stage model of data whose stages are ``found`` (in ``table``, for inferring the
    order): ``(ordered stages, purchase stage, model code, preset)``; ``stages`` and
    ``purchase_stage`` as for :func:`to_dataset`."""
    if isinstance(stages, str):
        if stages not in STAGE_PRESETS:
            raise DataError(
                t("errors.unknown_preset", preset=stages, presets=", ".join(STAGE_PRESETS))
            )
        preset, model = stages, "preset"
        ordered = order_by_preset(found, STAGE_PRESETS[preset])
    elif stages is not None:
        ordered = list(stages) + sorted(s for s in found if s not in stages)
        preset, model = None, "given"
    elif found and (preset := preset_for(found)):
        ordered, model = order_by_preset(found, STAGE_PRESETS[preset]), "preset"
    else:
        ordered = infer_stage_order(table) if found else []
        preset, model = None, "inferred"
    if purchase_stage is not None and purchase_stage not in ordered:
        raise DataError(
            t("errors.not_a_stage", stage=purchase_stage, stages=", ".join(ordered))
        )
    return ordered, purchase_stage or find_purchase_stage(ordered), model, preset
