"""Data page: upload a file, check how it was understood, fix the mapping, see rejected rows."""

import streamlit as st

import journeylib as jl
from dashboard import data_panels, session
from dashboard.text import count

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

file = session.active_file()
if file is None:
    st.info("Choose a file above, or switch the data source to the sample in the sidebar.")
    st.stop()

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

st.subheader(file["name"])
if error:
    st.error(f"**This file cannot be used yet.** {error}")
else:
    loaded, rejected = count(dataset.n_rows, "touchpoint"), count(dataset.n_rejected, "row")
    st.caption(f"{loaded} loaded, {rejected} rejected.")

tabs = st.tabs(
    [
        "Preview",
        "Column mapping",
        "How it was read",
        f"Rejected rows ({dataset.n_rejected:,})" if dataset else "Rejected rows",
        "Data quality",
    ]
)
with tabs[1]:
    data_panels.mapping_panel(raw, file["digest"])
with tabs[2]:
    data_panels.reading_panel(dataset, raw, file["digest"])
if dataset is None:
    with tabs[0]:
        st.caption("The file as read (first 100 rows), before mapping:")
        st.dataframe(raw.frame.head(100))
    st.stop()
with tabs[0]:
    st.caption(
        "The first 100 touchpoints as loaded (timestamps in UTC; valence is the emotion "
        "on a -1..+1 scale)."
    )
    st.dataframe(dataset.table.limit(100).to_pandas(), hide_index=True, key="preview")
with tabs[3]:
    data_panels.rejected_panel(dataset)
with tabs[4]:
    data_panels.quality_panel(dataset)
