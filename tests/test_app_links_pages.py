"""Every page's link round-trips: the parameters a view writes open the same view again."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page

# page, {widget key: value set by the user}, {link parameter: expected text}
CASES = [
    ("funnel", {"funnel_mode": "strict", "funnel_window": "30d", "funnel_by": "segment"},
     {"mode": "strict", "window": "30d", "by": "segment"}),
    ("journeys", {"paths_level": "touchpoint"}, {"level": "touchpoint"}),
    ("attribution", {"attr_lookback": "60d", "attr_measure": "revenue"},
     {"lookback": "60d", "measure": "revenue"}),
    ("emotions", {"emo_by": "channel", "emo_freq": "month"}, {"by": "channel", "freq": "month"}),
    ("journey_map", {"jm_top": 3}, {"top": "3"}),
]


def _page(path: str, params: dict | None = None) -> AppTest:
    return open_page(path, params, timeout=90)


@pytest.mark.parametrize(("page", "changes", "expected"), CASES, ids=[c[0] for c in CASES])
def test_link_round_trip(page: str, changes: dict, expected: dict) -> None:
    first = _page(page)
    for key, value in changes.items():
        first.session_state[key] = value
    first.run()
    assert not first.exception
    params = {k: first.query_params[k] for k in first.query_params}
    for name, text in expected.items():
        assert params[name] == text, name
    assert params["source"] == "sample"

    # A colleague opens the link in a fresh session: the same view.
    second = _page(page, params)
    for key, value in changes.items():
        assert second.session_state[key] == value, key
    assert {k: second.query_params[k] for k in second.query_params} == params
