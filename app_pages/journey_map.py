"""Journey map page: the workshop view, with a presentation mode that steps through stages."""


import pandas as pd
import streamlit as st

from dashboard import links, session
from dashboard.exports import chart_downloads
from journeylib import journey_map as jm
from journeylib.charts.journey_map import journey_map_chart
from journeylib.handout import workshop_handout

PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.8rem 1.2rem 0 1.2rem !important;
  max-width: 100% !important; }
[data-testid="stMarkdownContainer"] p { font-size: 1.45rem; line-height: 1.35; }
[data-testid="stHeading"] h1 { font-size: 2.4rem; padding: 0; }
[data-testid="stButton"] button { font-size: 1.3rem; padding: 0.3rem 1.4rem; }
</style>
"""


@st.cache_data(show_spinner="Drawing the journey map…", max_entries=16)
def _map(key: str, top: int, flags: int, targets: pd.DataFrame | None, _ds) -> jm.JourneyMap:
    return jm.build_journey_map(_ds, targets, top=top, flags=flags)


def _step(delta: int, last: int) -> None:
    st.session_state["jm_step"] = min(max(st.session_state.get("jm_step", 0) + delta, 0), last)


ds = session.require_dataset()
if not ds.stages:
    st.title("Journey map")
    st.info("The journey map needs stages: map a stage column, or give touchpoints a stage, on "
            "the Data page.")
    st.stop()
links.bind("jm_present", "present", False, to_text=lambda v: "1" if v else "0",
           from_text=lambda v: v == "1")
links.bind("jm_step", "step", 0, from_text=int)
links.bind("jm_top", "top", 4, from_text=int)
st.session_state.setdefault("jm_top", 4)
present = st.session_state.get("jm_present", False)
steps = ["Whole journey", *ds.stages]
last = len(steps) - 1
st.session_state["jm_step"] = min(max(int(st.session_state.get("jm_step", 0)), 0), last)

if present:
    st.html(PRESENTATION_CSS)
    step = st.session_state["jm_step"]
    left, middle, right, exit_col = st.columns([1, 6, 1, 1.4], vertical_alignment="center")
    left.button("◀ Previous", on_click=_step, args=(-1, last), disabled=step == 0,
                key="jm_prev", width="stretch")
    middle.markdown(f"### {steps[step]} &nbsp;·&nbsp; {step} of {last}" if step
                    else f"### Whole journey &nbsp;·&nbsp; {last} stages")
    right.button("Next ▶", on_click=_step, args=(1, last), disabled=step == last,
                 key="jm_next", type="primary", width="stretch")
    exit_col.toggle("Presentation mode", key="jm_present")
    jmap = _map(ds.key, 3, 2, session.scorecard_targets(), ds)
    focus = ds.stages[step - 1] if step else None
    st.markdown(jm.describe_stage(jmap, focus) if focus else jm.describe_map(jmap))
    width = min(340, 1640 // max(len(ds.stages), 1))
    chart = journey_map_chart(jmap.stages, jmap.touchpoints, focus=focus, column_width=width,
                              scale=1.3, title="")
    st.altair_chart(chart, width="content")
    st.stop()

st.title("Journey map")
st.caption(
    "The journey as a workshop map, computed from the data: stages as columns, the emotion "
    "curve across them, the most-used touchpoints with pain (red) and delight (green) points, "
    "moments of truth (★), owners and KPIs from the Touchpoints page, and customer quotes."
)
left, middle, right = st.columns([2, 2, 1.3], vertical_alignment="bottom")
top = left.slider("Touchpoints per stage", 2, 8, key="jm_top",
                  help="The most-used touchpoints of each stage; flagged ones are always shown.")
flags = middle.slider("Pain and delight points to mark", 1, 5, 3, key="jm_flags")
right.toggle("Presentation mode", key="jm_present",
             help="Full screen, large type, one stage at a time with Next / Previous.")
jmap = _map(ds.key, top, flags, session.scorecard_targets(), ds)
st.markdown(f"**{jm.describe_map(jmap)}**")
if ds.purchase_stage is None:
    st.caption("No purchase stage is set, so every stage is labelled as the buyer journey.")
chart = journey_map_chart(jmap.stages, jmap.touchpoints, scale=0.9,
                          column_width=max(150, min(230, 880 // max(len(ds.stages), 1))))
st.altair_chart(chart, width="content")

st.caption("Download the map for slides or print (rendered on the server, no browser needed).")
chart_downloads(chart, "journey-map", ds)
if st.button("Prepare the workshop handout (PDF: the map, funnel, emotions, moments of truth "
             "and attribution, one per page)", key="jm_handout_prepare"):
    with st.spinner("Drawing the handout…"):
        st.session_state["jm_handout"] = (ds.key, workshop_handout(ds, chart))
handout = st.session_state.get("jm_handout")
if handout is not None and handout[0] == ds.key:
    st.download_button("Download the handout (PDF)", handout[1], file_name="workshop-handout.pdf",
                       mime="application/pdf", key="jm_handout_download", type="primary")
