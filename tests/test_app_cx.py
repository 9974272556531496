"""AppTest tests of the CX metrics: the Emotions page section and the Data page's note."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import chart_titles, open_page, open_with_file

TITLE = {"en": "CX metrics", "ru": "CX-метрики", "pl": "Wskaźniki CX"}
NBSP = "\u00a0"


def _nps_csv() -> bytes:
    """Touchpoints with a 0–10 "likely to recommend" score in a column named NPS."""
    rng = np.random.default_rng(3)
    n = 400
    stages = rng.choice(["Awareness", "Purchase", "Retention"], n)
    frame = pd.DataFrame({
        "customer_id": [f"c{i % 120}" for i in range(n)],
        "timestamp": pd.Timestamp("2026-01-05") + pd.to_timedelta(rng.integers(0, 120, n),
                                                                    unit="D"),
        "stage": stages,
        "touchpoint": [f"{s} survey" for s in stages],
        "channel": rng.choice(["email", "web"], n),
        "segment": rng.choice(["New", "Returning"], n),
        "NPS": rng.integers(0, 11, n),
    })
    frame.loc[0, "NPS"], frame.loc[1, "NPS"] = 0, 10
    return frame.to_csv(index=False).encode()


def _cx_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "respondents" in d.value.columns)


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_sample_shows_csat_by_stage_in_the_language(lang: str) -> None:
    at = open_page("emotions", lang=lang, no_errors=True)
    assert TITLE[lang] in [s.value for s in at.subheader]
    metric = at.segmented_control(key="cx_metric")
    assert metric.value == "csat"
    assert metric.options == ["CSAT", "CES"]  # the sample's 1–5 scale: no NPS
    assert at.segmented_control(key="cx_by").value == "stage"
    table = _cx_table(at)
    assert len(table) == 5  # five stages
    percent = "%" if lang != "ru" else NBSP + "%"
    assert all(v.endswith(percent + ")") for v in table["value"])
    if lang != "en":
        assert all("," in v and "." not in v for v in table["value"])
    headline = next(m.value for m in at.markdown if "CSAT" in m.value)
    assert "CSAT" in headline and ("56.8%" in headline or f"56,8{percent}" in headline)
    titles = chart_titles(at)
    assert {"en": "CSAT by stage", "ru": "CSAT по этапам", "pl": "CSAT według etapów"}[
        lang] in titles


def test_grouping_and_metric_choices_change_the_view() -> None:
    at = open_page("emotions", no_errors=True)
    for by, rows in (("touchpoint", 18), ("channel", None), ("segment", 3), ("month", 6)):
        at.segmented_control(key="cx_by").set_value(by).run()
        assert not at.exception and not at.error
        table = _cx_table(at)
        if rows:
            assert len(table) == rows
    assert list(table.columns[:1]) == ["period"]
    assert table["period"].iloc[0] == "Mar 2026"
    assert "CSAT by month" in chart_titles(at)
    at.segmented_control(key="cx_metric").set_value("ces").run()
    assert not at.exception
    table = _cx_table(at)
    assert table["value"].iloc[0].startswith("3.7")
    assert "CES by month" in chart_titles(at)


def test_existing_emotion_sections_stay() -> None:
    at = open_page("emotions", no_errors=True)
    # curve, CX metric, timeline, moments of truth, themes
    assert len(at.get("vega_lite_chart")) == 5
    titles = [s.value for s in at.subheader]
    assert titles.index("CX metrics") < titles.index("Over time")
    assert titles.index("What customers say") == titles.index("Voice of the customer") - 1


@pytest.mark.parametrize("lang", ["en", "ru", "pl"])
def test_an_uploaded_0_to_10_file_gets_nps(lang: str) -> None:
    at = open_with_file("emotions", "nps.csv", _nps_csv(), lang=lang)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert TITLE[lang] in [s.value for s in at.subheader]
    metric = at.segmented_control(key="cx_metric")
    assert metric.value == "nps" and metric.options == ["NPS"]
    table = _cx_table(at)
    assert set(table["group"]) == {"Awareness", "Purchase", "Retention"}
    assert {"promoters_share", "passives_share", "detractors_share"} <= set(table.columns)
    # NPS in signed whole points with its interval: "−12 (−25…+1)"
    assert all(v[0] in "+\u22120" and "…" in v for v in table["value"])
    at.segmented_control(key="cx_by").set_value("segment").run()
    assert not at.exception
    assert set(_cx_table(at)["group"]) == {"New", "Returning"}


def test_labels_only_say_why_no_metric_fits() -> None:
    csv = (b"customer_id,timestamp,touchpoint,emotion\n"
           b"a,2026-01-01,Ad,happy\na,2026-01-02,Visit,sad\nb,2026-01-02,Ad,angry\n")
    at = open_with_file("emotions", "labels.csv", csv, lang="ru")
    assert not at.exception, at.exception
    note = next(i.value for i in at.info if "CX-метрика" in i.value)
    assert "NPS" in note and "CSAT" in note and "CES" in note
    assert not any(d for d in at.dataframe if "respondents" in d.value.columns)


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "Score scale 1–5: the Emotions page reports CSAT and CES from it."),
    ("ru", "Шкала оценок 1–5: по ней страница «Эмоции» показывает CSAT и CES."),
    ("pl", "Skala ocen 1–5: strona Emocje podaje na jej podstawie CSAT i CES."),
])
def test_data_page_says_which_metrics_the_scores_support(lang: str, words: str) -> None:
    at = open_page("data", lang=lang, no_errors=True)
    assert words in [c.value for c in at.caption]


def test_data_page_names_nps_for_a_0_to_10_file() -> None:
    at = open_with_file("data", "nps.csv", _nps_csv(), lang="en")
    assert not at.exception
    assert "Score scale 0–10: the Emotions page reports NPS from it." in [
        c.value for c in at.caption]


def test_the_choice_is_in_the_link_and_a_bad_link_value_is_said() -> None:
    first = open_page("emotions", no_errors=True)
    first.segmented_control(key="cx_metric").set_value("ces").run()
    first.segmented_control(key="cx_by").set_value("segment").run()
    assert (first.query_params["cx"], first.query_params["cx_by"]) in (
        ("ces", "segment"), (["ces"], ["segment"]))
    second = open_page("emotions", {"cx": "ces", "cx_by": "segment"}, no_errors=True)
    assert second.session_state["cx_metric"] == "ces"
    assert second.session_state["cx_by"] == "segment"
    # NPS is not offered on the sample's 1–5 scores: the page opens on CSAT and says so
    hostile = open_page("emotions", {"cx": "nps", "cx_by": "<b>x</b>"})
    assert hostile.session_state["cx_metric"] == "csat"
    assert hostile.session_state["cx_by"] == "stage"
    said = " ".join(w.value for w in hostile.warning)
    assert "`nps`" in said and "`<b>x</b>`" in said
