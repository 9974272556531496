"""Touchpoints page: the scorecard, with KPI, target and owner editable per touchpoint."""


import pandas as pd
import streamlit as st

import journeylib as jl
from dashboard import language, session
from dashboard.sections import section
from journeylib import touchpoints as tp
from journeylib.i18n import label, t
from journeylib.text import escape_markdown

STATUS_ICONS = {"on target": "🟢", "off target": "🔴", "no target": "⚪", "no data": "⚫"}
EDITABLE = ("kpi", "target", "owner")


def _columns() -> dict:
    col = st.column_config
    edit = " ✎"
    lang = language.current()  # bound now: the editor may format options outside the run
    return {
        "stage": col.TextColumn(t("touchpoints.col.stage")),
        "touchpoint": col.TextColumn(t("touchpoints.col.touchpoint")),
        "channel_mix": col.TextColumn(t("touchpoints.col.channels")),
        "customers": col.NumberColumn(t("touchpoints.col.customers"), format="localized"),
        "reach": col.ProgressColumn(t("touchpoints.col.reach"), format="percent", min_value=0,
                                    max_value=1),
        "valence": col.NumberColumn(t("touchpoints.col.valence"), format="%+.2f"),
        "share_negative": col.NumberColumn(t("touchpoints.col.negative"), format="percent"),
        "conversion_after": col.NumberColumn(t("touchpoints.col.buy_after"), format="percent"),
        "kpi": col.SelectboxColumn(t("touchpoints.col.kpi") + edit, options=list(tp.KPIS),
                                   required=True, help=t("touchpoints.col.kpi_help"),
                                   format_func=lambda k: t(f"touchpoints.kpi_name.{k}", lang)),
        "kpi_value": col.NumberColumn(t("touchpoints.col.kpi_now"), format="%.2f"),
        "target": col.NumberColumn(t("touchpoints.col.target") + edit, format="%.2f",
                                   help=t("touchpoints.col.target_help")),
        "owner": col.TextColumn(t("touchpoints.col.owner") + edit),
        "status": col.TextColumn(t("touchpoints.col.status")),
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


@st.cache_data(show_spinner=False, max_entries=16)
def _scorecard(key: str, targets: pd.DataFrame | None, lang: str, _ds) -> pd.DataFrame:
    # lang: the channel mix is text with percentages written the language's way.
    return tp.scorecard(_ds, targets)


st.title(t("touchpoints.page.title"))
st.caption(t("touchpoints.page.intro"))
ds = session.require_dataset()
card = None
with section("scorecard"):
    with st.spinner(t("touchpoints.page.spinner")):
        card = _scorecard(ds.key, session.scorecard_targets(), language.current(), ds)
    st.markdown(f"**{escape_markdown(tp.describe_scorecard(card))}**")
    if card.empty:
        st.info(t("touchpoints.page.no_touchpoints"))
    else:
        shown = card.assign(status=[f"{STATUS_ICONS[s]} {label(s)}" for s in card["status"]])
        st.data_editor(
            shown, key="tp_editor", hide_index=True, column_config=_columns(), width="stretch",
            disabled=[c for c in shown.columns if c not in EDITABLE], on_change=_apply_edits,
            args=(card,), num_rows="fixed",
        )
with st.expander(t("touchpoints.page.kpis")):
    for name, (_, higher) in tp.KPIS.items():
        st.markdown("- " + t("touchpoints.page.kpi_line", name=t(f"touchpoints.kpi_name.{name}"),
                             what=t(f"touchpoints.kpi.{name}"),
                             better=t("touchpoints.higher" if higher else "touchpoints.lower")))

with section("targets"):
    left, right = st.columns(2)
    current = session.scorecard_targets()
    if current is None:
        current = card[tp.TARGET_COLUMNS] if card is not None else tp.default_targets([])
    left.download_button(t("touchpoints.page.download"), tp.targets_to_excel(current),
                         file_name="touchpoint-targets.xlsx", key="tp_download",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    right.file_uploader(t("touchpoints.page.upload"), type=["xlsx"], key="tp_upload",
                        on_change=_upload, help=t("touchpoints.page.upload_help"))
    if st.session_state.get("tp_upload_error"):
        st.error(escape_markdown(st.session_state["tp_upload_error"]))
