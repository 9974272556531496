"""``from_table``: touchpoints that already live in an engine (a warehouse, a lake on Spark) as a
:class:`~journeylib.dataset.Dataset`, validated and normalised by queries in that engine.

The upload path (:mod:`journeylib.load`) reads a file with pandas; here nothing but aggregates,
a few example values and at most :data:`REJECTED_SAMPLE` rejected rows leave the engine. The
rules are the upload's: the same canonical columns (:data:`journeylib.load.TABLE_COLUMNS`), the
same rejection reasons, valence from the same scales and lexicon, stages settled the same way.
Every value from the data stays data: labels are looked up in the library's own lexicon (joined
as a small table), yes/no words compared with the library's literals; no user text is ever
written into a query.
"""

from __future__ import annotations

import uuid
from typing import Any

import ibis
import ibis.common.exceptions as com
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandas as pd

from journeylib.columns import CANONICAL, REQUIRED, guess_mapping
from journeylib.dataset import Dataset, LoadReport, use_utc
from journeylib.engine import to_pandas
from journeylib.errors import DataError
from journeylib.i18n import t
from journeylib.load import (
    MISSING_FIELD_ERRORS,
    TABLE_COLUMNS,
    TEXT_FIELDS,
    nothing_usable,
    settle_stages,
)
from journeylib.messages import Message
from journeylib.numeric import FALSE_WORDS, TRUE_WORDS
from journeylib.valence import LEXICON, SCALES, detect_scale

# Rejected rows brought back to show the user (their count by reason is always complete).
REJECTED_SAMPLE = 100
# Rows read to recognise the customer id and timestamp columns by their values, when no
# column name says which they are.
SNIFF_ROWS = 500
# An in-memory DuckDB catalog for the bound table when the connection's own database is a file
# (the user's file is never written to; cursors of the connection see the catalog).
DUCKDB_SCRATCH = "journeylib_scratch"
UTC = dt.Timestamp(timezone="UTC")
# Marks of currency and percent stripped from typed amounts (as journeylib.numeric does).
_CURRENCY = r"(?i)(руб\.?|р\.|₽|zł|pln|usd|eur|rub|\$|€|£|%)"
_SPACES = "[ \t\u00a0\u202f']"
_COMMA_DECIMAL = r"^[+-]?\d*,\d+$|^[+-]?\d{1,3}(\.\d{3})+,\d+$"
_DOT_DECIMAL = r"^[+-]?\d*\.\d+$|^[+-]?\d{1,3}(,\d{3})+\.\d+$"
# Unix times in seconds and milliseconds (journeylib.timestamps reads the same ranges).
_UNIX = {"unix_s": (1e8, 1e10, "s"), "unix_ms": (1e11, 1e13, "ms")}


def from_table(
    table: ir.Table,
    *,
    mapping: dict[str, str | None] | None = None,
    stages: str | list[str] | None = None,
    purchase_stage: str | None = None,
    name: str | None = None,
    emotion_scale: str | tuple[float, float] | None = None,
) -> Dataset:
    """Bind an existing Ibis ``table`` (any backend) as a Dataset, on the same engine.

    ``mapping``: canonical field -> the table's column (None unmaps a field); fields not given
    are mapped by column name (and the customer id and timestamp by their values, read from
    :data:`SNIFF_ROWS` rows, when no name fits). ``stages``/``purchase_stage`` as for
    :func:`journeylib.load.to_dataset`; ``emotion_scale`` overrides the detected scale;
    ``name``: the dataset's name (default: the table's).

    The table's columns become :data:`~journeylib.load.TABLE_COLUMNS`: text trimmed (empty ->
    missing), ``timestamp`` in UTC (timestamp and date columns; text in ISO 8601; numbers as
    Unix seconds or milliseconds; times without a zone are taken as UTC), ``emotion`` and
    ``valence`` from a numeric scale or the built-in lexicon, ``converted`` from booleans,
    numbers or yes/no words, ``revenue`` from numbers or typed amounts. ``source_row`` is the
    table's own ``source_row`` column when it has an integer one, else the row's position in
    the order (customer, timestamp, then every other field), from 1, the same on every engine.
    Rows without a customer id or a readable timestamp are rejected: the report counts them by
    reason (``report.rejected_counts``) and ``Dataset.rejected`` holds the first
    :data:`REJECTED_SAMPLE` of them. The result is a new table of the engine (a temporary one
    where the engine has them; on Spark a cached temporary view) whose name,
    ``touchpoints_<hex>``, is valid everywhere.

    Raises :class:`DataError` (in the current language) when a field is unknown, a mapped
    column is missing, the customer id or timestamp or both stage and touchpoint are not found,
    or no row can be used.
    """
    con = table._find_backend()
    use_utc(con)
    cols, method = _resolve(table, mapping)
    scratch = _Scratch(con, _prepare(table, cols))
    try:
        report, bound, rejected = _check_and_bind(
            con, scratch.table, table, cols, method, name, emotion_scale
        )
    finally:
        scratch.drop()
    found = [s for s in to_pandas(bound.select("stage").distinct())["stage"].dropna()]
    ordered, purchase, model, preset = settle_stages(
        found, bound, stages=stages, purchase_stage=purchase_stage
    )
    return Dataset(
        table=bound,
        stages=ordered,
        purchase_stage=purchase,
        rejected=rejected,
        report=report,
        name=report.source,
        stage_model=model,
        stage_preset=preset,
        key=_key_of(bound),
    )


