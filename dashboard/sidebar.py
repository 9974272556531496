"""The sidebar shown on every page: data-source switch and a card for the active dataset."""

from __future__ import annotations

import hashlib

import streamlit as st

import journeylib as jl
from dashboard import connections, exports, language, links, session
from journeylib import i18n, workspace
from journeylib.i18n import date, number, t
from journeylib.report import analysis_sheets
from journeylib.text import escape_markdown

SOURCES = ("sample", "upload", "workspace")


def render() -> jl.Dataset | None:
    """Draw the sidebar; returns the active dataset (None when there is none yet)."""
    with st.sidebar:
        has_upload = "upload" in st.session_state
        # The language is bound now: AppTest calls format_func outside the script run.
        lang = language.current()
        st.radio(
            t("sidebar.source"),
            options=SOURCES + (("connection",) if connections.configured() else ()),
            format_func=lambda code: t(f"sidebar.sources.{code}", lang),
            key="source",
            horizontal=True,
            help=t("sidebar.source_help"),
        )
        if st.session_state.get("source") == "workspace" and not _choose_workspace():
            return None
        if st.session_state.get("source") == "upload" and not has_upload:
            st.info(t("sidebar.no_file"))
            return None
        try:
            dataset = session.active_dataset()
        except jl.DataError as exc:
            st.error(t("sidebar.unusable", error=escape_markdown(exc)))
            return None
        if dataset is None:
            return None
        stats = session.per_dataset(dataset, "summary", jl.summary)
        st.markdown(f"**{escape_markdown(dataset.name)}**")
        left, right = st.columns(2)
        left.metric(t("sidebar.touchpoints"), number(stats["rows"]))
        right.metric(t("sidebar.customers"), number(stats["customers"]))
        st.caption(t("sidebar.span", first=date(stats["first"]), last=date(stats["last"])))
        if dataset.n_rejected:
            st.warning(t("sidebar.rejected", n=dataset.n_rejected))
        else:
            st.caption(t("sidebar.none_rejected"))
        _filters(dataset)
    return dataset


def _choose_workspace() -> bool:
    """The workspace chooser; False when there is none to open. Damaged files and names two
    files share are named; a name that no workspace has is replaced by the newest workspace,
    with a sentence when the name came from a link (kept until another workspace is chosen)."""
    saved = workspace.list_workspaces()
    damaged = saved[saved["damaged"]]
    if not damaged.empty:
        st.warning(t("workspaces.damaged_list", n=len(damaged),
                     files=", ".join(links.quoted(f) for f in damaged["file"])))
    usable = saved[~saved["damaged"]]
    for row in usable[usable["duplicate"]].itertuples():
        st.caption(t("workspaces.duplicate", name=links.quoted(row.name),
                     day=date(row.saved_at.date()), file=links.quoted(row.file)))
    usable = usable[~usable["duplicate"]]
    names = list(usable["name"])
    wanted = st.session_state.get("workspace_name")
    if wanted is not None and wanted not in names:
        same = [n for n in names if workspace.name_key(n) == workspace.name_key(wanted)]
        used = same[0] if same else names[0] if names else None
        if not same and wanted == st.session_state.get("_link_workspace"):
            st.session_state["_workspace_unknown"] = (wanted, used)
        st.session_state["workspace_name"] = used
    unknown = st.session_state.get("_workspace_unknown")
    if unknown is not None and unknown[1] == st.session_state.get("workspace_name"):
        if unknown[1] is None:
            st.warning(t("workspaces.unknown_link_none", name=links.quoted(unknown[0])))
        else:
            st.warning(t("workspaces.unknown_link", name=links.quoted(unknown[0]),
                         used=links.quoted(unknown[1])))
    else:
        st.session_state.pop("_workspace_unknown", None)
    if not names:
        st.info(t("sidebar.no_workspaces"))
        return False
    locks = dict(zip(usable["name"], usable["read_only"], strict=True))
    st.selectbox(t("sidebar.workspace"), names, key="workspace_name",
                 format_func=lambda n: f"{n} 🔒" if locks.get(n) else n)
    return True


def share() -> None:
    """The link to the current view, with a copy button (draw after the page has run)."""
    with st.sidebar.expander(t("sidebar.share")):
        st.code(links.share_link(), language=None, wrap_lines=True)
        if session.source() == "upload":
            st.caption(t("sidebar.share_upload"))


def report() -> None:
    """The Excel report of every analysis for the filtered data (draw after the page ran).

    One click: the report is computed when the button is pressed, in the thread Streamlit runs
    deferred downloads in, so it reads the data through its own cursor (a DuckDB connection
    must not be shared between threads) and writes in the language of the session. When it
    cannot be made, the sidebar says so (and why) after the click.
    """
    try:
        dataset = session.active_dataset()
    except jl.DataError:
        return
    if dataset is None:
        return
    fresh_dataset, lang = session.for_another_thread(), language.current()
    targets = session.scorecard_targets()

    def build() -> bytes:
        with i18n.language(lang):
            ds = fresh_dataset()
            sheets = analysis_sheets(ds, targets)
            return jl.excel_report(sheets, title=ds.name, filters=i18n.filters_text(ds.filters))

    with st.sidebar:
        exports.failure_notice("report_download", t("exports.what.report"))
    with st.sidebar.expander(t("sidebar.report")):
        st.caption(t("sidebar.report_caption"))
        st.download_button(
            t("sidebar.report_download"), exports.reported(build, "report_download"),
            file_name="journey-report.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="report_download", type="primary", icon=":material/download:",
            on_click="ignore",
        )


def _filters(dataset: jl.Dataset) -> None:
    """Filter widgets; the chosen filters apply to every analysis page."""
    options = session.filter_options(dataset)
    if st.session_state.get("filters_for") == links.LINK_FILTERS:
        # Filters from a shared link: keep the values this dataset has.
        st.session_state["filters_for"] = dataset.key
        session.set_filters(links.fit_filters(session.filters(), options))
    elif st.session_state.get("filters_for") != dataset.key:
        st.session_state["filters_for"] = dataset.key
        session.set_filters(jl.Filters())
    current = session.filters()
    suffix = hashlib.sha256(dataset.key.encode()).hexdigest()[:10]
    title = t("sidebar.filters_on") if current.active else t("sidebar.filters")
    with st.expander(title, expanded=current.active):
        first, last = options["first"], options["last"]
        dates = st.date_input(
            t("sidebar.dates"),
            format=t("sidebar.date_input_format"),
            value=(current.start or first, current.end or last),
            min_value=first,
            max_value=last,
            key=f"filter_dates_{suffix}",
        )
        chosen = {}
        for field in ("segments", "channels", "stages"):
            if options[field]:
                chosen[field] = tuple(
                    st.multiselect(
                        t(f"sidebar.filter_fields.{field}"),
                        options[field],
                        default=list(getattr(current, field)),
                        key=f"filter_{field}_{suffix}",
                        placeholder=t("sidebar.all"),
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
            st.caption(t("sidebar.filtered", filters=escape_markdown(i18n.filters_text(wanted))))
