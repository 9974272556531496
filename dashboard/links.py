"""Shareable links: what a page shows is mirrored in the URL's query parameters.

Each run collects the parameters of the page being shown (``bind``) plus the data source and
the sidebar filters, and writes them to the URL at the end of the run, so the address bar always
holds a link to the current view. Streamlit clears query parameters when the page changes; the
next run writes them again. When a session starts from a link, the parameters seed the widgets
before they are drawn.

A link is typed or edited by anyone, so every value taken from it is checked: one that is too
long (over :data:`MAX_VALUE` characters, or over :data:`MAX_VALUES` repeats), not a value the
page knows, outside the widget's range, or a date outside the data is not used; the page opens
with the default (or the nearest allowed value) and says so at its top in a sentence naming the
parameter, the value it had (shown as inline code, so Markdown in it stays text) and what was
used instead. Each refusal is also logged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import streamlit as st

import journeylib as jl
from dashboard import language, session
from journeylib import workspace
from journeylib.i18n import date, t

LINK_FILTERS = "__from_link__"
_FILTER_LISTS = {"segment": "segments", "channel": "channels", "stage": "stages"}
GLOBAL_PARAMS = ("lang", "source", "workspace", "from", "to", *_FILTER_LISTS)
SOURCES_IN_LINKS = ("sample", "workspace")
MAX_VALUE = 200  # characters in one link value (a workspace name has at most 100)
MAX_VALUES = 200  # values of one repeated parameter (steps, channels, stages, ...)
_SHOWN = 40  # characters of a refused value quoted back
_log = logging.getLogger(__name__)


def quoted(value: object) -> str:
    """``value`` as inline code for a sentence shown through Markdown: at most 40 characters
    (then "…"), on one line, its backticks replaced, so links, images or emphasis in it are
    shown as typed and never rendered."""
    text = " ".join(str(value).split()).replace("`", "'")
    text = text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
    return f"`{text}`" if text else "` `"


def note(code: str, **values: object) -> None:
    """Say at the top of the page what in the link could not be used (``code`` is a key of
    ``links.*``; ``values`` fill it), and log it. Said at once: a page that stops early
    (``st.stop``) still shows it."""
    _log.log(logging.INFO, "link parameter refused: %s %s", code, values)
    st.session_state.setdefault("_link_problems", []).append((code, values))
    place = st.session_state.get("_link_notice")
    if place is not None:
        place.warning(t(f"links.{code}", **values), icon=":material/link_off:")


def _fits(param: str, values: list[str]) -> bool:
    """Whether the link's ``values`` of ``param`` are short and few enough to look at."""
    if len(values) > MAX_VALUES:
        note("too_many", param=param, n=len(values), max=MAX_VALUES)
        return False
    if any(len(v) > MAX_VALUE for v in values):
        note("too_long", param=param, max=MAX_VALUE)
        return False
    return True


def start_run() -> None:
    """Call first in every run: forget the last run's page parameters and link problems, keep
    a place at the top of the page for the problems found in this run (:func:`note`); on the
    session's first run, take the data source, workspace and filters from the link."""
    st.session_state["_link_params"] = {}
    st.session_state["_link_dropped"] = set()
    st.session_state["_link_problems"] = []
    st.session_state["_link_notice"] = st.container()
    if st.session_state.get("_link_restored"):
        return
    st.session_state["_link_restored"] = True
    params = st.query_params
    source = params.get_all("source")
    if source and _fits("source", source):
        if source[0] in SOURCES_IN_LINKS:
            st.session_state["source"] = source[0]
        else:
            note("bad_value", param="source", value=quoted(source[0]), used=quoted("sample"))
    name = params.get_all("workspace")
    if name and _fits("workspace", name) and name[0].strip():
        if len(name[0]) > workspace.MAX_NAME:
            note("too_long", param="workspace", max=workspace.MAX_NAME)
        else:
            st.session_state["workspace_name"] = st.session_state["_link_workspace"] = name[0]
    filters = _filters_from(params)
    if filters.active:
        session.set_filters(filters)
        st.session_state["filters_for"] = LINK_FILTERS


