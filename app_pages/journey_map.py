"""Journey map page: the workshop view, with a presentation mode that steps through stages."""


import pandas as pd
import streamlit as st

from dashboard import language, links, session
from dashboard.exports import chart_downloads, failure_notice, reported
from dashboard.sections import section
from dashboard.themes_section import stage_themes
from journeylib import i18n
from journeylib import journey_map as jm
from journeylib.charts.journey_map import journey_map_chart, presentation_html
from journeylib.handout import workshop_handout
from journeylib.i18n import t
from journeylib.text import escape_markdown

PAPERS = ("a4", "letter")  # the handout's paper, landscape

PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.8rem 1.2rem 0 1.2rem !important;
  max-width: 100% !important; }
[data-testid="stMarkdownContainer"] p { font-size: 1.45rem; line-height: 1.35; }
[data-testid="stHeading"] h1 { font-size: 2.4rem; padding: 0; }
[data-testid="stButton"] button { font-size: 1.3rem; padding: 0.3rem 1.4rem; }
[data-testid="stElementContainer"]:has(#jm-keys) { display: none; }
</style>
"""


@st.cache_data(show_spinner=False, max_entries=16)
def _map(key: str, top: int, flags: int, targets: pd.DataFrame | None, lang: str,
         _ds) -> jm.JourneyMap:
    # lang: the map's channel mix is text with percentages written the language's way.
    return jm.build_journey_map(_ds, targets, top=top, flags=flags)


def _journey_map(ds, top: int, flags: int) -> jm.JourneyMap:
    with st.spinner(t("journey_map.page.spinner")):
        return _map(ds.key, top, flags, session.scorecard_targets(), language.current(), ds)


# Keys of a keyboard or a presentation clicker (which sends PageDown/PageUp, sometimes the
# arrows) press the Next / Previous buttons; keys typed into a field are left alone. Added once
# per page load: Streamlit keeps this element while only the step changes.
KEYS_SCRIPT = """
<span id="jm-keys"></span>
<script>
if (!window.jmKeys) {
  window.jmKeys = true;
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing ||
        (target && (target.isContentEditable ||
                    ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)))) return;
    const back = ["ArrowLeft", "PageUp"].includes(event.key) ||
                 (event.key === " " && event.shiftKey);
    const forward = !back && ["ArrowRight", "PageDown", " "].includes(event.key);
    if (!back && !forward) return;
    const button = document.querySelector(
      back ? ".st-key-jm_prev button" : ".st-key-jm_next button");
    if (!button) return;
    event.preventDefault();
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    if (!button.disabled) button.click();
  });
}
</script>
"""


def _step(delta: int, last: int) -> None:
    st.session_state["jm_step"] = min(max(st.session_state.get("jm_step", 0) + delta, 0), last)


def _present(ds, steps: list[str], top: int, flags: int) -> None:
    """Presentation mode: one stage at a time, the page's own settings, the step in the link."""
    st.html(PRESENTATION_CSS + KEYS_SCRIPT, unsafe_allow_javascript=True)
    step, last = st.session_state["jm_step"], len(steps) - 1
    left, middle, right, exit_col = st.columns([1, 6, 1, 1.4], vertical_alignment="center")
    left.button("◀ " + t("journey_map.page.previous"), on_click=_step, args=(-1, last),
                disabled=step == 0, key="jm_prev", width="stretch")
    where = (t("journey_map.page.step_of", step=step, last=last) if step
             else t("journey_map.page.stages", n=last))
    middle.markdown(f"### {escape_markdown(steps[step])}\u00a0\u00a0·\u00a0\u00a0{where}")
    right.button(t("journey_map.page.next") + " ▶", on_click=_step, args=(1, last),
                 disabled=step == last, key="jm_next", type="primary", width="stretch")
    exit_col.toggle(t("journey_map.page.present"), key="jm_present")
    with section("presentation"):
        # The same cached map as the page's: a step changes only the focus, nothing is computed.
        jmap = _journey_map(ds, top, flags)
        focus = ds.stages[step - 1] if step else None
        reading = jm.describe_stage(jmap, focus) if focus else jm.describe_map(jmap)
        st.markdown(escape_markdown(reading))
        st.html(presentation_html(jmap.stages, jmap.touchpoints, focus))
        if note := jm.map_note(jmap):
            st.caption(escape_markdown(note))


