"""The Data page's panel for opening a file or a folder of Parquet files from the server's data
folder (``JOURNEY_DATA_DIR``) without uploading it; shown only when that folder is set up."""

from __future__ import annotations

import streamlit as st

import journeylib as jl
from dashboard import session
from journeylib import files
from journeylib.i18n import t
from journeylib.text import escape_markdown


def server_file_picker() -> None:
    """A choice of the data folder's files and folders, a box for a path inside it, and a
    button that makes the chosen one the session's data; a path outside the folder is refused
    with a sentence."""
    if files.data_folder() is None:
        return
    with st.expander(t("load.server.title")):
        st.caption(t("load.server.help"))
        entries = files.folder_entries()
        if not entries:
            st.info(t("load.server.empty"))
        if entries:
            st.selectbox(t("load.server.choose"), entries, index=None, key="server_file_choice")
        st.text_input(t("load.server.path"), key="server_file_path")
        st.button(t("load.server.open"), key="server_file_open", on_click=_open)
        refused = st.session_state.pop(REFUSED, None)
        if refused is not None:
            st.error(escape_markdown(refused.words()))


REFUSED = "server_file_refused"


def _open() -> None:
    """Open the typed path, else the chosen entry (a callback: it runs before the page's
    widgets, so it may change the session's source); a refusal is kept to be shown."""
    target = st.session_state.get("server_file_path", "").strip() or st.session_state.get(
        "server_file_choice")
    if not target:
        return
    try:
        session.set_server_path(target)
    except jl.DataError as exc:
        st.session_state[REFUSED] = exc
