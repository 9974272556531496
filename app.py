"""Customer Journey Dashboard: entry point. Run with `make run` (or `streamlit run app.py`)."""

import streamlit as st

from dashboard import access, links, sidebar

st.set_page_config(page_title="Customer Journey Dashboard", page_icon="🧭", layout="wide")
access.require_access()

pages = {
    "Your data": [
        st.Page("app_pages/data.py", title="Data", icon=":material/table_view:", default=True),
    ],
    "Analyses": [
        st.Page("app_pages/funnel.py", title="Funnel", icon=":material/filter_alt:"),
        st.Page("app_pages/journeys.py", title="Journeys", icon=":material/alt_route:"),
        st.Page("app_pages/attribution.py", title="Attribution", icon=":material/ads_click:"),
        st.Page("app_pages/emotions.py", title="Emotions", icon=":material/mood:"),
    ],
    "Workshop": [
        st.Page("app_pages/journey_map.py", title="Journey map", icon=":material/map:"),
        st.Page("app_pages/touchpoints.py", title="Touchpoints", icon=":material/checklist:"),
    ],
}
page = st.navigation(pages)
st.session_state.setdefault("source", "sample")
links.start_run()
sidebar.render()
try:
    page.run()
finally:
    sidebar.share()
    sidebar.report()
    links.publish()
