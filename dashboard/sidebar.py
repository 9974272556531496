"""The sidebar shown on every page: data-source switch and a card for the active dataset."""

from __future__ import annotations

import dataclasses
import hashlib

import streamlit as st

import journeylib as jl
from dashboard import links, session
from dashboard.text import count
from journeylib import workspace
from journeylib.report import analysis_sheets


def render() -> jl.Dataset | None:
    """Draw the sidebar; returns the active dataset (None when there is none yet)."""
    with st.sidebar:
        has_upload = "upload" in st.session_state
        labels = {"sample": "Sample data", "upload": "My file", "workspace": "Saved"}
        st.radio(
            "Data source",
            options=list(labels),
            format_func=labels.get,
            key="source",
            horizontal=True,
            help="The sample is a generated shop with known effects; 'My file' is the last "
            "file you uploaded on the Data page; 'Saved' opens a workspace saved on this server.",
        )
        if st.session_state.get("source") == "workspace":
            saved = workspace.list_workspaces()
            if saved.empty:
                st.info("No saved workspaces yet: save one from the Data page.")
                return None
            st.selectbox(
                "Workspace",
                list(saved["name"]),
                key="workspace_name",
                format_func=lambda n: (
                    f"{n} 🔒" if saved.set_index("name").at[n, "read_only"] else n
                ),
            )
        if st.session_state.get("source") == "upload" and not has_upload:
            st.info("No file yet: upload one on the Data page.")
            return None
        try:
            dataset = session.active_dataset()
        except jl.DataError as exc:
            st.error(f"This file cannot be used yet: {exc}")
            return None
        stats = jl.summary(dataset)
        st.markdown(f"**{dataset.name}**")
        left, right = st.columns(2)
        left.metric("Touchpoints", f"{stats['rows']:,}")
        right.metric("Customers", f"{stats['customers']:,}")
        st.caption(f"{stats['first']:%d %b %Y} – {stats['last']:%d %b %Y} (UTC)")
        if dataset.n_rejected:
            st.warning(f"{count(dataset.n_rejected, 'row')} rejected — see the Data page.")
        else:
            st.caption("No rows rejected.")
        _filters(dataset)
    return dataset


def share() -> None:
    """The link to the current view, with a copy button (draw after the page has run)."""
    with st.sidebar.expander("Share this view"):
        st.code(links.share_link(), language=None, wrap_lines=True)
        if session.source() == "upload":
            st.caption(
                "Uploaded files stay in your session: the link opens the sample. Save a "
                "workspace on the Data page to share your data."
            )


def report() -> None:
    """The Excel report of every analysis for the filtered data (draw after the page ran)."""
    try:
        dataset = session.active_dataset()
    except jl.DataError:
        return
    if dataset is None:
        return
    ds = jl.apply_filters(dataset, session.filters())
    with st.sidebar.expander("Excel report"):
        st.caption("One sheet per analysis: funnel, attribution, emotion curve, moments of "
                   "truth, scorecard and data quality, with the active filters on every sheet.")
        if st.button("Prepare the report", key="report_prepare"):
            with st.spinner("Computing every analysis…"):
                sheets = analysis_sheets(ds, session.scorecard_targets())
                data = jl.excel_report(sheets, title=ds.name, filters=ds.filters)
            st.session_state["report_file"] = (ds.key, data)
        prepared = st.session_state.get("report_file")
        if prepared is not None and prepared[0] == ds.key:
            st.download_button(
                "Download the report (.xlsx)", prepared[1], file_name="journey-report.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key="report_download", type="primary",
            )


def _filters(dataset: jl.Dataset) -> None:
    """Filter widgets; the chosen filters apply to every analysis page."""
    options = session.filter_options(dataset)
    if st.session_state.get("filters_for") == links.LINK_FILTERS:
        # Filters from a shared link: keep the values this dataset has.
        st.session_state["filters_for"] = dataset.key
        linked = session.filters()
        session.set_filters(
            dataclasses.replace(
                linked,
                **{
                    field: tuple(v for v in getattr(linked, field) if v in options[field])
                    for field in ("segments", "channels", "stages")
                },
            )
        )
    elif st.session_state.get("filters_for") != dataset.key:
        st.session_state["filters_for"] = dataset.key
        session.set_filters(jl.Filters())
    current = session.filters()
    suffix = hashlib.sha256(dataset.key.encode()).hexdigest()[:10]
    with st.expander("Filters" + (" (on)" if current.active else ""), expanded=current.active):
        first, last = options["first"], options["last"]
        dates = st.date_input(
            "Dates (UTC)",
            value=(current.start or first, current.end or last),
            min_value=first,
            max_value=last,
            key=f"filter_dates_{suffix}",
        )
        chosen = {}
        for field, label in (
            ("segments", "Segments"),
            ("channels", "Channels"),
            ("stages", "Stages"),
        ):
            if options[field]:
                chosen[field] = tuple(
                    st.multiselect(
                        label,
                        options[field],
                        default=list(getattr(current, field)),
                        key=f"filter_{field}_{suffix}",
                        placeholder="All",
                    )
                )
        start, end = (*dates, None)[:2] if isinstance(dates, tuple) else (dates, None)
        wanted = jl.Filters(
            start=start if start and start > first else None,
            end=end if end and end < last else None,
            **chosen,
        )
        if wanted != current:
            session.set_filters(wanted)
        if wanted.active:
            st.caption(f"Analyses show only: {jl.describe_filters(wanted)}.")
