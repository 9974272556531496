"""Data page: upload a file, check how it was understood, fix the mapping, see rejected rows."""

import streamlit as st

import journeylib as jl
from dashboard import data_panels, language, server_files, session, tables, timezone_panel
from dashboard.cx_sections import support_note
from journeylib import journeys
from journeylib.i18n import formats, t
from journeylib.i18n.formats import EMPTY
from journeylib.paths_table import looks_like_path_table
from journeylib.text import escape_markdown


def _preview_columns(preview) -> dict:
    """The loaded rows as the language writes them: local times, signed valence, amounts."""
    headers = data_panels.table_headers(list(preview.columns))
    out = {}
    for name in preview.columns:
        header = headers.get(name)  # a title, or a column setting that carries one
        title = (header.get("label") if isinstance(header, dict) else header) or str(name)
        kind = preview[name].dtype.kind
        if kind == "M":
            out[name] = tables.moment(title)
        elif name == "valence":
            out[name] = tables.signed(title)
        elif name == "revenue":
            out[name] = tables.money(title, getattr(session.active_dataset(), "currency", None))
        elif kind == "b":
            out[name] = tables.flag(title)
        elif kind in "iu" and name != "source_row":
            out[name] = tables.integer(title)
        elif kind == "f":
            out[name] = tables.number(title)
        else:
            out[name] = tables.text(title)
    return out

FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods", "parquet", "gz", "zip"]
TABS = ("preview", "mapping", "reading", "rejected", "quality", "save")
AUTO = "auto"

st.title(t("data.title"))
st.caption(t("data.intro"))


def _conversion_rule(dataset: jl.Dataset) -> None:
    """Which rows count as conversions on every page (the full sentence, once, in the caption),
    and a choice of another rule whose options are short names (not the sentence again)."""
    rules = journeys.conversion_rules(dataset)
    in_force = journeys.conversion_rule(session.with_conversion_rule(dataset))
    st.caption(t("data.conversion.in_force", rule=t(f"data.conversion.rule.{in_force}")))
    if len(rules) < 2:
        return
    lang = language.current()
    default = rules[0]
    stored = st.session_state.get(session.CONVERSION_RULE)
    options = [AUTO, *rules]

    def keep() -> None:
        chosen = st.session_state["data_conversion_rule"]
        if chosen == AUTO:
            st.session_state.pop(session.CONVERSION_RULE, None)
        else:
            st.session_state[session.CONVERSION_RULE] = chosen

    st.selectbox(
        t("data.conversion.choose"), options,
        index=options.index(stored) if stored in rules else 0,
        format_func=lambda code: (
            t("data.conversion.auto", lang, rule=t(f"data.conversion.option.{default}", lang))
            if code == AUTO else t(f"data.conversion.option.{code}", lang)
        ),
        key="data_conversion_rule", on_change=keep, help=t("data.conversion.help"),
    )


def _take_upload() -> None:
    uploaded = st.session_state.get("uploader")
    if uploaded is not None:
        uploaded.seek(0)
        session.set_upload(uploaded.name, uploaded)


st.file_uploader(
    t("data.upload"), type=FILE_TYPES, key="uploader", on_change=_take_upload,
    help=t("uploader.help", size=formats.number(int(st.get_option("server.maxUploadSize")), 0)),
)
server_files.server_file_picker()

data_panels.connection_panel()
file, raw = session.active_file(), None
if file is None and session.source() not in ("workspace", "connection"):
    st.info(t("data.choose_file"))
    st.stop()
if file is not None:
    try:
        raw = session.active_raw()
    except jl.DataError as exc:
        st.error(t("data.unreadable", name=escape_markdown(file["name"]),
                   error=escape_markdown(exc.words())))
        st.stop()
    data_panels.member_picker(raw, file["digest"])

dataset, error = None, None
try:
    dataset = session.active_dataset()
except jl.DataError as exc:
    error = str(exc)
if dataset is None and raw is None:
    st.info(escape_markdown(error) or t("data.choose_workspace"))
    st.stop()

st.subheader(escape_markdown(dataset.name if dataset is not None else file["name"]))
if error and raw is not None and looks_like_path_table(raw.frame):
    st.info(t("data.path_table"))
    st.page_link(
        page="app_pages/attribution.py", label=t("data.open_attribution"),
        icon=":material/ads_click:",
    )
elif error:
    st.error(t("data.unusable", error=escape_markdown(error)))
else:
    st.caption(
        t(
            "data.loaded",
            touchpoints=t("data.n_touchpoints", n=dataset.n_rows),
            rejected=t("data.n_rows", n=dataset.n_rejected),
        )
    )
    _conversion_rule(dataset)
    support_note(dataset, language.current())
    timezone_panel.timezone_picker(dataset)

names = list(TABS)
if raw is None:  # a saved workspace: the file's layout is no longer at hand
    names = [n for n in names if n not in ("mapping", "reading")]
titles = [
    t("data.tabs.rejected_count", count=dataset.n_rejected)
    if name == "rejected" and dataset
    else t(f"data.tabs.{name}")
    for name in names
]
tabs = dict(zip(names, st.tabs(titles), strict=True))
if raw is not None:
    with tabs["mapping"]:
        data_panels.mapping_panel(raw, file["digest"])
    with tabs["reading"]:
        data_panels.reading_panel(dataset, raw, file["digest"])
if dataset is None:
    with tabs["preview"]:
        st.caption(t("data.preview.raw"))
        st.dataframe(raw.frame.head(100), placeholder=EMPTY)
    st.stop()
with tabs["preview"]:
    st.caption(t("data.preview.loaded"))
    preview = data_panels.preview_rows(dataset)
    tables.show(preview, _preview_columns(preview), key="preview", keep_others=True)
with tabs["rejected"]:
    data_panels.rejected_panel(dataset)
with tabs["quality"]:
    data_panels.quality_panel(dataset)
with tabs["save"]:
    data_panels.save_panel(dataset)