def _workshop(ds) -> None:
    """The map with its settings, downloads and the handout."""
    st.title(t("journey_map.page.title"))
    st.caption(t("journey_map.page.intro"))
    left, middle, right = st.columns([2, 2, 1.3], vertical_alignment="bottom")
    top = left.slider(t("journey_map.page.top"), 2, 8, key="jm_top",
                      help=t("journey_map.page.top_help"))
    flags = middle.slider(t("journey_map.page.flags"), 1, 5, key="jm_flags")
    right.toggle(t("journey_map.page.present"), key="jm_present",
                 help=t("journey_map.page.present_help"))
    chart = reading = jmap = None
    with section("map"):
        jmap = _journey_map(ds, top, flags)
        reading = jm.describe_map(jmap)
        st.markdown(f"**{escape_markdown(reading)}**")
        if ds.purchase_stage is None:
            st.caption(t("journey_map.page.no_purchase_stage"))
        chart = journey_map_chart(jmap.stages, jmap.touchpoints, scale=0.9,
                                  column_width=max(150, min(230, 880 // max(len(ds.stages), 1))),
                                  note=jm.map_note(jmap))
        st.altair_chart(chart, width="content")

        st.caption(t("journey_map.page.download_note"))
        chart_downloads(chart, "journey-map", ds)
    stage_themes(ds, language.current())

    # One click: the PDF is drawn when the button is pressed, outside the script thread, so it
    # reads the data through its own cursor and writes in the session's language.
    fresh_dataset, lang = session.for_another_thread(), language.current()

    paper = st.segmented_control(t("journey_map.page.paper"), PAPERS, key="jm_paper",
                                 format_func=lambda code: t(f"journey_map.page.paper_{code}"),
                                 default="a4")

    def _handout() -> bytes:
        with i18n.language(lang):
            # The map the page shows (its sliders and targets), drawn for the paper's page.
            return workshop_handout(fresh_dataset(), jmap, paper=paper or "a4",
                                    map_reading=reading)

    failure_notice("jm_handout_download", t("exports.what.handout"))
    if chart is not None:
        st.download_button(t("journey_map.page.handout_download"),
                           reported(_handout, "jm_handout_download"),
                           file_name="workshop-handout.pdf", mime="application/pdf",
                           key="jm_handout_download", type="primary",
                           icon=":material/download:", help=t("journey_map.page.handout_help"),
                           on_click="ignore")


ds = session.require_dataset()
if not ds.stages:
    st.title(t("journey_map.page.title"))
    st.info(t("journey_map.page.needs_stages"))
    st.stop()
# Presentation mode draws no sliders: keeping their values as the session's own (not a widget's
# left undrawn, which Streamlit forgets) lets presenting use and return to the page's settings.
for _key, _default in (("jm_top", 4), ("jm_flags", 3)):
    st.session_state[_key] = st.session_state.get(_key, _default)
links.bind("jm_present", "present", False, to_text=lambda v: "1" if v else "0",
           from_text=lambda v: v == "1")
links.bind("jm_step", "step", 0, from_text=int, limits=(0, len(ds.stages)))
links.bind("jm_top", "top", 4, from_text=int, limits=(2, 8))
links.bind("jm_flags", "flags", 3, from_text=int, limits=(1, 5))
steps = [t("journey_map.page.whole_journey"), *ds.stages]
st.session_state["jm_step"] = min(max(int(st.session_state.get("jm_step", 0)), 0), len(steps) - 1)
# The link is written after the page has run (links.publish), so no st.stop() below: the step
# reached with Next / Previous must reach the address bar.
if st.session_state.get("jm_present", False):
    _present(ds, steps, st.session_state["jm_top"], st.session_state["jm_flags"])
else:
    _workshop(ds)
