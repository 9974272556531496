"""Data page: upload a file, check how it was understood, fix the mapping, see rejected rows."""

import streamlit as st

import journeylib as jl
from dashboard import data_panels, session
from dashboard.text import count
from journeylib.paths_table import looks_like_path_table

FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods", "parquet"]

st.title("Data")
st.caption(
    "Upload touchpoints: one row per interaction, with who (customer id), when "
    "(timestamp), and the stage or touchpoint. CSV, Excel or Parquet; Russian and Polish "
    "exports (';' separators, decimal commas, dd.mm.yyyy dates, cp1251) are understood."
)


def _take_upload() -> None:
    uploaded = st.session_state.get("uploader")
    if uploaded is not None:
        session.set_upload(uploaded.name, uploaded.getvalue())


st.file_uploader("Upload touchpoint data", type=FILE_TYPES, key="uploader", on_change=_take_upload)

file, raw = session.active_file(), None
if file is None and session.source() != "workspace":
    st.info("Choose a file above, or switch the data source to the sample in the sidebar.")
    st.stop()
if file is not None:
    try:
        raw = session.active_raw()
    except jl.DataError as exc:
        st.error(f"**{file['name']} cannot be read.** {exc}")
        st.stop()

dataset, error = None, None
try:
    dataset = session.active_dataset()
except jl.DataError as exc:
    error = str(exc)
if dataset is None and raw is None:
    st.info(error or "Choose a saved workspace in the sidebar.")
    st.stop()

st.subheader(dataset.name if dataset is not None else file["name"])
if error and raw is not None and looks_like_path_table(raw.frame):
    st.info("This file is a conversion-path table (one row per path with its conversions), not "
            "touchpoints. Upload it on the Attribution page, under *Use a conversion-path "
            "table*, to credit its channels.")
    st.page_link("app_pages/attribution.py", label="Open the Attribution page",
                 icon=":material/ads_click:")
elif error:
    st.error(f"**This file cannot be used yet.** {error}")
else:
    loaded, rejected = count(dataset.n_rows, "touchpoint"), count(dataset.n_rejected, "row")
    st.caption(f"{loaded} loaded, {rejected} rejected.")

names = [
    "Preview",
    "Column mapping",
    "How it was read",
    f"Rejected rows ({dataset.n_rejected:,})" if dataset else "Rejected rows",
    "Data quality",
    "Save",
]
if raw is None:  # a saved workspace: the file's layout is no longer at hand
    names = [n for n in names if n not in ("Column mapping", "How it was read")]
tabs = dict(zip(names, st.tabs(names), strict=True))
if raw is not None:
    with tabs["Column mapping"]:
        data_panels.mapping_panel(raw, file["digest"])
    with tabs["How it was read"]:
        data_panels.reading_panel(dataset, raw, file["digest"])
if dataset is None:
    with tabs["Preview"]:
        st.caption("The file as read (first 100 rows), before mapping:")
        st.dataframe(raw.frame.head(100))
    st.stop()
with tabs["Preview"]:
    st.caption(
        "The first 100 touchpoints as loaded (timestamps in UTC; valence is the emotion "
        "on a -1..+1 scale)."
    )
    st.dataframe(dataset.table.limit(100).to_pandas(), hide_index=True, key="preview")
with tabs[names[-3]]:
    data_panels.rejected_panel(dataset)
with tabs["Data quality"]:
    data_panels.quality_panel(dataset)
with tabs["Save"]:
    data_panels.save_panel(dataset)
