"""Optional access control: a shared password from secrets, or Streamlit's OIDC login."""

from __future__ import annotations

import hmac

import streamlit as st


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
            st.title("Customer Journey Dashboard")
            st.button("Log in", on_click=st.login, type="primary")
            st.stop()
        return
    password = _secret_section("access").get("password")
    if not password or st.session_state.get("access_granted"):
        return
    st.title("Customer Journey Dashboard")
    with st.form("access"):
        typed = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Open the dashboard", type="primary")
    if submitted:
        if hmac.compare_digest(typed.encode(), str(password).encode()):
            st.session_state["access_granted"] = True
            st.rerun()
        st.error("That password is not right. Ask the person who shared this dashboard.")
    st.stop()
