"""Panels of the Data page: column mapping, how the file was read, rejected rows, quality."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

import journeylib as jl
from dashboard import connections, links, session, tables
from dashboard.exports import chart_downloads
from dashboard.sections import section
from journeylib import valence, workspace
from journeylib.charts import touchpoints_over_time_chart
from journeylib.i18n import date, get_language, label, number, say, t
from journeylib.i18n.formats import table_datetime_format
from journeylib.load import FIELD_LABELS, reason_text
from journeylib.quality import touchpoints_over_time
from journeylib.stages import preset_name, preset_stage_names
from journeylib.text import csv_bytes, escape_markdown

# Option codes of the Data page's widgets (shown translated through format_func).
NOT_USED = "(not used)"
AUTO = "auto"
CUSTOM = "custom"
NONE = "(none)"
DATE_ORDERS = {AUTO: None, "dmy": "dmy", "mdy": "mdy"}
# The built-in emotion words of each interface language (the editor lists these first).
LEXICON_LANGUAGES = valence.LEXICONS
# Columns of the loaded table whose header is not simply the field's name.
TABLE_HEADERS = ("source_row", "emotion", "emotion_raw", "valence")


def field_name(field: str) -> str:
    """A touchpoint field (``customer_id``, ``stage``, ...) named in the interface language."""
    return t(f"data.fields.{field}")


def table_headers(columns: list[str]) -> dict[str, Any]:
    """``column_config`` giving the loaded table's columns translated headers, and times
    written the language's way."""
    config: dict[str, Any] = {
        c: t(f"data.columns.{c}") if c in TABLE_HEADERS else field_name(c)
        for c in columns
        if c in TABLE_HEADERS or c in FIELD_LABELS
    }
    if "timestamp" in config:
        config["timestamp"] = st.column_config.DatetimeColumn(
            config["timestamp"], format=table_datetime_format(), timezone="UTC")
    return config


def _in_language(text_of: Callable[[str, str], str]) -> Callable[[str], str]:
    """A ``format_func`` giving option texts in this run's language, wherever it is called
    (AppTest calls it outside the script run, where the current language is the default)."""
    lang = get_language()
    return lambda code: text_of(code, lang)


def _option(code: str, lang: str) -> str:
    """The text of an emotion-scale or stage-model option (scale names pass through)."""
    if code == AUTO:
        return t("data.auto", lang)
    if code == CUSTOM:
        return t("data.stages.custom", lang)
    if code in jl.STAGE_PRESETS:
        return preset_name(code, lang)
    return code


def _column_option(column: str, lang: str) -> str:
    """The text of a column-mapping option: the file's column names as they are."""
    return t("data.mapping.not_used", lang) if column == NOT_USED else column


def _date_order_option(code: str, lang: str) -> str:
    return t(f"data.reading.date_orders.{code}", lang)


def _purchase_option(stage: str, lang: str) -> str:
    """The text of a purchase-stage option: the user's stage names as they are."""
    return label(NONE, lang) if stage == NONE else stage


def _on_change(key: str, apply: Callable[[object], None]) -> Callable[[], None]:
    return lambda: apply(st.session_state[key])


def connection_panel() -> None:
    """When the data source is a connection: which connection and which of its tables (the
    configured one first). Drawn only for that source; listing tables is cached. A malformed
    ``[connections]`` entry (skipped) is named whatever the source, once per entry."""
    for bad in connections.malformed():
        st.warning(escape_markdown(bad.words()))
    if session.source() != "connection" or not connections.configured():
        return
    found = connections.configured()
    st.caption(t("connections.caption"))
    left, right = st.columns(2)
    left.selectbox(t("connections.choose"), list(found), key=connections.SESSION_NAME,
                   on_change=lambda: st.session_state.pop(connections.SESSION_TABLE, None))
    conn, table = connections.chosen()
    try:
        listed = connections.tables(conn)
    except jl.DataError as exc:
        st.error(escape_markdown(exc.words()))
        listed = [conn.table] if conn.table else []
    if not listed:
        st.info(t("connections.no_tables", name=escape_markdown(conn.name)))
        return
    if st.session_state.get(connections.SESSION_TABLE) not in listed:
        st.session_state[connections.SESSION_TABLE] = table if table in listed else listed[0]
    right.selectbox(t("connections.table"), listed, key=connections.SESSION_TABLE)


