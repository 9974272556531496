"""Hostile or careless links: every value that cannot be used ends in a sentence at the top of the
page (what was wrong, what was used instead), Markdown in it shown as typed, never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import journeylib as jl
from dashboard import links
from journeylib.workspace import save_workspace
from tests.apptest import open_page


def _notes(at) -> list[str]:
    return [w.value for w in at.main.warning]


def test_a_number_outside_the_slider_is_clamped_and_said() -> None:
    at = open_page("journey_map", {"top": "1000", "step": "-3"})
    assert at.session_state["jm_top"] == 8 and at.session_state["jm_step"] == 0
    notes = _notes(at)
    assert any("top=`1000` is outside 2 to 8; showing `8`" in n for n in notes)
    assert any("step=`-3` is outside 0 to" in n for n in notes)
    assert at.query_params["top"] == "8"


@pytest.mark.parametrize("order", ["7", "abc", "4.5"])
def test_an_order_the_page_does_not_offer_falls_back_to_one(order: str) -> None:
    at = open_page("attribution", {"order": order})
    assert at.session_state["attr_order"] == 1
    assert any(f"order=`{order}` is not a value this page knows; showing `1`" in n
               for n in _notes(at))


def test_dates_outside_the_data_and_unknown_values() -> None:
    at = open_page("funnel", {"from": "1900-01-01", "to": "2999-12-31",
                              "segment": ["Nope", "Business"], "steps": ["Awareness", "Ghost"],
                              "mode": "sideways"})
    notes = _notes(at)
    assert any("from=`1900-01-01` is outside this data" in n for n in notes)
    assert any("to=`2999-12-31` is outside this data" in n for n in notes)
    assert any("segment has 1 value this data does not have (`Nope`)" in n for n in notes)
    assert any("steps has 1 value this data does not have (`Ghost`)" in n for n in notes)
    assert any("mode=`sideways` is not a value this page knows; showing `ordered`" in n
               for n in notes)
    assert at.session_state["funnel_stages"] == ["Awareness"]
    filters = at.session_state["filters"]
    assert filters.start is None and filters.end is None and filters.segments == ("Business",)


def test_dates_that_are_not_dates_or_run_backwards() -> None:
    at = open_page("funnel", {"from": "01.01.0099"})
    assert any("from=`01.01.0099` is not a date written as YYYY-MM-DD" in n for n in _notes(at))
    at = open_page("funnel", {"from": "2026-08-01", "to": "2026-07-01"})
    assert any("from=`2026-08-01` is after its to=`2026-07-01`" in n for n in _notes(at))
    assert not at.session_state["filters"].active


def test_overlong_and_too_many_values_are_not_used() -> None:
    at = open_page("funnel", {"mode": "x" * 5000, "channel": [f"c{i}" for i in range(500)],
                              "source": "evil"})
    notes = _notes(at)
    assert any(f"mode is longer than {links.MAX_VALUE} characters" in n for n in notes)
    assert any(f"channel 500 times, more than {links.MAX_VALUES}" in n for n in notes)
    assert any("source=`evil` is not a value this page knows; showing `sample`" in n
               for n in notes)
    assert at.session_state["funnel_mode"] == "ordered"
    assert not at.session_state["filters"].channels
    assert all(len(n) < 400 for n in notes)


def test_an_unknown_code_on_the_emotions_page_is_said() -> None:
    at = open_page("emotions", {"by": "<script>", "freq": "hourly"})
    assert at.session_state["emo_by"] == "stage" and at.session_state["emo_freq"] == "week"
    notes = _notes(at)
    assert any("by=`<script>`" in n for n in notes) and any("freq=`hourly`" in n for n in notes)


def test_a_clean_link_says_nothing() -> None:
    at = open_page("funnel", {"from": "2026-07-01", "mode": "strict", "steps": ["Awareness"]})
    assert _notes(at) == []
    assert at.session_state["filters"].start == dt.date(2026, 7, 1)


@pytest.fixture
def shop(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("JOURNEY_DATA_DIR", str(tmp_path))
    save_workspace(jl.load(b"customer,date,stage\na,2026-03-01,Awareness\n"), "Shop",
                   directory=tmp_path)
    return tmp_path


def test_a_view_named_with_markdown_is_shown_as_text(shop: Path) -> None:
    at = open_page("data", {"workspace": "Shop", "view": "[Log in again](https://evil.example)"})
    missing = [w.value for w in at.sidebar.warning if "no saved view" in w.value]
    assert missing == ["There is no saved view called `[Log in again](https://evil.example)` in "
                       "this workspace any more; showing the workspace instead."]


def test_an_overlong_workspace_name_is_not_looked_up(shop: Path) -> None:
    at = open_page("data", {"source": "workspace", "workspace": "W" * 150})
    assert any("workspace is longer than 100 characters" in n for n in _notes(at))
    assert at.selectbox(key="workspace_name").value == "Shop"


def test_quoted_values_cannot_leave_their_code_span() -> None:
    assert links.quoted("a`](x)`b") == "`a'](x)'b`"
    assert links.quoted("line\nbreak") == "`line break`"
    assert links.quoted("y" * 100) == "`" + "y" * 39 + "…`"