def _check_and_bind(con, prepared: ir.Table, table: ir.Table, cols, method, name, emotion_scale):
    """The checks over the prepared rows (computed once, see :class:`_Scratch`) and the bound
    table: ``(report, bound, rejected)``. One aggregate query counts everything the report
    needs; a grouped query reads the emotion labels; the examples of unreadable cells and the
    rejected rows are read only when there are such cells and rows."""
    stats = _first_look(prepared, cols, emotion_scale)
    report = LoadReport(
        source=name or _table_name(table),
        format="table",
        source_columns=list(table.columns),
        mapping=cols,
        mapping_method=method,
        n_source_rows=stats["rows"],
    )
    report.timestamp_formats = {
        k: stats[f"ts_{k}"] for k in _timestamp_formats(table, cols) if stats[f"ts_{k}"]
    }
    comma = stats["amount_comma"] > stats["amount_dot"]
    prepared = prepared.mutate(revenue=_amount(prepared, comma))
    prepared = _emotion(prepared, cols, stats, report, emotion_scale)
    _outcome_warnings(prepared, cols, stats, report, comma)
    counts = {
        code: stats[f"reason_{i}"] for i, code in enumerate(_REASON_CODES) if stats[f"reason_{i}"]
    }
    report.rejected_counts = counts
    report.n_rejected = sum(counts.values())
    report.n_rows = report.n_source_rows - report.n_rejected
    if report.n_rows == 0:
        raise DataError(nothing_usable(counts))
    rejected = _rejected_sample(prepared, table, report.n_rejected)
    kept = prepared.filter(prepared._reason == "").select(*TABLE_COLUMNS)
    return report, _materialise(con, kept), rejected


def _table_name(table: ir.Table) -> str:
    try:
        return table.get_name()
    except Exception:  # an expression, not a named table
        return "table"


def _resolve(table: ir.Table, mapping: dict[str, str | None] | None):
    """The mapping by column names (values read only when a required field has no name), with
    the user's choices applied and checked: ``(mapping, method)``."""
    columns = list(table.columns)
    auto, method = guess_mapping(pd.DataFrame(columns=columns))
    given = {f for f, c in (mapping or {}).items() if c}
    if any(f not in auto and f not in given for f in REQUIRED):
        auto, method = guess_mapping(to_pandas(table.limit(SNIFF_ROWS)))
    merged = dict(auto)
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
    for field in REQUIRED:
        if field not in merged:
            raise DataError(t(MISSING_FIELD_ERRORS[field], columns=", ".join(columns)))
    if "stage" not in merged and "touchpoint" not in merged:
        raise DataError(t("errors.no_stage_column", columns=", ".join(columns)))
    return merged, method


def _text(col: ir.Value) -> ir.StringValue:
    """A column as trimmed text, empty -> missing; whole floats written as integers (ids like
    1001 stored as 1001.0) and booleans as ``true``/``false`` on every engine."""
    kind = col.type()
    if kind.is_string():
        text = col.strip()
    elif kind.is_boolean():
        text = col.ifelse("true", "false")
    elif kind.is_floating() or kind.is_decimal():
        whole = (col % 1 == 0) & (col.abs() < 1e15)
        text = whole.ifelse(col.cast("int64").cast("string"), col.cast("string"))
    else:
        text = col.cast("string")
    return text.nullif("")