def preview_rows(ds: jl.Dataset) -> pd.DataFrame:
    """The first 100 touchpoints of ``ds`` (one query per dataset and session)."""
    return session.per_dataset(ds, "preview", lambda d: d.table.limit(100).to_pandas())


def mapping_panel(raw: jl.RawTable, digest: str) -> None:
    """One selector per touchpoint field, preset to the automatic mapping."""
    opts = session.options()
    try:
        mapping, method = jl.resolve_mapping(raw, opts.mapping)
    except jl.DataError:
        mapping, method = jl.guess_mapping(raw.frame)
    st.caption(t("data.mapping.caption"))
    columns = [NOT_USED, *raw.frame.columns]
    grid = st.columns(2)
    for i, field in enumerate(jl.CANONICAL):
        current = mapping.get(field, NOT_USED)
        key = f"map_{field}_{digest[:12]}"

        def apply(value, field=field):
            opts.mapping[field] = None if value == NOT_USED else value

        found = method.get(field, "")
        grid[i % 2].selectbox(
            field_name(field),
            columns,
            index=columns.index(current),
            key=key,
            on_change=_on_change(key, apply),
            format_func=_in_language(_column_option),
            help=t(f"data.mapping.method.{found}" if found else "data.mapping.method.missing"),
        )


def member_picker(raw: jl.RawTable, digest: str) -> None:
    """For a zip archive of several tables: which one to read (the first by default)."""
    if len(raw.members) < 2:
        return
    key = f"member_{digest[:12]}"
    st.selectbox(
        t("data.reading.member"), raw.members, index=raw.members.index(raw.member), key=key,
        help=t("data.reading.members", n=len(raw.members)),
        on_change=_on_change(key, lambda v: setattr(session.options(), "member", v)),
    )


def reading_panel(ds: jl.Dataset | None, raw: jl.RawTable, digest: str) -> None:
    """Format, encoding, sheet, timestamp order, emotion scale and stage model, with overrides."""
    opts = session.options()
    report = ds.report if ds is not None else None
    st.markdown(t("data.reading.file", details=escape_markdown(_file_sentence(raw))))
    if len(raw.sheets) > 1:
        key = f"sheet_{digest[:12]}"
        st.selectbox(
            t("data.reading.sheet"),
            raw.sheets,
            index=raw.sheets.index(raw.sheet),
            key=key,
            on_change=_on_change(key, lambda v: setattr(opts, "sheet", v)),
        )
    for warning in raw.warnings:
        st.warning(escape_markdown(say(warning)))
    if report is None:
        return
    left, right = st.columns(2, gap="large")
    with left:
        _timestamp_controls(report, digest)
    with right:
        _emotion_controls(report, digest)
    _stage_controls(ds, digest)
    for warning in report.warnings:
        st.warning(escape_markdown(say(warning)))


def _timestamp_controls(report: jl.LoadReport, digest: str) -> None:
    opts = session.options()
    st.markdown(t("data.reading.timestamps",
                  description=escape_markdown(timestamp_formats_text(report))))
    for note in report.timestamp_notes:
        st.caption(escape_markdown(say(note)))
    key = f"order_{digest[:12]}"
    st.radio(
        t("data.reading.date_order"),
        list(DATE_ORDERS),
        horizontal=True,
        key=key,
        index=list(DATE_ORDERS.values()).index(opts.date_order),
        format_func=_in_language(_date_order_option),
        on_change=_on_change(key, lambda v: setattr(opts, "date_order", DATE_ORDERS[v])),
    )


def timestamp_formats_text(report: jl.LoadReport) -> str:
    """The timestamp formats found, most rows first, e.g. ``dd.mm.yyyy (980 rows)``; the
    catalogue's "none" when no value was read."""
    found = sorted(report.timestamp_formats.items(), key=lambda kv: -kv[1])
    parts = [
        t("load.formats.rows", format=_format_name(name, report.date_order), n=n)
        for name, n in found
        if n
    ]
    return ", ".join(parts) if parts else t("load.formats.none")


