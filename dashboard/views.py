"""Saved views in the sidebar: save the current view of a workspace under a short name, list
the saved ones, and open a short link ``?workspace=W&view=V`` at the view's page and settings."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

import journeylib as jl
from dashboard import links, session
from journeylib import views, workspace
from journeylib.i18n import t
from journeylib.text import escape_markdown


def open_from_link() -> None:
    """On a session's first run, turn a short link into the saved view's page and parameters
    (call right after ``st.navigation``, before the link's parameters are read)."""
    if st.session_state.get("_view_opened"):
        return
    st.session_state["_view_opened"] = True
    name, view = st.query_params.get("workspace"), st.query_params.get("view")
    if not (name and view):
        return
    # Not a name a view can have (too long, Markdown, ...): no need to look.
    try:
        views.check_name(view)
    except jl.DataError:
        st.session_state["_view_missing"] = view
        return
    if workspace.path_of(name) is None:
        return  # the sidebar says the workspace is not saved here
    found = views.get_view(name, view)
    if found is None:
        st.session_state["_view_missing"] = view
        return
    st.switch_page(f"app_pages/{found['page']}.py", query_params=found["params"])


def short_link(workspace_name: str, view: str) -> str:
    """The short link that opens a saved view."""
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{urlencode({'workspace': workspace_name, 'view': view})}"


def panel(page_path: str) -> None:
    """The "Saved views" expander; ``page_path`` is the current page's path (``"funnel"``)."""
    missing = st.session_state.pop("_view_missing", None)
    saved_now = st.session_state.get("_view_saved")
    with st.sidebar.expander(t("views.title"), expanded=missing is not None or bool(saved_now)):
        if missing is not None:
            st.warning(t("views.missing", view=links.quoted(missing)))
        if (just_saved := st.session_state.pop("_view_saved", None)) is not None:
            st.success(t("views.saved", view=escape_markdown(just_saved)))
        name = st.session_state.get("workspace_name")
        if session.source() != "workspace" or not name:
            st.caption(t("views.need_workspace"))
            return
        try:
            read_only = bool(workspace.read_meta(name).get("read_only"))
            listed = views.list_views(name)
        except jl.DataError:
            return
        for row in listed.itertuples():
            st.page_link(
                f"app_pages/{row.page}.py", label=escape_markdown(row.name),
                icon=":material/bookmark:",
                query_params=row.params,
                help=t("views.saved_on", page=t(f"app.nav.{row.page}"), day=row.saved_at.date()),
            )
            st.code(short_link(name, row.name), language=None, wrap_lines=True)
        if listed.empty:
            st.caption(t("views.none_yet"))
        if read_only:
            st.caption(t("views.read_only_note"))
            return
        with st.form("save_view", clear_on_submit=True, border=False):
            typed = st.text_input(
                t("views.name"), max_chars=views.MAX_NAME, placeholder=t("views.placeholder"))
            submitted = st.form_submit_button(t("views.save"))
        if submitted:
            try:
                clean = views.save_view(name, typed, page_path, links.current_params())
            except jl.DataError as exc:
                st.error(escape_markdown(exc))
            else:
                st.session_state["_view_saved"] = clean
                st.rerun()
