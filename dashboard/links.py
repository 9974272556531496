"""Shareable links: what a page shows is mirrored in the URL's query parameters.

Each run collects the parameters of the page being shown (``bind``) plus the data source and
the sidebar filters, and writes them to the URL at the end of the run, so the address bar always
holds a link to the current view. Streamlit clears query parameters when the page changes; the
next run writes them again. When a session starts from a link, the parameters seed the widgets
before they are drawn.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import streamlit as st

import journeylib as jl
from dashboard import language, session

LINK_FILTERS = "__from_link__"
_FILTER_LISTS = {"segment": "segments", "channel": "channels", "stage": "stages"}
GLOBAL_PARAMS = ("lang", "source", "workspace", "from", "to", *_FILTER_LISTS)


def start_run() -> None:
    """Call first in every run: forget the last run's page parameters; on the session's first
    run, take the data source, workspace and filters from the link."""
    st.session_state["_link_params"] = {}
    if st.session_state.get("_link_restored"):
        return
    st.session_state["_link_restored"] = True
    params = st.query_params
    if params.get("source") in ("sample", "workspace"):
        st.session_state["source"] = params["source"]
    if params.get("workspace"):
        st.session_state["workspace_name"] = params["workspace"]
    filters = _filters_from(params)
    if filters.active:
        session.set_filters(filters)
        st.session_state["filters_for"] = LINK_FILTERS


def _filters_from(params) -> jl.Filters:
    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(params.get(name, ""))
        except ValueError:
            return None

    lists = {field: tuple(params.get_all(param)) for param, field in _FILTER_LISTS.items()}
    return jl.Filters(start=day("from"), end=day("to"), **lists)


def bind(
    key: str,
    param: str,
    default: Any,
    *,
    to_text: Callable[[Any], str] = str,
    from_text: Callable[[str], Any] = str,
) -> None:
    """Mirror the widget with ``key`` in the link parameter ``param``.

    Call before the widget is drawn: on the session's first visit the link's value (if any and
    valid) becomes the widget's value; every run records the current value for the link.
    """
    seeded = st.session_state.setdefault("_link_seeded", set())
    if key not in seeded:
        seeded.add(key)
        if param in st.query_params:
            # A hand-edited link with a bad value keeps the default.
            with contextlib.suppress(TypeError, ValueError):
                st.session_state[key] = from_text(st.query_params[param])
    value = st.session_state.get(key, default)
    st.session_state["_link_params"][param] = to_text(value)


def bind_list(key: str, param: str, default: list[str]) -> None:
    """``bind`` for a multiselect: the list is kept as a repeated parameter."""
    seeded = st.session_state.setdefault("_link_seeded", set())
    if key not in seeded:
        seeded.add(key)
        if param in st.query_params:
            st.session_state[key] = list(st.query_params.get_all(param))
    st.session_state["_link_params"][param] = list(st.session_state.get(key, default))


def current_params() -> dict[str, str | list[str]]:
    """The parameters of the current view: data source, filters, then the page's own (those
    bound with :func:`bind`, and any the page set on ``st.query_params`` directly)."""
    params: dict[str, str | list[str]] = {"lang": language.current()}
    source = session.source()
    if source == "workspace" and st.session_state.get("workspace_name"):
        params.update(source="workspace", workspace=st.session_state["workspace_name"])
    elif source == "sample":
        params["source"] = "sample"
    filters = session.filters()
    if filters.start:
        params["from"] = filters.start.isoformat()
    if filters.end:
        params["to"] = filters.end.isoformat()
    for param, field in _FILTER_LISTS.items():
        if getattr(filters, field):
            params[param] = list(getattr(filters, field))
    for name in st.query_params:
        if name not in GLOBAL_PARAMS:
            values = st.query_params.get_all(name)
            params[name] = values[0] if len(values) == 1 else values
    params.update(st.session_state.get("_link_params", {}))
    return params


def publish() -> None:
    """Write the current view's parameters to the address bar (call at the end of a run).

    Parameters a page set on ``st.query_params`` itself are kept; global ones that no longer
    apply (a filter just cleared) are removed.
    """
    params = current_params()
    for name in GLOBAL_PARAMS:
        if name not in params and name in st.query_params:
            del st.query_params[name]
    for name, value in params.items():
        wanted = value if isinstance(value, list) else [value]
        if st.query_params.get_all(name) != wanted:
            st.query_params[name] = value


def share_link() -> str:
    """The full link to the current view."""
    base = st.context.url or ""
    query = urlencode(current_params(), doseq=True)
    return f"{base.split('?')[0]}?{query}" if query else base


def bind_choice(
    key: str,
    param: str,
    options: list,
    default: Any,
    *,
    to_text: Callable[[Any], str] = str,
    from_text: Callable[[str], Any] = str,
) -> None:
    """:func:`bind` for a selectbox or radio over ``options``: a value from the link (or left
    from earlier data) that is not among the options falls back to ``default``."""
    bind(key, param, default, to_text=to_text, from_text=from_text)
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
        st.session_state["_link_params"][param] = to_text(default)


def bind_choices(key: str, param: str, options: list, default: list) -> None:
    """:func:`bind_list` for a multiselect over ``options``, keeping only known values."""
    bind_list(key, param, default)
    chosen = [v for v in st.session_state.get(key, default) if v in options]
    st.session_state[key] = chosen
    st.session_state["_link_params"][param] = list(chosen)
