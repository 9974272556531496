"""Optional access control: a shared password from secrets, or Streamlit's OIDC login."""

from __future__ import annotations

import hmac

import streamlit as st

from journeylib.i18n import t


def _secret_section(name: str) -> dict:
    try:
        return dict(st.secrets.get(name, {}))
    except FileNotFoundError:  # no secrets.toml at all: the app is open
        return {}


def require_access() -> None:
    """Stop the script until the visitor is let in.

    With ``[auth]`` in ``.streamlit/secrets.toml`` the visitor logs in through ``st.login``; with
    ``[access] password = "..."`` they type the shared password (compared in constant time).
    Without either the app is open. The password is never shown or logged.
    """
    if _secret_section("auth"):
        if not st.user.is_logged_in:
            st.title(t("app.title"))
            st.button(t("access.log_in"), on_click=st.login, type="primary")
            st.stop()
        return
    password = _secret_section("access").get("password")
    if not password or st.session_state.get("access_granted"):
        return
    st.title(t("app.title"))
    with st.form("access"):
        typed = st.text_input(t("access.password"), type="password")
        submitted = st.form_submit_button(t("access.open"), type="primary")
    if submitted:
        if hmac.compare_digest(typed.encode(), str(password).encode()):
            st.session_state["access_granted"] = True
            st.rerun()
        st.error(t("access.wrong_password"))
    st.stop()