def _number_text(text: ir.StringValue) -> ir.StringValue:
    """Typed amounts without currency marks and spaces."""
    return text.re_replace(_CURRENCY, "").re_replace(_SPACES, "")


def _timestamp(col: ir.Value) -> ir.TimestampValue:
    """A column as UTC timestamps (missing where it cannot be read)."""
    kind = col.type()
    if kind.is_timestamp() or kind.is_date():
        return col.cast(UTC)
    if kind.is_numeric():
        x = col.cast("float64")
        return ibis.cases(
            *[
                ((x >= low) & (x < high), x.floor().cast("int64").as_timestamp(unit).cast(UTC))
                for low, high, unit in _UNIX.values()
            ],
            else_=ibis.null(UTC),
        )
    return _text(col).try_cast(UTC)


def _timestamp_formats(table: ir.Table, cols: dict[str, str]) -> list[str]:
    """The format labels (``load.formats.<label>``) a timestamp column of this type can hold."""
    kind = table[cols["timestamp"]].type()
    if kind.is_timestamp() or kind.is_date():
        return ["datetime"]
    return list(_UNIX) if kind.is_numeric() else ["iso"]


def _flag(col: ir.Value) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """``(flag, unknown)``: yes/no as a boolean (missing where empty or not understood), and
    whether a filled cell was not understood."""
    kind = col.type()
    if kind.is_boolean():
        return col, ibis.literal(False)
    if kind.is_numeric():
        return col > 0, ibis.literal(False)
    word = _text(col).lower()
    number = word.try_cast("float64")
    flag = ibis.cases(
        (word.isin(sorted(TRUE_WORDS)), True),
        (word.isin(sorted(FALSE_WORDS)), False),
        (number.notnull(), number > 0),
        else_=ibis.null("boolean"),
    )
    return flag, word.notnull() & flag.isnull()


def _source(i: int) -> str:
    """The name under which the table's ``i``-th column travels beside the canonical ones."""
    return f"_src_{i}"


def _prepare(table: ir.Table, cols: dict[str, str]) -> ir.Table:
    """Every canonical column in the engine, with ``_reason`` (rejection codes joined by ";",
    "" for usable rows), the emotion's parts, the flags' unknown cells, the amounts' text and
    the table's own columns (``_src_<i>``, for the rejected rows shown)."""
    src = {field: table[column] for field, column in cols.items()}
    null_text = ibis.null("string")
    out: dict[str, Any] = {_source(i): table[c] for i, c in enumerate(table.columns)}
    out.update(
        customer_id=_text(src["customer_id"]),
        timestamp=_timestamp(src["timestamp"]),
        _ts_text=_text(src["timestamp"]),
    )
    for field in TEXT_FIELDS:
        out[field] = _text(src[field]) if field in src else null_text
    if "emotion" in src:
        raw = _text(src["emotion"])
        score = (
            src["emotion"].cast("float64") if src["emotion"].type().is_numeric()
            else _number_text(raw).replace(",", ".").try_cast("float64")
        )
        folded = raw.lower().replace("ё", "е")
        out.update(emotion_raw=raw, _score=score, _folded=folded,
                   _cleaned=folded.re_replace(r"[^\p{L}\p{N}]+", " ").strip())
    else:
        out.update(emotion_raw=null_text, _score=ibis.null("float64"), _folded=null_text,
                   _cleaned=null_text)
    if "converted" in src:
        out["converted"], out["_flag_unknown"] = _flag(src["converted"])
    else:
        out["converted"], out["_flag_unknown"] = ibis.null("boolean"), ibis.literal(False)
    out["revenue"], out["_amount_text"] = _revenue(src.get("revenue"))
    prepared = _lexicon_valence(table.select(**out))
    no_id = prepared.customer_id.isnull()
    no_ts = prepared._ts_text.isnull()
    bad_ts = prepared._ts_text.notnull() & prepared.timestamp.isnull()
    reason = ibis.cases(
        *[(_reason_condition(code, no_id, no_ts, bad_ts), code) for code in _REASON_CODES],
        else_="",
    )
    prepared = prepared.mutate(_reason=reason)
    if "source_row" in table.columns and table.source_row.type().is_integer():
        own = _source(list(table.columns).index("source_row"))
        return prepared.mutate(source_row=prepared[own].cast("int64"))
    order = [
        prepared[c]
        for c in ("customer_id", "timestamp", *TEXT_FIELDS[:3], "emotion_raw", "converted",
                  "_amount_text", "revenue", *TEXT_FIELDS[3:], "_ts_text")
    ]
    # Spark puts missing values first where DuckDB puts them last: say where they go.
    row = ibis.row_number().over(order_by=[ibis.asc(c, nulls_first=False) for c in order])
    return prepared.mutate(source_row=(row + 1).cast("int64"))


