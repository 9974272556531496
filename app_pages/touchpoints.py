"""Touchpoints page: the scorecard, with KPI, target and owner editable per touchpoint."""


import pandas as pd
import streamlit as st

import journeylib as jl
from dashboard import language, session, tables
from dashboard.sections import section
from journeylib import touchpoints as tp
from journeylib.i18n import formats, label, t
from journeylib.text import escape_markdown

EDITABLE = ("kpi", "target", "owner")
# Status as words on a colour (colour alone, or an emoji alone, fails someone: a grey box on a
# machine without an emoji font, or a colour-blind reader).
STATUS_COLOURS = {"on target": "#d7f0dd", "off target": "#f9d6d5", "no target": "#eef0f3",
                  "no data": "#e1e4e8"}
# Editable columns first, right after the pinned name, so they are on screen without scrolling.
ORDER = ("touchpoint", "kpi", "kpi_value", "target", "owner", "status", "stage", "customers",
         "reach", "valence", "share_negative", "conversion_after", "channel_mix")
SHARE_KPIS = {"share_negative", "reach", "conversion_after"}


def _kpi_text(value: float, kpi: str, lang: str) -> str | None:
    if pd.isna(value):
        return None
    return formats.share(value, lang) if kpi in SHARE_KPIS else formats.signed(value, 2, lang)


def shown_scorecard(card: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The scorecard as the editor shows it: every number written in ``lang``, targets as text
    the user edits in their own format (``0,3``), status in words."""
    spec = {
        "stage": tables.text(""), "touchpoint": tables.text(""),
        "channel_mix": tables.text(""), "customers": tables.integer(""),
        "reach": tables.share(""), "valence": tables.signed(""),
        "share_negative": tables.share(""), "conversion_after": tables.share(""),
        "owner": tables.text(""),
    }
    out = tables.display(card, spec, lang=lang)
    out["kpi"] = card["kpi"].tolist()
    out["kpi_value"] = [_kpi_text(v, k, lang) for v, k in zip(card["kpi_value"], card["kpi"],
                                                              strict=True)]
    out["target"] = [_kpi_text(v, k, lang) for v, k in zip(card["target"], card["kpi"],
                                                           strict=True)]
    out["status"] = [label(s, lang) for s in card["status"]]
    return out[[c for c in ORDER if c in out.columns]]


def _styled(shown: pd.DataFrame, card: pd.DataFrame):
    colours = [STATUS_COLOURS.get(s, "") for s in card["status"]]
    return shown.style.apply(
        lambda column: [f"background-color: {c}; color: #1f2328" if c else "" for c in colours],
        subset=["status"],
    )


def _columns() -> dict:
    col = st.column_config
    edit = " ✎"
    lang = language.current()  # bound now: the editor may format options outside the run
    right = {"alignment": "right"}
    return {
        "stage": col.TextColumn(t("touchpoints.col.stage")),
        "touchpoint": col.TextColumn(t("touchpoints.col.touchpoint"), pinned=True),
        "channel_mix": col.TextColumn(t("touchpoints.col.channels"), width="medium"),
        "customers": col.TextColumn(t("touchpoints.col.customers"), **right),
        "reach": col.TextColumn(t("touchpoints.col.reach"), **right),
        "valence": col.TextColumn(t("touchpoints.col.valence"), **right),
        "share_negative": col.TextColumn(t("touchpoints.col.negative"), **right),
        "conversion_after": col.TextColumn(t("touchpoints.col.buy_after"), **right),
        "kpi": col.SelectboxColumn(t("touchpoints.col.kpi") + edit, options=list(tp.KPIS),
                                   width="medium", required=True,
                                   help=t("touchpoints.col.kpi_help"),
                                   format_func=lambda k: t(f"touchpoints.kpi_name.{k}", lang)),
        "kpi_value": col.TextColumn(t("touchpoints.col.kpi_now"), **right),
        "target": col.TextColumn(t("touchpoints.col.target") + edit, **right,
                                 help=t("touchpoints.col.target_help")),
        "owner": col.TextColumn(t("touchpoints.col.owner") + edit),
        "status": col.TextColumn(t("touchpoints.col.status")),
    }


def _apply_edits(card: pd.DataFrame) -> None:
    frame = card[tp.TARGET_COLUMNS].copy().astype({"target": object})
    for row, changes in st.session_state["tp_editor"]["edited_rows"].items():
        for column, value in changes.items():
            if column in EDITABLE:
                frame.loc[int(row), column] = value
    try:
        session.set_scorecard_targets(tp.clean_targets(frame))
        st.session_state["tp_edit_error"] = None
    except jl.DataError as exc:
        st.session_state["tp_edit_error"] = str(exc)


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
        shown = shown_scorecard(card, language.current())
        st.data_editor(
            _styled(shown, card), key="tp_editor", hide_index=True, column_config=_columns(),
            width="stretch", disabled=[c for c in shown.columns if c not in EDITABLE],
            on_change=_apply_edits, args=(card,), num_rows="fixed", placeholder=formats.EMPTY,
        )
        if st.session_state.get("tp_edit_error"):
            st.error(escape_markdown(st.session_state["tp_edit_error"]))
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
