"""Presentation mode of the journey map (AppTest) and the map's cards and pain/delight marks:
the step in the link, the page's own settings, owner/KPI only when set, the same pain and
delight points as the Emotions page."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import journeylib as jl
from journeylib import emotion as em
from journeylib import i18n
from journeylib import journey_map as jm
from journeylib.charts.journey_map import card_lines, presentation_html
from tests.apptest import open_page

STEP_3 = {"en": "3 of 5", "ru": "3 из 5", "pl": "3 z 5"}


def _strip(at: AppTest) -> str:
    """The HTML of the presentation's stage view."""
    return next(h.proto.body for h in at.get("html") if "jm-strip" in h.proto.body)


def _focus(at: AppTest) -> str | None:
    found = re.search(r'class="jm-stage is-focus" data-stage="([^"]+)"', _strip(at))
    return found.group(1) if found else None


def _marked(html: str, flag: str) -> list[str]:
    """Card titles of the cards marked ``flag`` ("pain" or "delight")."""
    return [re.sub(r"^★ ", "", name) for name in re.findall(
        rf'<div class="jm-card {flag}"><div class="jm-card-title">([^<]+)</div>', html)]


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_a_link_with_step_3_opens_on_step_3(lang: str) -> None:
    at = open_page("journey_map", lang=lang, present="1", step="3", no_errors=True)
    assert at.session_state["jm_step"] == 3
    assert _focus(at) == "Purchase"
    assert any(STEP_3[lang] in m.value for m in at.markdown)
    assert at.query_params["step"] == "3"


def test_next_and_previous_write_the_step_to_the_link() -> None:
    at = open_page("journey_map", present="1", step="3", no_errors=True)
    at.button(key="jm_next").click().run()
    assert (at.query_params["step"], _focus(at)) == ("4", "Retention")
    at.button(key="jm_prev").click().run()
    at.button(key="jm_prev").click().run()
    assert (at.query_params["step"], _focus(at)) == ("2", "Consideration")
    assert at.query_params["present"] == "1"


def test_presentation_uses_the_pages_settings_and_returns_to_them() -> None:
    at = open_page("journey_map", no_errors=True)
    at.slider(key="jm_flags").set_value(1).run()
    at.slider(key="jm_top").set_value(2).run()
    on_page = {f: _chart_marks(at, f) for f in ("pain", "delight")}
    assert len(on_page["pain"]) == 1 and len(on_page["delight"]) == 1
    at.toggle(key="jm_present").set_value(True).run()
    html = _strip(at)
    assert {f: _marked(html, f) for f in ("pain", "delight")} == on_page
    assert at.query_params["flags"] == "1" and at.query_params["top"] == "2"
    at.button(key="jm_next").click().run()
    at.toggle(key="jm_present").set_value(False).run()
    assert not at.exception
    assert (at.slider(key="jm_flags").value, at.slider(key="jm_top").value) == (1, 2)


def _chart_marks(at: AppTest, flag: str) -> list[str]:
    """Touchpoints the page's map chart marks ``flag``, from the chart's data."""
    import pyarrow as pa

    proto = at.get("vega_lite_chart")[0].proto
    for d in proto.datasets:
        frame = pa.ipc.open_stream(d.data.data).read_pandas()
        if "flag" in frame.columns:
            return frame.loc[frame["flag"] == flag, "touchpoint"].tolist()
    raise AssertionError("no card data in the chart")


@pytest.mark.parametrize("flags", [1, 3, 5])
def test_the_map_marks_the_pain_and_delight_points_the_emotions_page_lists(flags: int) -> None:
    emotions = open_page("emotions", no_errors=True)
    share = {"pain": "share_negative", "delight": "share_positive"}
    tables = {kind: next(d.value for d in emotions.dataframe if column in d.value.columns)
              for kind, column in share.items()}
    page = open_page("journey_map", flags=str(flags), no_errors=True)
    at = open_page("journey_map", flags=str(flags), present="1", no_errors=True)
    for kind, table in tables.items():
        # the page's own words: "yes" in both flag columns
        marked = (table["enough_data"] == "yes") & (table["significant"] == "yes")
        listed = table[marked]["touchpoint"]
        expected = listed.head(flags).tolist()
        assert expected, kind
        assert sorted(_chart_marks(page, kind)) == sorted(expected)
        assert sorted(_marked(_strip(at), kind)) == sorted(expected)