def _format_name(code: str, date_order: str | None) -> str:
    # dd/mm and mm/dd dates share a code; the order decides which name fits.
    mdy = code in ("slashed", "dotted") and date_order == "mdy"
    return t(f"load.formats.{code}_mdy" if mdy else f"load.formats.{code}")


def _file_sentence(raw: jl.RawTable) -> str:
    """How the file was read, e.g. "CSV, encoding cp1251, separated by semicolons, ..."."""
    parts = [raw.format.upper()]
    if raw.encoding:
        parts.append(t("data.file.encoding", encoding=raw.encoding))
    if raw.delimiter:
        parts.append(t(f"data.file.separators.{jl.read.DELIMITERS[raw.delimiter]}"))
    if raw.sheet:
        parts.append(t("data.file.sheet", sheet=raw.sheet, count=len(raw.sheets)))
    if raw.header_row:
        parts.append(t("data.file.header_row", row=raw.header_row))
    else:
        parts.append(t("data.file.no_header"))
    if raw.title_rows:
        parts.append(t("data.file.title_rows", n=raw.title_rows))
    if raw.empty_rows:
        parts.append(t("data.file.empty_rows", n=raw.empty_rows))
    return ", ".join(parts) + "."


def _emotion_controls(report: jl.LoadReport, digest: str) -> None:
    opts = session.options()
    if "emotion" not in report.mapping:
        st.markdown(t("data.emotion.no_column"))
        return
    if report.emotion_kind == "scale":
        if report.emotion_scale_name:
            st.markdown(t("data.emotion.scale", scale=report.emotion_scale_name))
        else:
            st.markdown(t("data.emotion.unknown_scale"))
        for note in report.emotion_notes:
            st.caption(escape_markdown(say(note)))
        choices = [AUTO, *jl.SCALES]
        key = f"scale_{digest[:12]}"
        st.selectbox(
            t("data.emotion.scale_label"),
            choices,
            key=key,
            index=choices.index(opts.emotion_scale or AUTO),
            format_func=_in_language(_option),
            on_change=_on_change(
                key, lambda v: setattr(opts, "emotion_scale", None if v == AUTO else v)
            ),
        )
    if report.emotion_labels or report.emotion_unknown:
        _lexicon_editor(report, digest)


def lexicon_order(labels: list[str], lang: str) -> list[str]:
    """``labels`` with the built-in words of the interface language ``lang`` first, then the
    other languages' words, then labels the lexicon does not know (each group in order)."""
    own = LEXICON_LANGUAGES.get(lang, {})

    def rank(word: str) -> int:
        return 0 if word in own else 1 if word in valence.LEXICON else 2

    return sorted(labels, key=rank)


def _lexicon_editor(report: jl.LoadReport, digest: str) -> None:
    """The labels found in the emotion column with their valence, editable."""
    opts = session.options()
    st.markdown(t("data.emotion.labels_intro"))
    known = dict(report.emotion_labels)
    words = lexicon_order([*known, *report.emotion_unknown], get_language())
    table = pd.DataFrame({"label": words, "valence": [known.get(w) for w in words]})
    key = f"lexicon_{digest[:12]}"
    edited = st.data_editor(
        table,
        key=key,
        hide_index=True,
        disabled=["label"],
        column_config={
            "label": st.column_config.TextColumn(t("data.emotion.label_column")),
            "valence": st.column_config.NumberColumn(
                t("data.emotion.valence_column"),
                help=t("data.emotion.valence_help"),
                min_value=-1.0,
                max_value=1.0,
                step=0.1,
            ),
        },
    )
    chosen = {r.label: float(r.valence) for r in edited.itertuples() if pd.notna(r.valence)}
    changed = {k: v for k, v in chosen.items() if report.emotion_labels.get(k) != v}
    if changed and changed != opts.emotion_labels:
        opts.emotion_labels = {**opts.emotion_labels, **changed}
        st.rerun()
    with st.expander(t("data.emotion.builtin")):
        st.caption(t("data.emotion.builtin_caption"))
        words = lexicon_order([w for w in valence.LEXICON if w.isalpha()], get_language())
        tables.show(
            pd.DataFrame({"label": words, "valence": [valence.LEXICON[w] for w in words]}),
            {"label": tables.text(t("data.emotion.label_column")),
             "valence": tables.signed(t("data.emotion.valence_column"), 1)},
            key="data_lexicon",
        )


