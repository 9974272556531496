"""Downloads made when their button is clicked: chart images (PNG, SVG, PDF) and, through
:func:`reported`, any file built on a click (the Excel report, the handout), with a sentence
in the app when the file could not be made."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

import altair as alt
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import journeylib as jl
from journeylib.export import FORMATS, export_chart
from journeylib.export import footnote as chart_footnote
from journeylib.i18n import filters_text, t
from journeylib.paths_table import PathTable
from journeylib.text import escape_markdown

LOG = logging.getLogger(__name__)
# (session id, download key) -> why the last click on that download made no file: a reason
# code and, for a DataError, its sentence. Written by the download's worker thread, read (and
# cleared) by the session's next run.
_FAILURES: dict[tuple[str, str], tuple[str, str]] = {}
_LOCK = threading.Lock()


def chart_downloads(chart: alt.TopLevelMixin, basename: str, data: jl.Dataset | PathTable) -> None:
    """A row of PNG / SVG / PDF buttons for ``chart``; every file names the data it was drawn
    from and the active filters (in the interface language). A file that cannot be drawn is
    reported under the row."""
    footnote = chart_footnote(data.name, filters_text(getattr(data, "filters", None)))
    stem = re.sub(r"[^\w-]+", "-", basename).strip("-") or "chart"
    row = st.container(horizontal=True, gap="small")
    for fmt, mime in FORMATS.items():
        key = f"export_{stem}_{fmt}"
        row.download_button(
            fmt.upper(),
            data=reported(lambda fmt=fmt: export_chart(chart, fmt, footnote=footnote), key),
            file_name=f"{stem}.{fmt}",
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            help=t("exports.help", format=fmt.upper()),
            key=key,
        )
    for fmt in FORMATS:
        failure_notice(f"export_{stem}_{fmt}", t("exports.what.chart", format=fmt.upper()))


def reported(build: Callable[[], bytes], key: str) -> Callable[[], bytes]:
    """``build`` (the maker of a one-click download's bytes, run by Streamlit in another
    thread when the button with ``key`` is clicked) made to leave word when it fails: the
    failure is logged, kept for this session and the session is run again, so that
    :func:`failure_notice` shows the sentence where the button is. The click still gets no
    file (the error is raised on to Streamlit)."""
    ctx = get_script_run_ctx()
    session_id = ctx.session_id if ctx is not None else ""

    def run() -> bytes:
        try:
            return build()
        except Exception as exc:
            # LOG.log, not LOG.exception: the i18n scan reads .exception() as st.exception().
            LOG.log(logging.ERROR, "The download %r could not be made", key, exc_info=True)
            with _LOCK:
                _FAILURES[(session_id, key)] = _reason(exc)
            _rerun(session_id)
            raise

    return run


def failure_notice(key: str, what: str) -> None:
    """Show, once, why the last click on the download ``key`` made no file: "**{what} could not
    be made.** {reason}" in the interface language. Nothing when it did not fail."""
    ctx = get_script_run_ctx()
    with _LOCK:
        failure = _FAILURES.pop((ctx.session_id if ctx is not None else "", key), None)
    if failure is None:
        return
    code, sentence = failure
    reason = sentence if code == "data" else t(f"exports.reason_{code}")
    st.error(t("exports.failed", what=escape_markdown(what), reason=escape_markdown(reason)))


def _reason(exc: Exception) -> tuple[str, str]:
    """The reason code of a failed build: ``data`` (a DataError, with its sentence),
    ``too_large`` (out of memory or too deeply nested work) or ``unexpected``."""
    if isinstance(exc, jl.DataError):
        return "data", str(exc)
    if isinstance(exc, MemoryError | RecursionError):
        return "too_large", ""
    return "unexpected", ""


def _rerun(session_id: str) -> None:
    """Run the session's script again with its last state (as Streamlit does when a source
    file changes), so the notice appears without another click; without a running server
    (tests) or session, the notice waits for the next run."""
    try:
        from streamlit.runtime import Runtime

        session = Runtime.instance().get_app_session(session_id) if Runtime.exists() else None
        client_state = getattr(session, "_client_state", None)
        if session is not None and client_state is not None:
            session.request_rerun(client_state)
    except Exception:  # the notice still shows on the next run
        LOG.log(logging.WARNING, "Could not rerun session %s to report a failed download",
                session_id, exc_info=True)