# The combinations of rejection reasons a row can have, as Dataset.rejected writes them.
_REASON_CODES = (
    "no_customer_id;no_timestamp",
    "no_customer_id;bad_timestamp",
    "no_customer_id",
    "no_timestamp",
    "bad_timestamp",
)


def _reason_condition(code, no_id, no_ts, bad_ts):
    parts = code.split(";")
    cond = no_id if "no_customer_id" in parts else ~no_id
    if "no_timestamp" in parts:
        return cond & no_ts
    if "bad_timestamp" in parts:
        return cond & bad_ts
    return cond & ~no_ts & ~bad_ts


def _lexicon_valence(p: ir.Table) -> ir.Table:
    """``p`` with ``_label`` (the emotion label as :func:`journeylib.valence.normalise_label`
    folds it: lower case, ё -> е, and when not a lexicon word as it stands, punctuation and
    spaces to one space) and ``_lv`` (its valence in the built-in lexicon).

    The lexicon is joined as a small table (two left joins on unique words): a CASE of every
    word, repeated for each use of the label, grows past what Spark's code generator holds."""
    words = pd.DataFrame({"word": list(LEXICON), "valence": list(LEXICON.values())})
    exact = ibis.memtable(words.rename(columns={"word": "_w1", "valence": "_v1"}))
    clean = ibis.memtable(words.rename(columns={"word": "_w2", "valence": "_v2"}))
    joined = p.left_join(exact, p._folded == exact._w1).left_join(clean, p._cleaned == clean._w2)
    return joined.select(
        *[joined[c] for c in p.columns if c not in ("_folded", "_cleaned")],
        _label=joined._v1.notnull().ifelse(joined._folded, joined._cleaned),
        _lv=joined._v1.coalesce(joined._v2),
    )


def _revenue(col: ir.Value | None):
    """``(amount, amount_text)``: a numeric amount column as floats, or for a text column its
    text without currency marks and spaces (read by :func:`_amount` once the decimal mark is
    known)."""
    if col is None:
        return ibis.null("float64"), ibis.null("string")
    if col.type().is_numeric():
        return col.cast("float64"), ibis.null("string")
    return ibis.null("float64"), _number_text(_text(col)).nullif("")


def _amount(p: ir.Table, comma: bool) -> ir.FloatingValue:
    """The amounts: numbers as they are, text read with a decimal comma (``comma``) or point."""
    text = p._amount_text
    plain = text.replace(".", "").replace(",", ".") if comma else text.replace(",", "")
    return p._amount_text.isnull().ifelse(p.revenue, plain.try_cast("float64"))


def _scale_candidates(scale) -> list[tuple[float, float]]:
    """Every scale the emotion column can be read on: the known ones and a chosen pair."""
    pairs = [(float(low), float(high)) for low, high in SCALES.values()]
    if scale is not None and not isinstance(scale, str):
        pairs.append((float(scale[0]), float(scale[1])))
    return list(dict.fromkeys(pairs))


