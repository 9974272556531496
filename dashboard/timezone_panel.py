"""The Data page's time-zone picker: the zone every calendar grouping (days, weeks, months,
cohorts, timelines) is counted in, for every page and export of the session."""

from __future__ import annotations

import streamlit as st

import journeylib as jl
from dashboard import language, session
from journeylib import timezones
from journeylib.i18n import t

AUTO = "auto"
# The picker's widget key.
WIDGET = "data_timezone"


def timezone_picker(dataset: jl.Dataset) -> None:
    """Say which zone is in force and why, and offer every IANA zone instead.

    The first option keeps the default (:func:`dashboard.session.default_zone`: the file's
    offsets, the workspace's zone or the browser's); a choice is kept for the session until
    another file is loaded. On an engine that cannot count periods in another zone (not in
    :data:`journeylib.timezones.ENGINES`) it says so instead of offering zones.
    """
    lang = language.current()
    if not timezones.supports_zones(dataset):
        st.caption(t("timezone.fixed", engine=timezones.engine_name(dataset.table)))
        return
    default = session.default_zone(dataset)
    stored = st.session_state.get(session.TIMEZONE)
    options = [AUTO, *timezones.zone_names()]

    def keep() -> None:
        chosen = st.session_state[WIDGET]
        if chosen in timezones.zone_names():
            st.session_state[session.TIMEZONE] = chosen
        else:
            st.session_state.pop(session.TIMEZONE, None)

    # The automatic option's label is the same whatever the data, so a label the browser
    # remembers from other data still names it; the zone it stands for is said below.
    # The box shows the stored choice: when other data cleared it, the automatic option.
    st.session_state[WIDGET] = stored if stored in options else AUTO
    st.selectbox(
        t("timezone.choose"), options,
        format_func=lambda code: t("timezone.auto", lang) if code == AUTO else code,
        key=WIDGET, on_change=keep, help=t("timezone.help"),
    )
    zone = stored if stored in options else default
    why = "chosen" if stored in options else _why(dataset, default)
    st.caption(t("timezone.in_force", zone=zone, why=t(f"timezone.why.{why}")))
    offsets = dataset.report.timestamp_offsets
    if len(offsets) > 1:
        st.caption(t("timezone.several_offsets", n=len(offsets),
                     offsets=", ".join(sorted(offsets))))


def _why(dataset: jl.Dataset, default: str) -> str:
    """Where the default zone comes from, a code of ``timezone.why``."""
    if session.source() == "workspace":
        return "workspace"
    if dataset.report.timestamp_zone and default == dataset.timezone:
        return "column"
    if dataset.timezone != timezones.UTC:
        return "offsets"
    if default != timezones.UTC:
        return "browser"
    return "utc"