@pytest.fixture(scope="module")
def sample() -> jl.Dataset:
    from tests.apptest import SAMPLE

    return jl.load(SAMPLE)


@pytest.mark.parametrize("filters", [
    jl.Filters(), jl.Filters(segments=("Business",)), jl.Filters(channels=("display", "email")),
])
@pytest.mark.parametrize("flags", [1, 3, 5])
def test_marked_points_agree_with_the_emotions_lists(sample: jl.Dataset, filters, flags) -> None:
    ds = jl.apply_filters(sample, filters) if filters.active else sample
    pains, delights = em.pain_points(ds), em.delight_points(ds)
    tps = jm.build_journey_map(ds, flags=flags).touchpoints
    for kind, points in (("pain", pains), ("delight", delights)):
        named = points[points["enough_data"] & points["significant"]]["touchpoint"].head(flags)
        assert sorted(tps.loc[tps["flag"] == kind, "touchpoint"]) == sorted(named)


def test_marked_points_leave_out_thin_and_unclear_rows() -> None:
    points = pd.DataFrame({"touchpoint": ["a", "b", "c", "d"],
                           "enough_data": [True, False, True, True],
                           "significant": [True, True, False, True]})
    pains, delights = jm.marked_points(points, points.iloc[:0], 5)
    assert pains["touchpoint"].tolist() == ["a", "d"]
    assert delights.empty
    assert jm.marked_points(points, points, 1)[0]["touchpoint"].tolist() == ["a"]


def _cards(**columns) -> pd.DataFrame:
    base = {"stage": ["S", "S", "S"], "rank": [0, 1, 2], "touchpoint": ["A", "B", "C"],
            "customers": [10, 20, 30], "valence": [0.2, -0.1, float("nan")],
            "flag": ["", "pain", ""], "moment_of_truth": ["", "", "purchase"],
            "kpi": ["valence", "share_negative", "valence"],
            "kpi_value": [0.2, 0.4, float("nan")], "target": [float("nan"), 0.2, 0.5],
            "owner": ["", "Payments team", ""], "status": ["no target", "off target", "no data"]}
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_cards_show_owner_and_kpi_only_when_set(lang: str) -> None:
    with i18n.language(lang):
        lines = card_lines(_cards())
        owner = i18n.t("journey_map.chart.owner", owner="Payments team")
        stages = pd.DataFrame({"stage": ["S"], "journey": ["Buyer journey"], "n": [5],
                               "valence_mean": [0.1], "channels": ["web 100%"],
                               "quote_negative": [""], "quote_positive": [""]})
        html = presentation_html(stages, _cards(), focus="S")
    assert lines["meta_1"][0] == "" and lines["meta_2"][0] == ""  # no owner, no target
    assert lines["meta_1"][1] == owner and lines["meta_2"][1].endswith("✗")
    assert lines["meta_1"][2].endswith("✗") and lines["meta_2"][2] == ""  # KPI moves up
    assert html.count(owner.split(":")[0]) == 1  # "Owner" once: only on the card with one
    assert html.count('class="jm-card-line meta"') == 3


def test_the_stage_view_escapes_data() -> None:
    stages = pd.DataFrame({"stage": ["<b>S</b>"], "journey": ["Buyer journey"], "n": [5],
                           "valence_mean": [0.1], "channels": ["<img src=x>"],
                           "quote_negative": ["<script>x()</script>"], "quote_positive": [""]})
    html = presentation_html(stages, _cards(stage=["<b>S</b>"] * 3, touchpoint=["<i>", "B", "C"],
                                            owner=["<u>me</u>", "", ""]), focus="<b>S</b>")
    for raw in ("<b>S</b>", "<img", "<script>", "<i>", "<u>"):
        assert raw not in html


def test_a_presentation_step_is_fast_and_computes_nothing(monkeypatch) -> None:
    import time

    at = open_page("journey_map", present="1", step="1", no_errors=True)
    calls = []
    monkeypatch.setattr(jm, "build_journey_map", lambda *a, **k: calls.append(a))
    started = time.perf_counter()
    for _ in range(3):
        at.button(key="jm_next").click().run()
    per_step = (time.perf_counter() - started) / 3
    assert not at.exception and not calls  # the map came from the cache
    assert _focus(at) == "Retention"
    assert per_step < 1.0, per_step  # AppTest time includes its own polling; see the README