def _first_look(prepared: ir.Table, cols: dict[str, str], scale=None) -> dict[str, Any]:
    """One aggregate query: rows, rejections by reason, timestamp formats, the emotion column's
    numbers (and, for every scale it may be read on, how many fall outside), and the outcome
    columns' unreadable cells (amounts for either decimal mark) and decimal marks.

    Everything a later step may need is counted here, so that the checks read the rows once."""
    p = prepared
    usable = p._reason == ""
    metrics: dict[str, Any] = {"rows": p.count(), "usable": usable.sum()}
    for i, code in enumerate(_REASON_CODES):
        metrics[f"reason_{i}"] = (p._reason == code).sum()
    x = p._ts_text.try_cast("float64")
    for label, (low, high, _unit) in _UNIX.items():
        metrics[f"ts_{label}"] = (usable & (x >= low) & (x < high)).sum()
    metrics["emotion_filled"] = p.emotion_raw.notnull().sum()
    is_number = p.emotion_raw.notnull() & p._score.notnull()
    metrics["emotion_numeric"] = is_number.sum()
    metrics["emotion_low"] = p._score.min()
    metrics["emotion_high"] = p._score.max()
    candidates = _scale_candidates(scale) if "emotion" in cols else []
    for i, (low, high) in enumerate(candidates):
        metrics[f"outside_{i}"] = (is_number & ~p._score.between(low, high)).sum()
    metrics["flags_unknown"] = p._flag_unknown.sum()
    metrics["amount_comma"] = p._amount_text.re_search(_COMMA_DECIMAL).sum()
    metrics["amount_dot"] = p._amount_text.re_search(_DOT_DECIMAL).sum()
    for mark, comma in (("comma", True), ("dot", False)):
        unreadable = p._amount_text.notnull() & _amount(p, comma).isnull()
        metrics[f"unreadable_{mark}"] = unreadable.sum()
    row = to_pandas(p.aggregate(**metrics)).iloc[0]
    out = {k: (v if k in ("emotion_low", "emotion_high") else int(0 if pd.isna(v) else v))
           for k, v in row.items()}
    for label in ("datetime", "iso"):
        out[f"ts_{label}"] = out["usable"]
    out["outside"] = {pair: out.pop(f"outside_{i}") for i, pair in enumerate(candidates)}
    return out


def _emotion(p: ir.Table, cols, stats, report: LoadReport, scale) -> ir.Table:
    """``p`` with ``emotion`` (the score as written, for a numeric scale) and ``valence``, and
    the report's emotion fields and notes as the upload writes them."""
    filled, numeric = stats["emotion_filled"], stats["emotion_numeric"]
    if "emotion" not in cols or filled == 0:
        return p.mutate(emotion=ibis.null("float64"), valence=ibis.null("float64"))
    notes: list[Message] = []
    warnings: list[Message] = []
    is_number = p.emotion_raw.notnull() & p._score.notnull()
    scale_valence = ibis.null("float64")
    kind = "none"
    if numeric >= 0.8 * filled:
        kind = "scale"
        bounds = pd.Series([float(stats["emotion_low"]), float(stats["emotion_high"])])
        chosen = _scale(scale, bounds, cols["emotion"], report, notes)
        if chosen is not None:
            low, high = chosen
            mid, half = (low + high) / 2, (high - low) / 2
            inside = p._score.between(low, high)
            scale_valence = inside.ifelse((p._score - mid) / half, ibis.null("float64"))
            outside = stats["outside"][(low, high)]
            if outside:
                warnings.append(Message("load.emotion.out_of_scale",
                                        {"n": outside, "scale": _scale_shown(report)}))
        score = is_number.ifelse(p._score, ibis.null("float64"))
    else:
        is_number, score = ibis.literal(False), ibis.null("float64")
    label_valence = p._lv
    rest = p.emotion_raw.notnull() & ~is_number
    kind = _labels(p.mutate(_rest=rest), report, warnings, kind)
    report.emotion_kind = kind
    report.emotion_notes = [n for n in notes if n not in warnings]
    report.notes += report.emotion_notes
    report.warnings += warnings
    return p.mutate(emotion=score, valence=is_number.ifelse(scale_valence, label_valence))


def _scale(scale, bounds: pd.Series, column: str, report: LoadReport, notes: list[Message]):
    """The scale used, ``(low, high)`` (None when no known scale holds the numbers), written
    into the report with the note the upload writes."""
    if scale is None:
        name = detect_scale(bounds, column)
        if name is None:
            notes.append(Message("load.emotion.no_scale", {
                "low": _g(bounds.min()), "high": _g(bounds.max()), "scales": ", ".join(SCALES)}))
            return None
        low, high = SCALES[name]
    else:
        report.emotion_scale_detected = False
        if isinstance(scale, str):
            if scale not in SCALES:
                raise ValueError(f"unknown emotion scale {scale!r}; known: {', '.join(SCALES)}")
            name, (low, high) = scale, SCALES[scale]
        else:
            low, high = float(scale[0]), float(scale[1])
            name = f"{low:g}..{high:g}"
    report.emotion_scale, report.emotion_scale_name = (low, high), name
    key = "load.emotion.scale_detected" if report.emotion_scale_detected else (
        "load.emotion.scale_chosen")
    notes.append(Message(key, {"scale": _scale_shown(report), "low": _g(low),
                               "mid": _g((low + high) / 2), "high": _g(high)}))
    return float(low), float(high)


