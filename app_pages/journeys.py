"""Journeys page: how customers move between stages, and the most common paths."""

import streamlit as st

from dashboard import links, session
from dashboard.exports import chart_downloads
from journeylib import paths
from journeylib.charts.paths import transitions_heatmap

LEVELS = {"stage": "Stages", "touchpoint": "Touchpoints", "channel": "Channels"}


@st.cache_data(show_spinner="Following customers between stages…", max_entries=16)
def _transitions(key: str, _ds):
    return paths.stage_transitions(_ds)


@st.cache_data(show_spinner="Collecting paths…", max_entries=32)
def _paths(key: str, level: str, n: int, _ds):
    return paths.top_paths(_ds, level, n)


ds = session.require_dataset()
st.title("Journeys")
st.caption(
    "Journeys are not straight lines: customers skip stages and come back. The map shows every "
    "move from one stage to another; the table lists the most common routes."
)

moves = _transitions(ds.key, ds)
st.markdown(f"**{paths.describe_transitions(moves)}**")
if moves.empty:
    st.info("No customer has touchpoints in two different stages.")
else:
    chart = transitions_heatmap(moves, ds.stages)
    st.altair_chart(chart)
    chart_downloads(chart, "stage-transitions", ds)

st.subheader("Most common paths")
links.bind_choice("paths_level", "level", list(LEVELS), "stage")
left, right = st.columns([2, 1])
level = left.radio(
    "Path of", list(LEVELS), format_func=LEVELS.get, horizontal=True, key="paths_level"
)
n = right.slider("Paths shown", 5, 50, 20, step=5, key="paths_n")
top = _paths(ds.key, level, n, ds)
st.caption(paths.describe_paths(top))
st.dataframe(
    top,
    hide_index=True,
    column_config={
        "path": st.column_config.TextColumn("Path", width="large"),
        "steps": "Steps",
        "customers": st.column_config.NumberColumn("Customers", format="localized"),
        "share": st.column_config.ProgressColumn(
            "Share of customers", min_value=0, max_value=1, format="percent"
        ),
        "converted": st.column_config.NumberColumn("Converted", format="localized"),
        "conversion_rate": st.column_config.NumberColumn("Conversion", format="percent"),
    },
)
st.caption(
    f"Repeated touchpoints in a row count once; paths longer than {paths.MAX_STEPS} steps "
    "are cut (…). "
    "A customer converted when a touchpoint is marked converted or reaches the purchase "
    "stage."
)
