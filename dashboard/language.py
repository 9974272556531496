"""The interface language of a session: chosen in the sidebar, carried in the link (``lang``).

On a session's first run the language comes from the link, else from the browser's preferred
language when the dashboard speaks it, else English. Every run then makes it the current
language of :mod:`journeylib.i18n`, so pages, charts and library sentences all use it.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from journeylib import i18n

KEY = "lang"
# The language of the last run, to notice a switch.
SHOWN_KEY = "_lang_shown"
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
    lang = st.session_state[KEY]
    i18n.set_language(lang)
    if st.session_state.get(SHOWN_KEY, lang) != lang:
        _reseat_choices()
    st.session_state[SHOWN_KEY] = lang
    return lang


def _reseat_choices() -> None:
    """Give every chosen value back to its widget, so the browser is sent its new label.

    Streamlit's browser side remembers a selectbox's or radio's choice as the label it showed
    and sends that label back on every run until the server sets the value. After a language
    switch those labels are the old language's, which the new run's options no longer contain,
    so the choice would fall back to the first option or to nothing (the data source to the
    sample, "Automatic" passed to a callback as a code). This run still reads the old labels
    with the old options, so each value read here is the right code; assigning it marks it as
    set by the app, and the widget then sends its label in the new language to the browser.
    Values that are not choices (files, buttons, tables being edited) are left alone.
    """
    for key in list(st.session_state.keys()):
        value = st.session_state[key]
        if _is_choice(value):
            st.session_state[key] = value


def _is_choice(value: object) -> bool:
    """Whether ``value`` can be what a selectbox, radio or multiselect holds (codes, names,
    numbers or dates, or a list of them); buttons hold booleans, uploaders files."""
    if isinstance(value, list | tuple):
        return all(_is_choice(v) for v in value)
    return not isinstance(value, bool) and isinstance(value, str | int | float | dt.date)


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
