"""AppTest tests of the Attribution page: models side by side, shareable controls, path tables."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page, table, widget

PAGE = "app_pages/attribution.py"
PATHS_CSV = (
    b"path;total_conversions;total_conversion_value;total_null\n"
    b"google ads;2;20,0;1\n"
    b"mailing;1;10,0;0\n"
    b"google ads > mailing;1;10,0;0\n"
)


def _widget(elements, label: str):
    return widget(elements, label=label)


def _table(at: AppTest):
    """The channels × models table (display strings)."""
    return table(at, "channel")


def test_sample_shows_every_part() -> None:
    at = open_page(PAGE)
    assert at.title[0].value == "Attribution"
    models = _widget(at.multiselect, "Models").value
    assert models == ["first_touch", "last_touch", "linear", "position_based", "markov",
                      "shapley"]
    assert "Time decay" in _widget(at.multiselect, "Models").options
    reading = next(m.value for m in at.markdown if "disagree" in m.value)
    assert "direct" in reading and "Markov chain" in reading
    # The model comparison, removal effects and the transition heat map.
    assert len(at.get("vega_lite_chart")) == 3
    # Channels down, models across: one row per channel, "120.3 (105.1–134.0)" for the
    # data-driven models, the bare credit for the heuristics.
    shown = _table(at)
    assert len(shown) == 8
    assert list(shown.columns) == ["channel", *models]
    assert shown["markov"].str.fullmatch(r"[\d,.]+ \([\d,.]+–[\d,.]+\)").all()
    assert not shown["linear"].str.contains("(", regex=False).any()
    linear = [float(v.replace(",", "")) for v in shown["linear"]]
    assert sum(linear) == pytest.approx(1476, abs=0.5)
    markov = [float(v.split(" ")[0].replace(",", "")) for v in shown["markov"]]
    assert markov == sorted(markov, reverse=True)  # ordered by the Markov credit
    labels = [b.label for b in at.main.get("download_button")]  # the sidebar adds the report
    assert labels == ["PNG", "SVG", "PDF", "Download the table (CSV)"]
    notes = " ".join(m.value for m in at.markdown)
    assert "**Shapley.**" in notes and "**Markov chain.**" in notes
    captions = " ".join(c.value for c in at.caption)
    assert "Without direct, the chain predicts" in captions
    assert at.query_params["lookback"] == "30d"


def test_controls_recompute_and_are_shared_in_the_url() -> None:
    at = open_page(PAGE)
    _widget(at.multiselect, "Models").set_value(["last_touch", "markov"]).run()
    _widget(at.radio, "Credit").set_value("revenue").run()
    _widget(at.selectbox, "Lookback window").set_value("7d").run()
    assert not at.exception
    assert list(_table(at).columns) == ["channel", "last_touch", "markov"]
    assert at.query_params["models"] == ["last_touch", "markov"]
    assert at.query_params["measure"] == "revenue"
    assert at.query_params["lookback"] == "7d"
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "Revenue credited" in spec


def test_url_parameters_set_the_controls() -> None:
    at = open_page(PAGE, models=["linear", "shapley", "nonsense"], lookback="90d", order="2",
                   measure="revenue")
    assert _widget(at.multiselect, "Models").value == ["linear", "shapley"]
    assert _widget(at.selectbox, "Lookback window").value == "90d"
    assert _widget(at.selectbox, "Markov order").value == 2
    assert _widget(at.radio, "Credit").value == "revenue"


def test_no_model_asks_for_one() -> None:
    at = open_page(PAGE)
    _widget(at.multiselect, "Models").set_value([]).run()
    assert not at.exception
    assert any("Pick at least one model" in i.value for i in at.info)
    assert not at.get("vega_lite_chart")


def test_uploaded_path_table_is_attributed() -> None:
    at = open_page(PAGE)
    at.file_uploader[0].set_value(("paths.csv", PATHS_CSV, "text/csv")).run()
    assert not at.exception
    assert any("Using the path table **paths.csv**" in i.value for i in at.info)
    assert "Time decay" not in _widget(at.multiselect, "Models").options
    assert _widget(at.selectbox, "Lookback window").disabled
    shown = _table(at).set_index("channel")
    assert shown.loc["google ads", "markov"].startswith("2.4 (")
    assert shown.loc["google ads", "first_touch"] == "3.0"
    _widget(at.radio, "Credit").set_value("revenue").run()
    assert _table(at).set_index("channel").loc["mailing", "markov"].startswith("16 (")


def test_unusable_path_table_says_why() -> None:
    at = open_page(PAGE)
    at.file_uploader[0].set_value(("paths.csv", b"a;b\nx;y\n", "text/csv")).run()
    assert not at.exception
    assert "is not a path table we can use" in at.error[0].value
    assert "needs a path column" in at.error[0].value
