"""Customer Journey Dashboard: entry point. Run with `make run` (or `streamlit run app.py`)."""

import streamlit as st

from dashboard import access, sidebar

st.set_page_config(page_title="Customer Journey Dashboard", page_icon="🧭", layout="wide")
access.require_access()

pages = [
    st.Page("app_pages/data.py", title="Data", icon="📄", default=True),
    st.Page("app_pages/attribution.py", title="Attribution", icon="🎯"),
]
page = st.navigation(pages)
st.session_state.setdefault("source", "sample")
sidebar.render()
page.run()
