"""The interface language of a session: chosen in the sidebar, carried in the link (``lang``).

On a session's first run the language comes from the link, else from the browser's preferred
language when the dashboard speaks it, else English. Every run then makes it the current
language of :mod:`journeylib.i18n`, so pages, charts and library sentences all use it.
"""

from __future__ import annotations

import streamlit as st

from journeylib import i18n

KEY = "lang"
PARAM = "lang"


def _browser_language() -> str | None:
    locale = st.context.locale or ""
    code = locale.split("-")[0].split("_")[0].lower()
    return code if code in i18n.LANGUAGES else None


def init() -> str:
    """Decide this run's language and make it current; returns its code. Call first."""
    if not st.session_state.get("_lang_restored"):
        st.session_state["_lang_restored"] = True
        linked = st.query_params.get(PARAM)
        chosen = linked if linked in i18n.LANGUAGES else _browser_language()
        st.session_state.setdefault(KEY, chosen or i18n.DEFAULT_LANGUAGE)
    if st.session_state.get(KEY) not in i18n.LANGUAGES:
        st.session_state[KEY] = i18n.DEFAULT_LANGUAGE
    i18n.set_language(st.session_state[KEY])
    return st.session_state[KEY]


def switch() -> None:
    """The language selector (draw it in the sidebar)."""
    st.selectbox(
        i18n.t("app.language"),
        list(i18n.LANGUAGES),
        format_func=i18n.LANGUAGES.get,
        key=KEY,
        help=i18n.t("app.language_help"),
    )


def current() -> str:
    """The session's language code."""
    return st.session_state.get(KEY, i18n.DEFAULT_LANGUAGE)