def _scale_shown(report: LoadReport) -> str | Message:
    """A known scale by its code ("1-5"); a chosen pair in the language's numbers."""
    name = report.emotion_scale_name
    if name in SCALES:
        return name
    low, high = report.emotion_scale
    return Message("load.emotion.scale_range", {"low": _g(low), "high": _g(high)})


def _g(x: float) -> Message:
    return Message("load.emotion.number", {"x": float(x)})


def _labels(p: ir.Table, report: LoadReport, warnings: list[Message], kind: str) -> str:
    """Labels found (with their valence) and values not understood (with counts), from one
    grouped query over the cells that are not scale numbers; returns the emotion kind."""
    rest = p.filter(p._rest)
    groups = to_pandas(
        rest.group_by("emotion_raw", "_label", _known=rest._lv.notnull()).agg(n=rest.count())
    )
    known = groups["_known"].astype(bool)
    report.emotion_labels = {lab: LEXICON[lab] for lab in sorted(set(groups["_label"][known]))}
    counts = groups[~known].groupby("emotion_raw", as_index=False)["n"].sum()
    counts = counts.sort_values(["n", "emotion_raw"], ascending=[False, True])
    report.emotion_unknown = {
        str(v): int(n) for v, n in zip(counts["emotion_raw"], counts["n"], strict=True)
    }
    if kind == "none" and report.emotion_labels:
        kind = "labels"
    if report.emotion_unknown:
        shown = [Message("load.emotion.unknown_value", {"value": k, "count": v})
                 for k, v in list(report.emotion_unknown.items())[:8]]
        warnings.append(Message("load.emotion.unknown",
                                {"n": sum(report.emotion_unknown.values()), "values": shown}))
    return kind


def _outcome_warnings(p: ir.Table, cols, stats, report: LoadReport, comma: bool) -> None:
    """Warnings for flags and amounts that could not be read, with five examples each (one
    query each, only when there are such cells), and the report's decimal mark."""
    columns = list(report.source_columns)
    if stats["flags_unknown"]:
        raw = p[_source(columns.index(cols["converted"]))]
        report.warnings.append(Message("load.warning.not_flags", {
            "n": stats["flags_unknown"], "column": cols["converted"],
            "examples": _examples(p, p._flag_unknown, raw)}))
    decimals = []
    if "revenue" in cols:
        decimals.append("," if comma else ".")
        unreadable = p._amount_text.notnull() & p.revenue.isnull()
        n = stats["unreadable_comma" if comma else "unreadable_dot"]
        if n:
            raw = p[_source(columns.index(cols["revenue"]))]
            report.warnings.append(Message("load.warning.not_numbers", {
                "n": n, "column": cols["revenue"], "examples": _examples(p, unreadable, raw)}))
    if "emotion" in cols and report.emotion_kind == "scale":
        decimals.append("," if comma and not p._score.type().is_numeric() else ".")
    report.decimal = "," if "," in decimals else "." if decimals else None


def _examples(p: ir.Table, where: ir.BooleanValue, values: ir.Value) -> list[str]:
    """The five most frequent of ``values`` where ``where`` holds, as text."""
    part = p.filter(where).mutate(_v=_text(values))
    counts = to_pandas(part.group_by("_v").agg(n=part.count()))
    counts = counts.sort_values(["n", "_v"], ascending=[False, True])
    return [str(v) for v in counts["_v"].head(5)]


