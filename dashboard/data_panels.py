"""Panels of the Data page: column mapping, how the file was read, rejected rows, quality."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

import journeylib as jl
from dashboard import session
from dashboard.exports import chart_downloads
from dashboard.text import count
from journeylib.charts import touchpoints_over_time_chart
from journeylib.load import FIELD_LABELS
from journeylib.quality import touchpoints_over_time

NOT_USED = "(not used)"
METHOD_TEXT = {
    "name": "recognised by name",
    "values": "recognised by its values",
    "user": "chosen by you",
}
AUTO = "Automatic"


def _on_change(key: str, apply: Callable[[object], None]) -> Callable[[], None]:
    return lambda: apply(st.session_state[key])


def mapping_panel(raw: jl.RawTable, digest: str) -> None:
    """One selector per touchpoint field, preset to the automatic mapping."""
    opts = session.options()
    try:
        mapping, method = jl.resolve_mapping(raw, opts.mapping)
    except jl.DataError:
        mapping, method = jl.guess_mapping(raw.frame)
    st.caption(
        "Each touchpoint field is taken from one column of your file. Change any choice; "
        "customer id and timestamp are required, and a stage or a touchpoint column."
    )
    columns = [NOT_USED, *raw.frame.columns]
    grid = st.columns(2)
    for i, field in enumerate(jl.CANONICAL):
        current = mapping.get(field, NOT_USED)
        key = f"map_{field}_{digest[:12]}"

        def apply(value, field=field):
            opts.mapping[field] = None if value == NOT_USED else value

        grid[i % 2].selectbox(
            FIELD_LABELS[field].capitalize(),
            columns,
            index=columns.index(current),
            key=key,
            on_change=_on_change(key, apply),
            help=METHOD_TEXT.get(method.get(field, ""), "not found in the file"),
        )


def reading_panel(ds: jl.Dataset | None, raw: jl.RawTable, digest: str) -> None:
    """Format, encoding, sheet, timestamp order, emotion scale and stage model, with overrides."""
    opts = session.options()
    report = ds.report if ds is not None else None
    st.markdown(f"**File:** {_file_sentence(raw)}")
    if len(raw.sheets) > 1:
        key = f"sheet_{digest[:12]}"
        st.selectbox(
            "Sheet",
            raw.sheets,
            index=raw.sheets.index(raw.sheet),
            key=key,
            on_change=_on_change(key, lambda v: setattr(opts, "sheet", v)),
        )
    for warning in raw.warnings:
        st.warning(warning)
    if report is None:
        return
    left, right = st.columns(2, gap="large")
    with left:
        _timestamp_controls(report, digest)
    with right:
        _emotion_controls(report, digest)
    _stage_controls(ds, digest)
    for warning in report.warnings:
        st.warning(warning)


def _timestamp_controls(report: jl.LoadReport, digest: str) -> None:
    opts = session.options()
    st.markdown(f"**Timestamps:** {report.timestamp_description}.")
    for note in report.timestamp_notes:
        st.caption(note)
    orders = {AUTO: None, "Day first (dd/mm/yyyy)": "dmy", "Month first (mm/dd/yyyy)": "mdy"}
    key = f"order_{digest[:12]}"
    st.radio(
        "Day/month order",
        list(orders),
        horizontal=True,
        key=key,
        index=list(orders.values()).index(opts.date_order),
        on_change=_on_change(key, lambda v: setattr(opts, "date_order", orders[v])),
    )


def _file_sentence(raw: jl.RawTable) -> str:
    parts = [raw.format.upper()]
    if raw.encoding:
        parts.append(f"encoding {raw.encoding}")
    if raw.delimiter:
        parts.append(f"separated by {jl.read.DELIMITERS[raw.delimiter]}s")
    if raw.sheet:
        parts.append(f"sheet '{raw.sheet}' of {len(raw.sheets)}")
    parts.append(f"header on row {raw.header_row}" if raw.header_row else "no header row")
    if raw.title_rows:
        parts.append(f"{raw.title_rows} title row(s) above it skipped")
    if raw.empty_rows:
        parts.append(f"{raw.empty_rows:,} empty row(s) skipped")
    return ", ".join(parts) + "."


def _emotion_controls(report: jl.LoadReport, digest: str) -> None:
    opts = session.options()
    if "emotion" not in report.mapping:
        st.markdown("**Emotion:** no emotion column mapped.")
        return
    if report.emotion_kind == "scale":
        scale = report.emotion_scale_name or "unknown"
        st.markdown(f"**Emotion:** scores on a **{scale}** scale, turned into valence -1..+1.")
        for note in report.emotion_notes:
            st.caption(note)
        choices = [AUTO, *jl.SCALES]
        key = f"scale_{digest[:12]}"
        st.selectbox(
            "Emotion scale",
            choices,
            key=key,
            index=choices.index(opts.emotion_scale or AUTO),
            on_change=_on_change(
                key, lambda v: setattr(opts, "emotion_scale", None if v == AUTO else v)
            ),
        )
    if report.emotion_labels or report.emotion_unknown:
        st.markdown(
            "**Emotion labels** and their valence (-1 very negative … +1 very positive). "
            "Fill in labels that were not understood."
        )
        table = pd.DataFrame(
            [(k, v) for k, v in report.emotion_labels.items()]
            + [(k, None) for k in report.emotion_unknown],
            columns=["label", "valence"],
        )
        key = f"lexicon_{digest[:12]}"
        edited = st.data_editor(
            table,
            key=key,
            hide_index=True,
            disabled=["label"],
            column_config={
                "valence": st.column_config.NumberColumn(min_value=-1.0, max_value=1.0, step=0.1)
            },
        )
        chosen = {r.label: float(r.valence) for r in edited.itertuples() if pd.notna(r.valence)}
        changed = {k: v for k, v in chosen.items() if report.emotion_labels.get(k) != v}
        if changed and changed != opts.emotion_labels:
            opts.emotion_labels = {**opts.emotion_labels, **changed}
            st.rerun()


def _stage_controls(ds: jl.Dataset, digest: str) -> None:
    opts = session.options()
    st.markdown(f"**Stages** ({ds.stage_model}): " + " → ".join(ds.stages or ["none"]))
    if not ds.stages:
        return
    custom = "Custom order"
    choices = [AUTO, *jl.STAGE_PRESETS, custom]
    current = (
        opts.stages
        if isinstance(opts.stages, str)
        else custom
        if isinstance(opts.stages, list)
        else AUTO
    )
    model_key, order_key = f"stage_model_{digest[:12]}", f"stage_order_{digest[:12]}"

    def apply_model(value):
        opts.stages = None if value == AUTO else list(ds.stages) if value == custom else value

    left, right = st.columns(2, gap="large")
    with left:
        st.selectbox(
            "Stage model",
            choices,
            index=choices.index(current),
            key=model_key,
            on_change=_on_change(model_key, apply_model),
        )
        if current == custom:
            st.multiselect(
                "Stages in journey order (remove them all, then pick them in order)",
                ds.stages,
                default=opts.stages,
                key=order_key,
                on_change=_on_change(order_key, lambda v: setattr(opts, "stages", list(v) or None)),
            )
    with right:
        none = "(none)"
        purchase_choices = list(ds.stages) if ds.purchase_stage else [none, *ds.stages]
        purchase_key = f"purchase_{digest[:12]}"
        st.selectbox(
            "Purchase stage (ends the buyer journey; the customer journey follows)",
            purchase_choices,
            index=purchase_choices.index(ds.purchase_stage or none),
            key=purchase_key,
            on_change=_on_change(
                purchase_key, lambda v: setattr(opts, "purchase_stage", None if v == none else v)
            ),
        )
    after = ds.customer_stages
    st.caption(
        f"Buyer journey: {' → '.join(ds.buyer_stages)}. Customer journey: "
        f"{' → '.join(after) if after else 'none (no stage after the purchase)'}."
    )


def rejected_panel(ds: jl.Dataset) -> None:
    """Every row that was not loaded, with its reason, and a download."""
    rejected = ds.rejected
    if rejected.empty:
        st.success(f"All {ds.n_rows:,} rows were loaded; none rejected.")
        return
    st.warning(
        f"{len(rejected):,} of {ds.report.n_source_rows:,} rows could not be used and are "
        "not in the analysis. Fix them in your file and upload it again."
    )
    st.dataframe(jl.rejection_reasons(ds), hide_index=True)
    st.dataframe(rejected, hide_index=True, height=300)
    st.download_button(
        "Download rejected rows (CSV)",
        rejected.to_csv(index=False).encode(),
        file_name="rejected_rows.csv",
        mime="text/csv",
    )


def quality_panel(ds: jl.Dataset) -> None:
    """Completeness per field, duplicates, and touchpoints over time."""
    stats = jl.summary(ds)
    cols = st.columns(4)
    cols[0].metric("Touchpoints", f"{stats['rows']:,}")
    cols[1].metric("Customers", f"{stats['customers']:,}")
    cols[2].metric("Touchpoints per customer", f"{stats['touchpoints_per_customer']:.1f}")
    cols[3].metric(
        "Duplicate touchpoints",
        f"{jl.duplicate_touchpoints(ds):,}",
        help="Rows repeating another row's customer, time, stage, channel and "
        "touchpoint; often a file exported twice.",
    )
    st.dataframe(
        jl.data_quality(ds),
        hide_index=True,
        column_config={
            "field": "Field",
            "source_column": "From column",
            "filled": st.column_config.NumberColumn("Filled rows", format="localized"),
            "missing": st.column_config.NumberColumn("Missing rows", format="localized"),
            "share_filled": st.column_config.ProgressColumn(
                "Filled", min_value=0, max_value=1, format="percent"
            ),
            "distinct": st.column_config.NumberColumn("Distinct values", format="localized"),
        },
    )
    chart = touchpoints_over_time_chart(touchpoints_over_time(ds), ds.stages)
    st.altair_chart(chart, width="stretch", theme=None)
    chart_downloads(chart, "touchpoints-per-week", ds)


def save_panel(ds: jl.Dataset) -> None:
    """Save the dataset as a named workspace on this server."""
    st.caption(
        "A workspace keeps the loaded touchpoints, the rejected rows and the settings above "
        "(stage model, purchase stage) on this server, so the team can open it from the "
        "sidebar ('Saved'). Uploads that are not saved stay in your session only."
    )
    with st.form("save_workspace"):
        name = st.text_input("Workspace name", value=ds.name.rsplit(".", 1)[0])
        read_only = st.checkbox("Read-only (nobody can overwrite it from the app)")
        submitted = st.form_submit_button("Save workspace", type="primary")
    if submitted:
        try:
            path = session.save_active(name, read_only=read_only)
        except jl.DataError as exc:
            st.error(str(exc))
        else:
            st.success(f"Saved '{name}' ({count(ds.n_rows, 'touchpoint')}) as {path.name}.")