def _filters_from(params) -> jl.Filters:
    def day(name: str) -> dt.date | None:
        values = params.get_all(name)
        if not values or not _fits(name, values):
            return None
        try:
            return dt.date.fromisoformat(values[0])
        except ValueError:
            note("bad_date", param=name, value=quoted(values[0]))
            return None

    lists = {}
    for param, field in _FILTER_LISTS.items():
        values = params.get_all(param)
        lists[field] = tuple(values) if _fits(param, values) else ()
    start, end = day("from"), day("to")
    if start and end and start > end:
        note("dates_reversed", start=quoted(start.isoformat()), end=quoted(end.isoformat()))
        start = end = None
    return jl.Filters(start=start, end=end, **lists)


def fit_filters(linked: jl.Filters, options: dict) -> jl.Filters:
    """The filters of a link made to fit the data they apply to (``options`` as from
    :func:`journeylib.filter_options`: ``segments``, ``channels``, ``stages``, ``first``,
    ``last``): values the data does not have are left out and dates outside it are moved to
    its first or last day (or left off), each change noted for the page."""
    kept = {}
    for param, field in _FILTER_LISTS.items():
        wanted = getattr(linked, field)
        kept[field] = tuple(v for v in wanted if v in options[field])
        unknown = [v for v in wanted if v not in options[field]]
        if unknown:
            note("unknown_values", param=param, n=len(unknown),
                 values=", ".join(quoted(v) for v in unknown[:5]))
    first, last = options["first"], options["last"]
    start, end = linked.start, linked.end
    if start is not None and not first <= start <= last:
        note("date_outside", param="from", value=quoted(start.isoformat()), first=date(first),
             last=date(last), used=date(first))
        start = None
    if end is not None and not first <= end <= last:
        note("date_outside", param="to", value=quoted(end.isoformat()), first=date(first),
             last=date(last), used=date(last))
        end = None
    return dataclasses.replace(linked, start=start, end=end, **kept)


def bind(
    key: str,
    param: str,
    default: Any,
    *,
    to_text: Callable[[Any], str] = str,
    from_text: Callable[[str], Any] = str,
    limits: tuple[Any, Any] | None = None,
) -> bool:
    """Mirror the widget with ``key`` in the link parameter ``param``.

    Call before the widget is drawn: on the session's first visit the link's value (if any and
    valid) becomes the widget's value; every run records the current value for the link. A
    value ``from_text`` cannot read keeps the default; with ``limits`` (lowest, highest) a
    number outside them becomes the nearest limit; either way the page says so. Returns
    whether the widget's value came from the link in this run.
    """
    seeded = st.session_state.setdefault("_link_seeded", set())
    came = False
    if key not in seeded:
        seeded.add(key)
        values = st.query_params.get_all(param)
        if values and _fits(param, values):
            came = _seed(key, param, values[0], default, to_text, from_text, limits)
    value = st.session_state.get(key, default)
    st.session_state["_link_params"][param] = to_text(value)
    return came


def _seed(key, param, text, default, to_text, from_text, limits) -> bool:
    try:
        value = from_text(text)
    except (TypeError, ValueError):
        note("bad_value", param=param, value=quoted(text), used=quoted(to_text(default)))
        return False
    if limits is not None and not limits[0] <= value <= limits[1]:
        used = min(max(value, limits[0]), limits[1])
        note("out_of_range", param=param, value=quoted(text), low=limits[0], high=limits[1],
             used=quoted(to_text(used)))
        value = used
    st.session_state[key] = value
    return True


