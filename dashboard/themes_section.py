"""The Emotions page's "What customers say" section: themes in the notes (EN/RU/PL), ranked,
a chart, and the notes of a chosen theme. The numbers come from :mod:`journeylib.themes`;
this module only chooses the words and the widgets."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import journeylib as jl
from dashboard import tables
from dashboard.exports import chart_downloads
from dashboard.sections import section
from journeylib import themes as th
from journeylib.charts.themes import themes_chart
from journeylib.i18n import formats, t
from journeylib.text import escape_markdown

CHART_WIDTH = 680
QUOTES = 30


@st.cache_data(show_spinner=False, max_entries=16)
def _themes(key: str, _ds: jl.Dataset) -> th.ThemeResult:
    return th.find_themes(_ds)


def _columns(lang: str, with_outcome: bool) -> dict[str, tables.Column]:
    out = {
        "theme": tables.text(t("themes.col.theme", lang), pinned=True),
        "label": tables.text(t("themes.col.words", lang), width="large"),
        "customers": tables.integer(t("themes.col.customers", lang)),
        "customer_share": tables.share(t("themes.col.share", lang)),
        "valence_mean": tables.interval(t("themes.col.valence", lang), low="ci_low",
                                        high="ci_high", kind="signed", width="medium"),
        "top_touchpoint": tables.text(t("themes.col.touchpoint", lang)),
        "top_touchpoint_notes": tables.integer(t("themes.col.touchpoint_notes", lang)),
        "top_stage": tables.text(t("themes.col.stage", lang)),
        "languages": tables.text(t("themes.col.languages", lang)),
    }
    if with_outcome:
        out["effect"] = tables.interval(t("themes.col.effect", lang), low="effect_low",
                                        high="effect_high", kind="points", width="medium")
        out["p_value"] = tables.p_value(t("themes.col.p_value", lang))
    return out


def _quotes(notes: pd.DataFrame, lang: str) -> None:
    with st.container(height=360, border=True):
        for row in notes.itertuples(index=False):
            st.markdown(escape_markdown(t("emotions.page.quote", lang, value=str(row.note))))
            where = {"date": formats.date_time(row.timestamp, lang, tables.current_zone()),
                     "touchpoint": row.touchpoint or formats.EMPTY,
                     "stage": row.stage or formats.EMPTY}
            if row.valence is None or row.valence != row.valence:
                st.caption(escape_markdown(t("emotions.page.quote_meta_unrated", lang, **where)))
            else:
                st.caption(escape_markdown(t("emotions.page.quote_meta", lang, **where,
                                             valence=formats.signed(row.valence, 2, lang))))


def _places(result: th.ThemeResult, theme: str, lang: str) -> str:
    """Where the theme is said: its top touchpoints and stages with their note counts, e.g.
    "Said most at: Checkout (52) · Stage: Consideration (52)"."""
    parts = []
    for fld, key in (("touchpoint", "themes.col.touchpoint"), ("stage", "themes.col.stage")):
        rows = result.places[(result.places["theme"] == theme) & (result.places["field"] == fld)]
        if len(rows):
            where = ", ".join(f"{r.value} ({formats.number(r.notes, 0, lang)})"
                              for r in rows.itertuples(index=False))
            parts.append(f"{t(key, lang)}: {where}")
    return " · ".join(parts)


def themes_section(ds: jl.Dataset, lang: str) -> None:
    """The section: what was analysed, a one-line reading, the ranked table, the chart and a
    theme picker with its notes; a sentence when the data has no notes."""
    st.subheader(t("themes.page.title", lang))
    with section("themes"):
        st.caption(t("themes.page.intro", lang))
        with st.spinner(t("themes.page.spinner", lang)):
            result = _themes(ds.key, ds)
        if result.themes.empty:
            st.info(t("themes.page.none", lang))
            return
        info = result.info
        if info["sampled"]:
            st.caption(t("themes.page.sampled", lang, n=info["notes_analysed"],
                         total=info["notes_total"]))
        else:
            st.caption(t("themes.page.analysed", lang, n=info["notes_analysed"]))
        frame = result.themes.assign(
            label=[th.theme_label(result, code) for code in result.themes["theme"]])
        top = frame.iloc[0]
        st.markdown("**" + escape_markdown(t(
            "themes.page.reading", lang, theme=f"{top['theme']} · {top['label']}",
            customers=int(top["customers"]),
            valence=formats.signed(top["valence_mean"], 2, lang))) + "**")
        with_outcome = info["outcome"] is not None
        tables.show(frame, _columns(lang, with_outcome), key="emo_themes")
        if with_outcome:
            st.caption(t("themes.page.association_note", lang))
        else:
            st.caption(t("themes.page.no_outcome", lang))
        chart = themes_chart(frame, width=CHART_WIDTH)
        st.altair_chart(chart, theme=None)
        chart_downloads(chart, "themes", ds)
        names = dict(zip(frame["theme"], frame["label"], strict=True))
        picked = st.selectbox(t("themes.page.pick", lang), list(names), key="emo_theme",
                              format_func=lambda code: f"{code} · {names.get(code, '')}")
        quotes = th.theme_quotes(result, picked or frame["theme"].iloc[0], limit=QUOTES)
        total = int((result.notes["theme"] == picked).sum())
        st.caption(escape_markdown(_places(result, picked, lang)))
        st.caption(t("themes.page.quotes_caption", lang, n=total))
        _quotes(quotes, lang)


def stage_themes(ds: jl.Dataset, lang: str) -> None:
    """The journey map's "What customers say at each stage": in an expander, the theme most
    customers mention at each stage (the same themes as the Emotions page)."""
    with section("themes"), st.expander(t("themes.stage.title", lang)):
        with st.spinner(t("themes.page.spinner", lang)):
            result = _themes(ds.key, ds)
        per_stage = th.top_theme_per_stage(result, ds.stages)
        if per_stage.empty:
            st.info(t("themes.page.none", lang))
            return
        per_stage = per_stage.assign(
            label=[th.theme_label(result, code) for code in per_stage["theme"]])
        tables.show(per_stage, {
            "stage": tables.text(t("themes.col.stage", lang), pinned=True),
            "theme": tables.text(t("themes.col.theme", lang)),
            "label": tables.text(t("themes.col.words", lang), width="large"),
            "customers": tables.integer(t("themes.col.customers", lang)),
            "notes": tables.integer(t("themes.stage.notes", lang)),
            "stage_notes": tables.integer(t("themes.stage.stage_notes", lang)),
            "valence_mean": tables.signed(t("themes.stage.valence", lang)),
        }, key="jm_themes")
        st.caption(t("themes.stage.caption", lang))
