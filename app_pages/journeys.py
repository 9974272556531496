"""Journeys page: how customers move between stages, and the most common paths."""

import streamlit as st

from dashboard import links, normative_section, session, tables
from dashboard.exports import chart_downloads
from dashboard.sections import section
from journeylib import paths
from journeylib.charts.paths import transitions_heatmap
from journeylib.i18n import t
from journeylib.text import escape_markdown


def _levels() -> dict[str, str]:
    return {
        "stage": t("journeys.page.level_stage"),
        "touchpoint": t("journeys.page.level_touchpoint"),
        "channel": t("journeys.page.level_channel"),
    }


@st.cache_data(show_spinner=False, max_entries=16)
def _transitions(key: str, _ds):
    return paths.stage_transitions(_ds)


@st.cache_data(show_spinner=False, max_entries=32)
def _paths(key: str, level: str, n: int, _ds):
    return paths.top_paths(_ds, level, n)


ds = session.require_dataset()
st.title(t("journeys.page.title"))
st.caption(t("journeys.page.intro"))

with section("transitions"):
    with st.spinner(t("journeys.page.working_moves")):
        moves = _transitions(ds.key, ds)
    st.markdown(f"**{escape_markdown(paths.describe_transitions(moves))}**")
    if moves.empty:
        st.info(t("journeys.page.no_moves"))
    else:
        chart = transitions_heatmap(moves, ds.stages)
        st.altair_chart(chart)
        chart_downloads(chart, "stage-transitions", ds)

st.subheader(t("journeys.page.paths"))
levels = _levels()
links.bind_choice("paths_level", "level", list(levels), "stage")
left, right = st.columns([2, 1])
level = left.radio(
    t("journeys.page.level"),
    list(levels),
    format_func=levels.get,
    horizontal=True,
    key="paths_level",
)
n = right.slider(t("journeys.page.shown"), 5, 50, 20, step=5, key="paths_n")
with section("paths"):
    with st.spinner(t("journeys.page.working_paths")):
        top = _paths(ds.key, level, n, ds)
    st.caption(escape_markdown(paths.describe_paths(top)))
    if not top.empty:
        tables.show(top, {
            # The path takes what the numbers leave; every column stays on screen.
            "path": tables.text(t("journeys.page.col_path"), pinned=True, width=520),
            "steps": tables.integer(t("journeys.page.col_steps"), width="small"),
            "customers": tables.integer(t("journeys.page.col_customers"), width="small"),
            "share": tables.share(t("journeys.page.col_share"), width=100),
            "converted": tables.integer(t("journeys.page.col_converted"), width=100),
            "conversion_rate": tables.share(t("journeys.page.col_conversion"), width=90),
            "includes_conversion": tables.flag(t("journeys.page.col_includes"), width=140,
                                               help=t("journeys.page.col_includes_help")),
        }, key="paths_table")
st.caption(t("journeys.page.footnote", n=paths.MAX_STEPS))
normative_section.show(ds)