def bind_list(key: str, param: str, default: list[str]) -> bool:
    """``bind`` for a multiselect: the list is kept as a repeated parameter. Returns whether
    the widget's value came from the link in this run."""
    seeded = st.session_state.setdefault("_link_seeded", set())
    came = False
    if key not in seeded:
        seeded.add(key)
        values = st.query_params.get_all(param)
        if values and _fits(param, values):
            st.session_state[key] = list(values)
            came = True
    st.session_state["_link_params"][param] = list(st.session_state.get(key, default))
    return came


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
        if name not in GLOBAL_PARAMS and not dropped(name):
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
    for name in [*GLOBAL_PARAMS, *st.session_state.get("_link_dropped", ())]:
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
    from earlier data) that is not among the options falls back to ``default``; the page says
    so when it came from the link."""
    came = bind(key, param, default, to_text=to_text, from_text=from_text)
    if st.session_state.get(key) not in options:
        if came:
            note("bad_value", param=param, value=quoted(st.query_params.get(param)),
                 used=quoted(to_text(default)))
        st.session_state[key] = default
        st.session_state["_link_params"][param] = to_text(default)


def bind_choices(key: str, param: str, options: list, default: list) -> None:
    """:func:`bind_list` for a multiselect over ``options``, keeping only known values (the
    page says which of the link's it left out)."""
    came = bind_list(key, param, default)
    if came:
        unknown = [v for v in st.session_state[key] if v not in options]
        if unknown:
            note("unknown_values", param=param, n=len(unknown),
                 values=", ".join(quoted(v) for v in unknown[:5]))
    chosen = [v for v in st.session_state.get(key, default) if v in options]
    st.session_state[key] = chosen
    st.session_state["_link_params"][param] = list(chosen)


# --- The funnel's typed steps and exclusion --------------------------------------------------


def record(param: str, value: str | list[str] | None) -> None:
    """Put ``param`` in this run's link (None: leave it out)."""
    params = st.session_state["_link_params"]
    if value is None:
        params.pop(param, None)
        st.session_state.setdefault("_link_dropped", set()).add(param)
    else:
        params[param] = value
        st.session_state.setdefault("_link_dropped", set()).discard(param)


def dropped(param: str) -> bool:
    """Whether the page left ``param`` out of the link in this run (see :func:`record`)."""
    return param in st.session_state.get("_link_dropped", set())


def linked_steps(key: str, param: str, values: dict[str, list[str]], limit: int):
    """The funnel steps of the link's repeated ``param`` (``Step.to_text`` values), once per
    session (the first call for ``key``; None after, or when the link has none).

    Steps that cannot be read or name values the data does not have (``values``: field ->
    known values) are left out, and steps past ``limit`` too; the page says so."""
    seeded = st.session_state.setdefault("_link_seeded", set())
    if key in seeded:
        return None
    seeded.add(key)
    texts = st.query_params.get_all(param)
    if not texts or not _fits(param, texts):
        return None
    steps, unknown = [], []
    for text in texts:
        try:
            step = jl.Step.from_text(text)
        except ValueError:
            unknown.append(text)
            continue
        if all(v in values.get(f, ()) for f, v in step.fields().items()):
            steps.append(step)
        else:
            unknown.append(text)
    if unknown:
        note("unknown_values", param=param, n=len(unknown),
             values=", ".join(quoted(v) for v in unknown[:5]))
    if len(steps) > limit:
        note("out_of_range", param=param, value=quoted(len(steps)), low=1, high=limit,
             used=quoted(limit))
        steps = steps[:limit]
    return steps or None


def linked_exclusion(key: str, param: str, values: dict[str, list[str]], steps: int):
    """The funnel exclusion of the link's ``param`` (``Exclusion.to_text``), once per session
    (the first call for ``key``); None otherwise. One the data or the steps cannot take (a
    value the data does not have, steps outside 1..``steps``) is left out and the page says
    so."""
    seeded = st.session_state.setdefault("_link_seeded", set())
    if key in seeded:
        return None
    seeded.add(key)
    texts = st.query_params.get_all(param)
    if not texts or not _fits(param, texts):
        return None
    try:
        rule = jl.Exclusion.from_text(texts[0])
    except ValueError:
        rule = None
    if (rule is None or rule.value not in values.get(rule.field, ())
            or not 1 <= rule.after_step < rule.before_step <= steps):
        note("bad_value", param=param, value=quoted(texts[0]), used=quoted("none"))
        return None
    return rule
