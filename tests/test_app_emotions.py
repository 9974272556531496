"""AppTest tests of the Emotions, Journey map and Touchpoints pages on the sample data."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from journeylib import touchpoints as tp
from tests.apptest import new_app, open_page


def _chart_frames(at: AppTest) -> list[pd.DataFrame]:
    """The data sets of the page's first chart (Streamlit sends them as Arrow tables)."""
    proto = at.get("vega_lite_chart")[0].proto
    return [pa.ipc.open_stream(d.data.data).read_pandas() for d in proto.datasets]


def _text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


@pytest.fixture
def emotions() -> AppTest:
    return open_page("emotions", no_errors=True)


def test_emotions_page_shows_curve_timeline_points_and_moments(emotions: AppTest) -> None:
    at = emotions
    assert at.title[0].value == "Emotions"
    assert len(at.get("vega_lite_chart")) == 5  # curve, CX metric, timeline, moments, themes
    text = _text(at)
    assert "Customers feel worst at Retention" in text
    assert "Emotion dipped in the week of" in text
    assert "The biggest pain point is Checkout" in text
    assert "Customers with a bad Checkout experience buy 40 points less often" in text
    # CX metrics, pains, delights, moments (in an expander), themes; the notes are quotes,
    # each with a caption
    _cx, pains, delights, _, _themes = (d.value for d in at.dataframe)
    assert pains["touchpoint"].iloc[0] == "Checkout"
    # quotes default to the top pain point
    assert at.selectbox(key="emo_quotes_tp").value == "Checkout"
    assert delights["touchpoint"].iloc[0] == "Product page"
    quotes = [c.value for c in at.caption if " · Checkout · " in c.value]
    assert len(quotes) > 10
    assert all((" · " in q and "valence" in q) or "not rated" in q for q in quotes)
    valences = [float(q.rsplit("valence ", 1)[1].replace("\u2212", "-")) for q in quotes
                if "valence " in q]
    assert valences == sorted(valences)
    assert any("without a negative moment" in c.value for c in at.caption)


def test_emotions_controls_change_the_view(emotions: AppTest) -> None:
    at = emotions
    at.segmented_control(key="emo_freq").set_value("month").run()
    assert "Emotion dipped in Jun 2026" in _text(at)
    at.toggle(key="emo_per_stage").set_value(True).run()
    assert not at.exception
    at.segmented_control(key="emo_by").set_value("touchpoint").run()
    assert "Customers feel worst at Support call" in _text(at)
    at.selectbox(key="emo_outcome").set_value("retention").run()
    assert "bad Support call experience buy again" in _text(at)
    at.toggle(key="emo_adjust").set_value(True).run()
    assert not at.exception
    table = at.dataframe[3].value  # after CX metrics, pains, delights
    assert "adjusted_log_odds" in table.columns
    assert at.query_params["outcome"] in ("retention", ["retention"])


def test_journey_map_page_and_presentation_stepping() -> None:
    at = open_page("journey_map", no_errors=True)
    assert at.title[0].value == "Journey map"
    assert len(at.get("vega_lite_chart")) == 1
    assert "moments of truth: Checkout (purchase), Support call (retention)" in _text(at)
    downloads = [b.label for b in at.get("download_button")]
    assert {"PNG", "SVG", "PDF", "Workshop handout (PDF)"} <= set(downloads)

    at.toggle(key="jm_present").set_value(True).run()
    assert not at.exception
    assert not at.title  # controls and page title are hidden
    assert at.slider.len == 0
    assert "Whole journey" in _text(at)
    assert at.button(key="jm_prev").disabled
    at.button(key="jm_next").click().run()
    assert at.session_state["jm_step"] == 1
    assert "Awareness (buyer journey): mean valence +0.28" in _text(at)
    for _ in range(3):
        at.button(key="jm_next").click().run()
    assert "Retention (customer journey)" in _text(at)
    assert "moment of truth: Support call (drives retention)" in _text(at)
    at.button(key="jm_next").click().run()
    assert at.button(key="jm_next").disabled  # last stage: Advocacy
    at.button(key="jm_prev").click().run()
    assert at.session_state["jm_step"] == 4
    strip = at.get("html")[-1].proto.body  # the stage view: Retention focused, others faded
    assert 'class="jm-stage is-focus" data-stage="Retention"' in strip
    assert strip.count("jm-stage is-faded") == 4
    at.toggle(key="jm_present").set_value(False).run()
    assert at.title[0].value == "Journey map"
    assert not at.exception


def _targets_xlsx() -> bytes:
    targets = pd.DataFrame({"touchpoint": ["Checkout", "Order placed"],
                            "kpi": ["share_negative", "valence"], "target": [0.2, 0.3],
                            "owner": ["Payments team", "Shop"]})
    return tp.targets_to_excel(targets)


def test_touchpoints_scorecard_with_targets_from_excel() -> None:
    at = open_page("touchpoints", no_errors=True)
    assert at.title[0].value == "Touchpoints"
    assert "18 touchpoints, none with a target yet" in _text(at)
    download = at.get("download_button")[0]
    assert download.proto.label == "Download targets (Excel)"

    at.file_uploader(key="tp_upload").set_value(
        ("targets.xlsx", _targets_xlsx(),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    ).run()
    assert not at.exception
    assert "1 of 2 touchpoints with a target meet it. Off target: Checkout." in _text(at)
    saved = at.session_state["workspace_extras"]["scorecard_targets"]
    kept = {row["touchpoint"]: row for row in saved}
    assert kept["Checkout"]["owner"] == "Payments team"
    assert {"touchpoint": "Order placed", "kpi": "valence", "target": 0.3,
            "owner": "Shop"} in saved

    # the journey map shows the owner and status from the session
    at.switch_page("app_pages/journey_map.py")
    at.run()
    cards = next(f for f in _chart_frames(at) if "meta_1" in f.columns)
    checkout = cards.set_index("touchpoint").loc["Checkout"]
    assert checkout["meta_1"] == "Owner: Payments team"
    assert checkout["meta_2"] == "Negative share 0.36 / 0.20 ✗"


def test_touchpoints_rejects_a_bad_workbook() -> None:
    at = open_page("touchpoints", no_errors=True)
    book = openpyxl.Workbook()
    book.active.append(["touchpoint", "kpi", "target", "owner"])
    book.active.append(["Checkout", "NPS", 50, "Anna"])
    buffer = io.BytesIO()
    book.save(buffer)
    at.file_uploader(key="tp_upload").set_value(("bad.xlsx", buffer.getvalue(), "")).run()
    assert not at.exception
    assert any("Unknown KPI 'NPS'" in e.value for e in at.error)
    assert "none with a target yet" in _text(at)


def test_pages_explain_missing_emotion_and_purchase_information() -> None:
    csv = (
        b"customer,date,touchpoint\n"
        b"a,2026-03-01,Ad\n"
        b"a,2026-03-02,Shop\n"
        b"b,2026-03-01,Ad\n"
    )
    at = new_app()
    at.run()
    at.file_uploader[0].set_value(("plain.csv", csv, "text/csv")).run()
    assert not at.exception
    at.switch_page("app_pages/emotions.py")
    at.run()
    assert not at.exception
    assert "No touchpoint has an emotion rating" in _text(at)
    assert any("no purchase information" in w.value for w in at.warning)
    at.switch_page("app_pages/journey_map.py")
    at.run()
    assert not at.exception
    assert any("needs stages" in i.value for i in at.info)
    at.switch_page("app_pages/touchpoints.py")
    at.run()
    assert not at.exception
    assert "2 touchpoints, none with a target yet" in _text(at)