def _stage_model_text(ds: jl.Dataset) -> str:
    """How the stage order was settled (``ds.stage_model``), in the interface language."""
    if ds.stage_model == "preset" and ds.stage_preset in jl.STAGE_PRESETS:
        return t("data.stages.model_preset", preset=preset_name(ds.stage_preset))
    if ds.stage_model == "given":
        return t("data.stages.model_given")
    return t("data.stages.model_inferred")


def _stage_controls(ds: jl.Dataset, digest: str) -> None:
    opts = session.options()
    shown = " → ".join(ds.stages) if ds.stages else t("data.stages.none")
    st.markdown(t("data.stages.heading", model=escape_markdown(_stage_model_text(ds)),
                  stages=escape_markdown(shown)))
    if not ds.stages:
        return
    choices = [AUTO, *jl.STAGE_PRESETS, CUSTOM]
    current = (
        opts.stages
        if isinstance(opts.stages, str)
        else CUSTOM
        if isinstance(opts.stages, list)
        else AUTO
    )
    model_key, order_key = f"stage_model_{digest[:12]}", f"stage_order_{digest[:12]}"

    def apply_model(value):
        opts.stages = None if value == AUTO else list(ds.stages) if value == CUSTOM else value

    left, right = st.columns(2, gap="large")
    with left:
        st.selectbox(
            t("data.stages.model"),
            choices,
            index=choices.index(current),
            key=model_key,
            format_func=_in_language(_option),
            on_change=_on_change(model_key, apply_model),
        )
        if ds.stage_model == "preset" and ds.stage_preset in jl.STAGE_PRESETS:
            names = preset_stage_names(ds.stage_preset)
            st.caption(t("data.stages.preset_stages", stages=" → ".join(names)))
        if current == CUSTOM:
            st.multiselect(
                t("data.stages.custom_order"),
                ds.stages,
                default=opts.stages,
                key=order_key,
                on_change=_on_change(order_key, lambda v: setattr(opts, "stages", list(v) or None)),
            )
    with right:
        purchase_choices = list(ds.stages) if ds.purchase_stage else [NONE, *ds.stages]
        purchase_key = f"purchase_{digest[:12]}"
        st.selectbox(
            t("data.stages.purchase"),
            purchase_choices,
            index=purchase_choices.index(ds.purchase_stage or NONE),
            key=purchase_key,
            format_func=_in_language(_purchase_option),
            on_change=_on_change(
                purchase_key, lambda v: setattr(opts, "purchase_stage", None if v == NONE else v)
            ),
        )
    after = ds.customer_stages
    st.caption(
        t(
            "data.stages.journeys",
            buyer=escape_markdown(" → ".join(ds.buyer_stages)),
            customer=escape_markdown(" → ".join(after)) if after
            else t("data.stages.no_customer_journey"),
        )
    )


def rejected_panel(ds: jl.Dataset) -> None:
    """Every row that was not loaded, with its reason in the interface language, and a download
    (reasons in the same words)."""
    if ds.rejected.empty:
        st.success(t("data.rejected.none", n=ds.n_rows))
        return
    rejected = ds.rejected.assign(reason=ds.rejected["reason"].map(reason_text))
    st.warning(t("data.rejected.summary", rejected=ds.n_rejected, total=ds.report.n_source_rows))
    reasons = jl.rejection_reasons(ds)
    reasons["reason"] = reasons["reason"].map(reason_text)
    tables.show(reasons, {"reason": tables.text(t("data.rejected.reason")),
                          "rows": tables.integer(t("data.rejected.rows"))}, key="data_reasons")
    # The rows as they were in the file (every source column as text), with the row number.
    tables.show(rejected, {"row": tables.integer(t("data.rejected.row"), width="small"),
                           "reason": tables.text(t("data.rejected.reason"))},
                keep_others=True, height=300, key="data_rejected")
    st.download_button(
        t("data.rejected.download"),
        csv_bytes(rejected),
        file_name="rejected_rows.csv",
        mime="text/csv",
    )