def _rejected_sample(p: ir.Table, table: ir.Table, n: int) -> pd.DataFrame:
    """The first :data:`REJECTED_SAMPLE` rejected rows (by ``source_row``): ``row``,
    ``reason`` and the table's columns as text ("" where empty)."""
    columns = list(table.columns)
    if n == 0:
        return pd.DataFrame(columns=["row", "reason", *columns])
    part = p.filter(p._reason != "").order_by("source_row").limit(REJECTED_SAMPLE)
    part = part.select(
        row=part.source_row, reason=part._reason,
        **{_source(i): _text(part[_source(i)]) for i in range(len(columns))},
    )
    frame = to_pandas(part)
    frame.columns = ["row", "reason", *columns]
    for column in columns:
        frame[column] = frame[column].map(lambda v: "" if v is None or v != v else str(v))
    return frame.reset_index(drop=True)


class _Scratch:
    """The prepared rows computed once, for the checks to read instead of the source.

    DuckDB: a table of the in-memory database (the scratch catalog when the connection opened a
    file); Spark: a temporary view of a cached DataFrame (filled when made); elsewhere a
    temporary table, or the query itself where the engine has none. :meth:`drop` frees it;
    the bound table made from it stays (on Spark its cache does not depend on this one's)."""

    def __init__(self, con, prepared: ir.Table) -> None:
        self.con, self.name, self._frame = con, new_bound_name(), None
        if con.name == "duckdb":
            self.table = _duckdb_table(con, self.name, prepared)
        elif con.name == "pyspark":
            # A DataFrame's view, not a SQL view: dropping a SQL view would also drop the
            # caches of the views that read it (the bound table's).
            con._register_in_memory_tables(prepared)
            self._frame = con._session.sql(str(con.compile(prepared))).cache()
            self._frame.count()
            self._frame.createOrReplaceTempView(self.name)
            self.table = con.table(self.name)
        else:
            try:
                self.table = con.create_table(self.name, prepared, temp=True)
            except (NotImplementedError, com.UnsupportedOperationError):
                self.name, self.table = None, prepared

    def drop(self) -> None:
        if self.name is None:
            return
        if self._frame is not None:
            # DataFrame.unpersist frees this cache alone; UNCACHE TABLE would also drop the
            # caches built on it (the bound table's).
            self._frame.unpersist()
            self.con._session.catalog.dropTempView(self.name)
        elif self.con.name == "duckdb":
            self.con.drop_table(self.name, database=_duckdb_database(self.con), force=True)
        else:
            self.con.drop_table(self.name, force=True)


def _duckdb_database(con) -> tuple[str, str] | None:
    """Where new DuckDB tables go: the in-memory database, or the scratch in-memory catalog
    when the connection opened a file (which is never written to)."""
    if con.current_catalog == "memory":
        return None
    con.raw_sql(f"ATTACH IF NOT EXISTS ':memory:' AS {DUCKDB_SCRATCH} (READ_WRITE)")
    return (DUCKDB_SCRATCH, "main")


def _duckdb_table(con, name: str, expr: ir.Table) -> ir.Table:
    database = _duckdb_database(con)
    if database is None:
        return con.create_table(name, expr)
    return con.create_table(name, expr, database=database)


def _materialise(con, kept: ir.Table) -> ir.Table:
    """``kept`` computed once into a new table of its engine, named ``touchpoints_<hex>``.

    DuckDB: a table of the in-memory database (a scratch in-memory catalog when the connection
    opened a file, which is never written to); Spark: a cached temporary view (of the query's
    plan, so that it outlives the scratch view it reads); elsewhere a temporary table, or the
    query itself where the engine has no temporary tables.
    """
    name = new_bound_name()
    if con.name == "duckdb":
        return _duckdb_table(con, name, kept)
    if con.name == "pyspark":
        con._session.sql(str(con.compile(kept))).createOrReplaceTempView(name)
        con.raw_sql(f"CACHE TABLE `{name}`")
        return con.table(name)
    try:
        return con.create_table(name, kept, temp=True)
    except (NotImplementedError, com.UnsupportedOperationError):
        return kept.view()


def new_bound_name() -> str:
    """A fresh table name for a bound table: lower-case letters, digits and ``_``, starting
    with a letter, 24 characters (valid unquoted on every engine); never from user input."""
    return f"touchpoints_{uuid.uuid4().hex[:12]}"


def _key_of(bound: ir.Table) -> str:
    try:
        return bound.get_name()
    except Exception:  # the engine had no temporary table: the query itself is the table
        return new_bound_name()
