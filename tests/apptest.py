"""Shared by the AppTest page tests: open the app or a page (as from a link, or with an uploaded
file), find widgets, read chart titles."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SAMPLE = Path(APP).parent / "sample_data" / "journeys.csv"
# Every page of the app, by its file name under app_pages/.
PAGES = ("data", "funnel", "journeys", "attribution", "emotions", "journey_map", "touchpoints")


def new_app(*, lang: str | None = None, params: dict | None = None, timeout: float = 60,
            **query: str | list[str]) -> AppTest:
    """The app, not run yet, as opened from a link with ``params``/``query`` (and ``lang``)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if lang is not None:
        at.query_params["lang"] = lang
    for name, value in {**(params or {}), **query}.items():
        at.query_params[name] = value
    return at


def open_page(page: str | None = None, params: dict | None = None, *, lang: str | None = None,
              timeout: float = 60, no_errors: bool = False,
              **query: str | list[str]) -> AppTest:
    """The app opened on ``page`` (``"funnel"`` or ``"app_pages/funnel.py"``; None: the Data
    page it opens on), as from a link with ``params``/``query`` (and ``lang``), in one run;
    fails on any exception the page raised, and with ``no_errors`` on any error element."""
    at = new_app(lang=lang, params=params, timeout=timeout, **query)
    if page is not None:
        at.switch_page(page if page.endswith(".py") else f"app_pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    if no_errors:
        assert not at.error, [e.value for e in at.error]
    return at


def widget(elements, key: str | None = None, *, label: str | None = None):
    """The element of ``elements`` with this widget ``key`` (or this ``label``)."""
    if key is not None:
        return next(e for e in elements if e.key == key)
    return next(e for e in elements if e.label == label)


def chart_titles(at: AppTest) -> list[str]:
    """Chart titles, from every (possibly layered or concatenated) Vega-Lite spec."""
    titles = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        for part in [spec, *spec.get("layer", []), *spec.get("vconcat", [])]:
            title = part.get("title")
            if title:
                titles.append(title["text"] if isinstance(title, dict) else title)
    return titles


def open_with_file(page: str, name: str, data: bytes, *, lang: str | None = None,
                   params: dict | None = None, timeout: float = 60) -> AppTest:
    """The app opened on ``page`` with the file ``name`` (its bytes ``data``) as the session's
    upload, as after uploading it on the Data page; does not check for exceptions (the caller
    asserts what it expects)."""
    at = new_app(lang=lang, params=params, timeout=timeout)
    # What dashboard.session.set_upload stores when a file is uploaded.
    at.session_state["upload"] = {
        "name": name, "data": data, "digest": hashlib.sha256(data).hexdigest(),
    }
    at.session_state["source"] = "upload"
    at.switch_page(page if page.endswith(".py") else f"app_pages/{page}.py")
    at.run()
    return at


def table(at: AppTest, *columns: str):
    """The shown (display) DataFrame of the first table with all these ``columns``."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def counts(values) -> list[int]:
    """Counts as a table shows them ("5,000", "5 000", "—") read back as integers (None for
    an empty cell)."""
    out = []
    for v in values:
        digits = "".join(ch for ch in str(v) if ch.isdigit()) if v is not None else ""
        out.append(int(digits) if digits else None)
    return out