def quality_panel(ds: jl.Dataset) -> None:
    """Completeness per field, duplicates, and touchpoints over time."""
    stats = session.per_dataset(ds, "summary", jl.summary)
    cols = st.columns(4)
    cols[0].metric(t("data.quality.touchpoints"), number(stats["rows"]))
    cols[1].metric(t("data.quality.customers"), number(stats["customers"]))
    cols[2].metric(
        t("data.quality.per_customer"), number(stats["touchpoints_per_customer"], 1)
    )
    cols[3].metric(
        t("data.quality.duplicates"),
        number(session.per_dataset(ds, "duplicates", jl.duplicate_touchpoints)),
        help=t("data.quality.duplicates_help"),
    )
    quality = session.per_dataset(ds, "quality", jl.data_quality).copy()
    # The library names fields in English (API values): show them in the interface language.
    codes = {text: code for code, text in FIELD_LABELS.items()}
    quality["field"] = [field_name(codes[f]) if f in codes else f for f in quality["field"]]
    tables.show(quality, {
        "field": tables.text(t("data.quality.field"), pinned=True),
        "source_column": tables.text(t("data.quality.source_column")),
        "filled": tables.integer(t("data.quality.filled_rows")),
        "missing": tables.integer(t("data.quality.missing_rows")),
        "share_filled": tables.share(t("data.quality.share_filled")),
        "distinct": tables.integer(t("data.quality.distinct")),
    }, key="data_quality")
    with section("over_time"):  # any failure (an engine's) is a sentence in its place
        zoned = session.with_timezone(ds)
        over_time = session.per_dataset(zoned, "over_time", touchpoints_over_time)
        chart = touchpoints_over_time_chart(over_time, ds.stages, zone=zoned.timezone)
        st.altair_chart(chart, width="stretch", theme=None)
        chart_downloads(chart, "touchpoints-per-week", ds)


def save_panel(ds: jl.Dataset) -> None:
    """Save the dataset as a named workspace on this server; a name that is taken asks first."""
    st.caption(t("data.save.caption"))
    with st.form("save_workspace"):
        name = st.text_input(t("data.save.name"), value=ds.name.rsplit(".", 1)[0])
        read_only = st.checkbox(t("data.save.read_only"))
        submitted = st.form_submit_button(t("data.save.button"), type="primary")
    if submitted:
        st.session_state.pop("_replace_workspace", None)
        _save(ds, name, read_only, overwrite=False)
    pending = st.session_state.get("_replace_workspace")
    if pending is not None and pending["data"] == ds.key:
        _ask_to_replace(ds, pending)


def _save(ds: jl.Dataset, name: str, read_only: bool, *, overwrite: bool) -> None:
    try:
        path = session.save_active(name, read_only=read_only, overwrite=overwrite)
    except workspace.WorkspaceExists as taken:
        if taken.read_only:
            st.error(t("errors.workspace_read_only", name=links.quoted(taken.name)))
        else:
            st.session_state["_replace_workspace"] = {
                "name": name, "read_only": read_only, "data": ds.key, "existing": taken.name,
                "rows": taken.rows, "saved_at": taken.saved_at}
    except jl.DataError as exc:
        st.error(escape_markdown(exc))
    else:
        touchpoints = t("data.n_touchpoints", n=ds.n_rows)
        st.success(t("data.save.saved", name=escape_markdown(name), touchpoints=touchpoints,
                     file=escape_markdown(path.name)))


def _ask_to_replace(ds: jl.Dataset, pending: dict) -> None:
    """Ask whether to replace the workspace of the same name; replace it or leave it."""
    box = st.empty()
    with box.container():
        st.warning(t("workspaces.replace_question", name=links.quoted(pending["existing"]),
                     touchpoints=t("data.n_touchpoints", n=pending["rows"]),
                     day=date(pending["saved_at"].date())))
        left, right = st.columns(2)
        replace = left.button(t("workspaces.replace"), type="primary", key="replace_workspace")
        keep = right.button(t("workspaces.keep"), key="keep_workspace")
    if replace or keep:
        box.empty()
        st.session_state.pop("_replace_workspace", None)
    if replace:
        _save(ds, pending["name"], pending["read_only"], overwrite=True)
    elif keep:
        st.info(t("workspaces.kept", name=links.quoted(pending["existing"])))
