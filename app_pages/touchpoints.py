"""Touchpoints page: the scorecard, with KPI, target and owner editable per touchpoint."""


import pandas as pd
import streamlit as st

import journeylib as jl
from dashboard import session
from journeylib import touchpoints as tp

STATUS_LABELS = {"on target": "🟢 on target", "off target": "🔴 off target",
                 "no target": "⚪ no target", "no data": "⚫ no data"}
EDITABLE = ("kpi", "target", "owner")
COLUMNS = {
    "stage": st.column_config.TextColumn("Stage"),
    "touchpoint": st.column_config.TextColumn("Touchpoint"),
    "channel_mix": st.column_config.TextColumn("Channels"),
    "customers": st.column_config.NumberColumn("Customers", format="%d"),
    "reach": st.column_config.ProgressColumn("Reach", format="percent", min_value=0,
                                             max_value=1),
    "valence": st.column_config.NumberColumn("Valence", format="%+.2f"),
    "share_negative": st.column_config.NumberColumn("Negative", format="percent"),
    "conversion_after": st.column_config.NumberColumn("Buy after", format="percent"),
    "kpi": st.column_config.SelectboxColumn("KPI ✎", options=list(tp.KPIS), required=True,
                                            help="The measure this touchpoint is steered by."),
    "kpi_value": st.column_config.NumberColumn("KPI now", format="%.2f"),
    "target": st.column_config.NumberColumn("Target ✎", format="%.2f",
                                            help="On the KPI's scale (0..1 or -1..1)."),
    "owner": st.column_config.TextColumn("Owner ✎"),
    "status": st.column_config.TextColumn("Status"),
}


def _apply_edits(card: pd.DataFrame) -> None:
    frame = card[tp.TARGET_COLUMNS].copy()
    for row, changes in st.session_state["tp_editor"]["edited_rows"].items():
        for column, value in changes.items():
            if column in EDITABLE:
                frame.loc[int(row), column] = value
    session.set_scorecard_targets(tp.clean_targets(frame))


def _upload() -> None:
    upload = st.session_state.get("tp_upload")
    if upload is None:
        return
    try:
        session.set_scorecard_targets(tp.targets_from_excel(upload.getvalue()))
        st.session_state["tp_upload_error"] = None
    except jl.DataError as exc:
        st.session_state["tp_upload_error"] = f"**{upload.name}**: {exc}"


@st.cache_data(show_spinner="Scoring touchpoints…", max_entries=16)
def _scorecard(key: str, targets: pd.DataFrame | None, _ds) -> pd.DataFrame:
    return tp.scorecard(_ds, targets)


st.title("Touchpoints")
st.caption(
    "Every touchpoint with its reach, feeling and what customers do after it. Set a KPI, a "
    "target and an owner per touchpoint in the table (columns marked ✎); the status compares "
    "the KPI with its target. Targets stay in your session, are saved with a workspace, and "
    "round-trip through Excel."
)
ds = session.require_dataset()
try:
    card = _scorecard(ds.key, session.scorecard_targets(), ds)
except jl.DataError as exc:
    st.warning(str(exc))
    st.stop()
st.markdown(f"**{tp.describe_scorecard(card)}**")
shown = card.assign(status=card["status"].map(STATUS_LABELS))
st.data_editor(
    shown, key="tp_editor", hide_index=True, column_config=COLUMNS, width="stretch",
    disabled=[c for c in shown.columns if c not in EDITABLE], on_change=_apply_edits,
    args=(card,), num_rows="fixed",
)
with st.expander("What the KPIs measure"):
    for name, (what, higher) in tp.KPIS.items():
        st.markdown(f"- **{name}**: {what}; {'higher' if higher else 'lower'} is better.")

left, right = st.columns(2)
current = session.scorecard_targets()
current = card[tp.TARGET_COLUMNS] if current is None else current
left.download_button("Download targets (Excel)", tp.targets_to_excel(current),
                     file_name="touchpoint-targets.xlsx", key="tp_download",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
right.file_uploader("Upload targets (Excel)", type=["xlsx"], key="tp_upload", on_change=_upload,
                    help="A workbook like the download: columns touchpoint, kpi, target, "
                    "owner on a sheet named Targets.")
if st.session_state.get("tp_upload_error"):
    st.error(st.session_state["tp_upload_error"])
