"""Customer Journey Dashboard: entry point. Run with `make run` (or `streamlit run app.py`)."""

import streamlit as st

from dashboard import access, links, sidebar

st.set_page_config(page_title="Customer Journey Dashboard", page_icon="🧭", layout="wide")
access.require_access()

pages = [
    st.Page("app_pages/data.py", title="Data", icon="📄", default=True),
]
page = st.navigation(pages)
st.session_state.setdefault("source", "sample")
links.start_run()
sidebar.render()
try:
    page.run()
finally:
    sidebar.share()
    links.publish()
