"""Customer Journey Dashboard: entry point. Run with `make run` (or `streamlit run app.py`)."""

import streamlit as st

from dashboard import access, language, links, sidebar, uploader_text, views
from journeylib.i18n import t

language.init()
st.set_page_config(page_title=t("app.title"), page_icon="🧭", layout="wide")
access.require_access()

pages = {
    t("app.nav.your_data"): [
        st.Page(
            "app_pages/data.py", title=t("app.nav.data"), icon=":material/table_view:",
            default=True,
        ),
    ],
    t("app.nav.analyses"): [
        st.Page("app_pages/funnel.py", title=t("app.nav.funnel"), icon=":material/filter_alt:"),
        st.Page("app_pages/journeys.py", title=t("app.nav.journeys"), icon=":material/alt_route:"),
        st.Page(
            "app_pages/attribution.py", title=t("app.nav.attribution"),
            icon=":material/ads_click:",
        ),
        st.Page("app_pages/emotions.py", title=t("app.nav.emotions"), icon=":material/mood:"),
    ],
    t("app.nav.workshop"): [
        st.Page("app_pages/journey_map.py", title=t("app.nav.journey_map"), icon=":material/map:"),
        st.Page(
            "app_pages/touchpoints.py", title=t("app.nav.touchpoints"),
            icon=":material/checklist:",
        ),
    ],
}
page = st.navigation(pages)
views.open_from_link()
st.session_state.setdefault("source", "sample")
links.start_run()
with st.sidebar:
    language.switch()
uploader_text.apply(language.current())
sidebar.render()
try:
    page.run()
finally:
    sidebar.share()
    views.panel(page.url_path or "data")
    sidebar.report()
    links.publish()
